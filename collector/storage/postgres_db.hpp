// A thin layer over libpq (https://www.postgresql.org/docs/15/libpq.html):
// one connection, parameterised statements only (values never become SQL
// text), results read as text.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace clinic_audit::collector::pg {

// Positional parameters $1, $2... in order of the calls.
class Params {
 public:
  Params& text(std::string_view value);
  Params& integer(std::int64_t value);
  Params& bytes(std::string_view value);  // bytea, sent in binary
  Params& null();
  Params& optional(const std::optional<std::string>& value) { return value ? text(*value) : null(); }
  Params& optional(const std::optional<std::int64_t>& value) { return value ? integer(*value) : null(); }

  int count() const { return static_cast<int>(values_.size()); }
  std::vector<const char*> pointers() const;
  std::vector<int> lengths() const;
  const std::vector<int>& formats() const { return formats_; }

 private:
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
};

class Result {
 public:
  explicit Result(PGresult* result) : result_(result, PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  bool null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::optional<std::int64_t> optional_integer(int row, int column) const;
  std::string bytes(int row, int column) const;  // bytea (hex text form) decoded

 private:
  std::shared_ptr<PGresult> result_;
};

class Connection {
 public:
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` as a statement prepared once per connection (PQprepare,
  // then PQexecPrepared: PostgreSQL parses and plans an ingest's dozen
  // statements once, not for every report).
  Result exec(const char* sql, const Params& params = Params());
  // Several statements, no parameters (schema migrations).
  void exec_script(const char* sql);
  bool healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

 private:
  // Past this many distinct statements (reads with varying SQL), further
  // ones run unprepared.
  static constexpr std::size_t kMaxPrepared = 128;
  // The prepared statement's name for `sql`, preparing it if needed; empty
  // when the cache is full.
  const std::string* prepared(const char* sql, const Params& params);
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;
};

}  // namespace clinic_audit::collector::pg
