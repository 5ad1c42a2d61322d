// A thin RAII layer over the SQLite C API (https://sqlite.org/c3ref/intro.html):
// one connection, prepared statements with bound parameters (never SQL text
// built from values: SQL metacharacters in a report cannot reach the SQL).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace clinic_audit::collector::sqlite {

class Connection {
 public:
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  sqlite3* get() const { return db_; }
  void exec(const char* sql);
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }

  // Prepared statements are kept per connection and reused (Statement takes
  // one and gives it back reset): preparing the ingest's dozen statements
  // again for every report was a tenth of its CPU (perf). A statement in use
  // is out of the cache, so the same SQL nested gets its own.
  sqlite3_stmt* take_prepared(const char* sql);
  void give_back(std::string sql, sqlite3_stmt* stmt);

 private:
  static constexpr std::size_t kMaxCached = 64;
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_multimap<std::string, sqlite3_stmt*> cache_;
};

class Statement {
 public:
  Statement(Connection& connection, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind_blob(int index, std::string_view bytes);
  // Not copied (SQLITE_STATIC): for values that outlive the statement's
  // run, such as a report's 20-40 KB bytes and its results' texts during an
  // ingest (copying them was a memmove of every report, perf). The binding
  // is cleared when the statement goes back to the cache.
  Statement& bind_unowned(int index, std::string_view text);
  Statement& bind_blob_unowned(int index, std::string_view bytes);
  Statement& bind(int index, const std::optional<std::string>& text);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind_null(int index);
  // True while a row is available.
  bool step();
  void run() {
    while (step()) {
    }
  }
  // Ready to run again with new bindings.
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::int64_t integer(int column) const;
  std::optional<std::int64_t> optional_integer(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::string blob(int column) const;

 private:
  std::string sql_;  // the cache key (callers often pass a temporary string's c_str())
  sqlite3_stmt* stmt_ = nullptr;
  Connection& connection_;
};

// Throws StorageUnavailable for SQLITE_BUSY/LOCKED/FULL/IOERR, StorageError otherwise.
[[noreturn]] void fail(Connection& connection, int code, std::string_view what);

}  // namespace clinic_audit::collector::sqlite
