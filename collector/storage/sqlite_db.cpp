#include "sqlite_db.hpp"

#include <cstring>
#include <utility>

#include "storage.hpp"

namespace clinic_audit::collector::sqlite {

void fail(Connection& connection, int code, std::string_view what) {
  const std::string message =
      std::string(what) + ": " + sqlite3_errmsg(connection.get()) + " (SQLite error " + std::to_string(code) + ")";
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR: throw StorageUnavailable(message);
    default: throw StorageError(message);
  }
}

Connection::Connection(const std::string& path) : path_(path) {
  const int code =
      sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (code != SQLITE_OK) {
    const std::string message =
        "cannot open SQLite database " + path + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(code));
    sqlite3_close(db_);
    db_ = nullptr;
    throw StorageError(message);
  }
  // A writer waits for another (the other process's `init`, a reader's
  // checkpoint) up to 5 s before giving up with SQLITE_BUSY (-> 503).
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_extended_result_codes(db_, 1);
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

sqlite3_stmt* Connection::take_prepared(const char* sql) {
  const auto it = cache_.find(sql);
  if (it != cache_.end()) {
    sqlite3_stmt* stmt = it->second;
    cache_.erase(it);
    return stmt;
  }
  sqlite3_stmt* stmt = nullptr;
  const int code = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (code != SQLITE_OK) {
    sqlite3_finalize(stmt);
    fail(*this, code, std::string("preparing ") + sql);
  }
  return stmt;
}

void Connection::give_back(std::string sql, sqlite3_stmt* stmt) {
  if (stmt == nullptr) return;
  // Reset ends any read the statement held open; its error code is the last
  // step's, already reported.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (cache_.size() >= kMaxCached) {
    sqlite3_finalize(stmt);
    return;
  }
  cache_.emplace(std::move(sql), stmt);
}

void Connection::exec(const char* sql) {
  if (std::strchr(sql, ';') == nullptr) {
    // One statement (BEGIN, SAVEPOINT, COMMIT... per report): from the cache.
    Statement statement(*this, sql);
    statement.run();
    return;
  }
  char* error = nullptr;
  const int code = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (code != SQLITE_OK) {
    const std::string text = error != nullptr ? error : "";
    sqlite3_free(error);
    fail(*this, code, "SQLite " + path_ + ": " + text);
  }
}

Statement::Statement(Connection& connection, const char* sql)
    : sql_(sql), stmt_(connection.take_prepared(sql)), connection_(connection) {}

Statement::~Statement() { connection_.give_back(std::move(sql_), stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_unowned(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}
Statement& Statement::bind_blob_unowned(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  return *this;
}
Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}
Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  const int code = sqlite3_step(stmt_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  fail(connection_, code, std::string("executing ") + sqlite3_sql(stmt_));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt_, column);
}
std::string Statement::text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  return data == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(data),
                                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}
std::optional<std::string> Statement::optional_text(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return text(column);
}
std::string Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  return data == nullptr ? std::string()
                         : std::string(static_cast<const char*>(data),
                                       static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

}  // namespace clinic_audit::collector::sqlite
