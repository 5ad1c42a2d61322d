#include <charconv>

#include "sql.hpp"

namespace clinic_audit::dashboard {

std::int64_t SqlRow::integer(std::size_t i) const {
  const auto& cell = cells.at(i);
  if (!cell) return 0;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), value);
  if (ec != std::errc{} || end != cell->data() + cell->size()) {
    throw SqlError("column " + std::to_string(i) + " is not an integer");
  }
  return value;
}

std::optional<std::int64_t> SqlRow::optional_integer(std::size_t i) const {
  if (!cells.at(i)) return std::nullopt;
  return integer(i);
}

SqlPool::SqlPool(std::string database_url, std::size_t max_open)
    : url_(std::move(database_url)), max_open_(max_open == 0 ? 1 : max_open) {}

SqlPool::Lease::Lease(SqlPool& owner) : pool(owner) {
  std::unique_lock lock(pool.mutex_);
  pool.available_.wait(lock, [&] { return !pool.idle_.empty() || pool.open_ < pool.max_open_; });
  if (!pool.idle_.empty()) {
    connection = std::move(pool.idle_.back());
    pool.idle_.pop_back();
    return;
  }
  ++pool.open_;
  lock.unlock();
  try {
    connection = open_sql(pool.url_);
  } catch (...) {
    const std::lock_guard relock(pool.mutex_);
    --pool.open_;
    pool.available_.notify_one();
    throw;
  }
}

SqlPool::Lease::~Lease() {
  const std::lock_guard lock(pool.mutex_);
  if (connection) pool.idle_.push_back(std::move(connection));
  pool.available_.notify_one();
}

void in_transaction(SqlConnection& db, const std::function<void()>& work) {
  db.exec(db.postgres() ? "BEGIN" : "BEGIN IMMEDIATE");
  try {
    work();
    db.exec("COMMIT");
  } catch (...) {
    try {
      db.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace clinic_audit::dashboard
