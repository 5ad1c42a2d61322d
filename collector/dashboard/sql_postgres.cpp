// PostgreSQL side of sql.hpp through libpq (PQexecParams, text format): the
// `?` placeholders of the shared SQL become $1..$n.
#include <libpq-fe.h>

#include "postgres_url.hpp"
#include "sql.hpp"

namespace clinic_audit::dashboard {
namespace {

std::string numbered_placeholders(const std::string& sql) {
  std::string out;
  int n = 0;
  bool in_string = false;
  for (const char c : sql) {
    if (c == '\'') in_string = !in_string;
    if (c == '?' && !in_string) {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresConnection final : public SqlConnection {
 public:
  explicit PostgresConnection(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      // The password only when libpq repeats a URL it could not parse: removed.
      const std::string message = collector::without_url_password(PQerrorMessage(conn_), url);
      PQfinish(conn_);
      throw SqlError("cannot connect to PostgreSQL: " + message);
    }
  }
  ~PostgresConnection() override { PQfinish(conn_); }

  std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params) override {
    std::vector<std::string> texts(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      if (const auto* number = std::get_if<std::int64_t>(&params[i])) {
        texts[i] = std::to_string(*number);
        values[i] = texts[i].c_str();
      } else if (const auto* text = std::get_if<std::string>(&params[i])) {
        values[i] = text->c_str();
      }
    }
    const std::string translated = numbered_placeholders(sql);
    PGresult* result = PQexecParams(conn_, translated.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                                    nullptr, nullptr, 0);
    struct Clear {
      PGresult* r;
      ~Clear() { PQclear(r); }
    } clear{result};
    const auto status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      throw SqlError(std::string("SQL: ") + PQresultErrorMessage(result));
    }
    std::vector<SqlRow> rows;
    const int n = PQntuples(result);
    const int columns = PQnfields(result);
    rows.reserve(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) {
      SqlRow row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result, r, c)) {
          row.cells.emplace_back(std::nullopt);
        } else {
          row.cells.emplace_back(
              std::string(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  void exec(const std::string& sql) override {
    PGresult* result = PQexec(conn_, sql.c_str());
    const auto status = PQresultStatus(result);
    const std::string message = PQresultErrorMessage(result);
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) throw SqlError("SQL: " + message);
  }

  bool postgres() const override { return true; }

 private:
  PGconn* conn_;
};

}  // namespace

std::unique_ptr<SqlConnection> open_postgres_sql(const std::string& url) {
  return std::make_unique<PostgresConnection>(url);
}

}  // namespace clinic_audit::dashboard
