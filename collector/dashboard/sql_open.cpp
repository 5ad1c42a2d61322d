#include "sql.hpp"

namespace clinic_audit::dashboard {

std::unique_ptr<SqlConnection> open_sqlite_sql(const std::string& path);
std::unique_ptr<SqlConnection> open_postgres_sql(const std::string& url);

std::unique_ptr<SqlConnection> open_sql(const std::string& database_url) {
  if (database_url.rfind("sqlite:", 0) == 0) return open_sqlite_sql(database_url.substr(7));
  if (database_url.rfind("postgresql://", 0) == 0 || database_url.rfind("postgres://", 0) == 0) {
    return open_postgres_sql(database_url);
  }
  throw SqlError("unsupported database URL (sqlite:PATH or postgresql://...)");
}

}  // namespace clinic_audit::dashboard
