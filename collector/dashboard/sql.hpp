// The dashboard's own access to the collector database: read queries for the
// pages and its tables (users, sessions, API tokens, trend cache). It opens
// the same `<database url>` as the collector's Storage, through its own
// connections, so that the ingest path stays as it is. One small interface,
// two implementations (SQLite, PostgreSQL/libpq), the same SQL text for both:
// placeholders are written `?` and numbered for libpq; only portable SQL is
// used (window-free subqueries, CASE, COALESCE, LIMIT/OFFSET).
#pragma once

#include <cstdint>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace clinic_audit::dashboard {

class SqlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string>;

struct SqlRow {
  std::vector<std::optional<std::string>> cells;
  std::string text(std::size_t i) const { return cells.at(i).value_or(""); }
  std::int64_t integer(std::size_t i) const;
  std::optional<std::int64_t> optional_integer(std::size_t i) const;
  bool null(std::size_t i) const { return !cells.at(i).has_value(); }
};

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  virtual std::vector<SqlRow> query(const std::string& sql, const std::vector<SqlValue>& params = {}) = 0;
  // Statements without results, several separated by ';' allowed when no params.
  virtual void exec(const std::string& sql) = 0;
  virtual bool postgres() const = 0;
};

std::unique_ptr<SqlConnection> open_sql(const std::string& database_url);

// Connections opened on demand, at most `max_open`, reused.
class SqlPool {
 public:
  SqlPool(std::string database_url, std::size_t max_open);
  // Runs `work` with a connection of its own (blocks while all are busy).
  template <typename Work>
  auto with(Work&& work) {
    Lease lease(*this);
    return work(*lease.connection);
  }

 private:
  struct Lease {
    explicit Lease(SqlPool& pool);
    ~Lease();
    SqlPool& pool;
    std::unique_ptr<SqlConnection> connection;
  };
  std::string url_;
  std::size_t max_open_;
  std::size_t open_ = 0;
  std::mutex mutex_;
  std::condition_variable_any available_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;
};

// In one transaction (BEGIN IMMEDIATE on SQLite); rolled back on exception.
void in_transaction(SqlConnection& db, const std::function<void()>& work);

}  // namespace clinic_audit::dashboard
