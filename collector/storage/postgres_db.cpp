#include "postgres_db.hpp"

#include "postgres_url.hpp"

#include <cstring>

#include "storage.hpp"

namespace clinic_audit::collector::pg {
namespace {

// SQLSTATE classes that mean "try again later" (PostgreSQL Appendix A):
// 08 connection exception, 40 transaction rollback (serialization failure,
// deadlock), 53 insufficient resources, 57 operator intervention.
[[noreturn]] void fail(PGconn* conn, PGresult* result, std::string_view what) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message =
      std::string(what) + ": " + (result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const std::string sqlstate = state != nullptr ? state : "";
  if (PQstatus(conn) != CONNECTION_OK || sqlstate.starts_with("08") || sqlstate.starts_with("40") ||
      sqlstate.starts_with("53") || sqlstate.starts_with("57")) {
    throw StorageUnavailable(message);
  }
  throw StorageError(message);
}

}  // namespace

Params& Params::text(std::string_view value) {
  values_.emplace_back(std::string(value));
  formats_.push_back(0);
  return *this;
}
Params& Params::integer(std::int64_t value) { return text(std::to_string(value)); }
Params& Params::bytes(std::string_view value) {
  values_.emplace_back(std::string(value));
  formats_.push_back(1);
  return *this;
}
Params& Params::null() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}
std::vector<const char*> Params::pointers() const {
  std::vector<const char*> out;
  for (const auto& value : values_) out.push_back(value ? value->data() : nullptr);
  return out;
}
std::vector<int> Params::lengths() const {
  std::vector<int> out;
  for (const auto& value : values_) out.push_back(value ? static_cast<int>(value->size()) : 0);
  return out;
}

std::string Result::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}
std::optional<std::string> Result::optional_text(int row, int column) const {
  if (null(row, column)) return std::nullopt;
  return text(row, column);
}
std::int64_t Result::integer(int row, int column) const { return std::stoll(text(row, column)); }
std::optional<std::int64_t> Result::optional_integer(int row, int column) const {
  if (null(row, column)) return std::nullopt;
  return integer(row, column);
}
std::string Result::bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* raw =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column)), &length);
  if (raw == nullptr) throw StorageError("cannot decode a bytea value");
  std::string out(reinterpret_cast<char*>(raw), length);
  PQfreemem(raw);
  return out;
}

Connection::Connection(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    // libpq's message names host/socket and reason; the password only when
    // it repeats a URL it could not parse: removed.
    std::string message = without_url_password(PQerrorMessage(conn_), url);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw StorageUnavailable("cannot connect to PostgreSQL: " + message);
  }
  // lz4 for the report bytes TOAST compresses (PostgreSQL 14+ built with
  // lz4, as Debian's is): pglz compressing each report's ~27 KB was 7.5 % of
  // the server's CPU per ingest (perf). A column without a COMPRESSION of
  // its own is compressed with this setting when a value is stored, and
  // every value is read back whatever it was compressed with
  // (https://www.postgresql.org/docs/15/runtime-config-client.html,
  // default_toast_compression). A server that refuses it keeps its default.
  if (PQserverVersion(conn_) >= 140000) PQclear(PQexec(conn_, "SET default_toast_compression = lz4"));
}

Connection::~Connection() { PQfinish(conn_); }

const std::string* Connection::prepared(const char* sql, const Params& params) {
  if (const auto it = prepared_.find(sql); it != prepared_.end()) return &it->second;
  if (prepared_.size() >= kMaxPrepared) return nullptr;
  std::string name = "ca_" + std::to_string(prepared_.size() + 1);
  // Parameter types left to the server (as PQexecParams does); the
  // statement lives as long as this session.
  PGresult* result = PQprepare(conn_, name.c_str(), sql, params.count(), nullptr);
  Result guard(result);
  if (PQresultStatus(result) != PGRES_COMMAND_OK) {
    fail(conn_, result, std::string("PostgreSQL: preparing ") + std::string(sql).substr(0, 80));
  }
  return &prepared_.emplace(sql, std::move(name)).first->second;
}

Result Connection::exec(const char* sql, const Params& params) {
  const auto values = params.pointers();
  const auto lengths = params.lengths();
  const std::string* name = prepared(sql, params);
  PGresult* result = name != nullptr ? PQexecPrepared(conn_, name->c_str(), params.count(), values.data(),
                                                      lengths.data(), params.formats().data(), 0)
                                     : PQexecParams(conn_, sql, params.count(), nullptr, values.data(), lengths.data(),
                                                    params.formats().data(), 0);
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Result guard(result);
    fail(conn_, result, std::string("PostgreSQL: ") + std::string(sql).substr(0, 80));
  }
  return Result(result);
}

void Connection::exec_script(const char* sql) {
  PGresult* result = PQexec(conn_, sql);
  Result guard(result);
  const auto status = PQresultStatus(result);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn_, result, "PostgreSQL migration");
}

}  // namespace clinic_audit::collector::pg
