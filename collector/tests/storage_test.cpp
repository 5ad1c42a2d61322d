// The storage test suite every Storage implementation must pass (STYLE.md
// §10). Instantiated for SQLite here; postgres_storage_test.cpp runs the
// same suite on a PostgreSQL started for the test.
#include "storage_test_suite.hpp"

#include <filesystem>

#include "sqlite_storage.hpp"
#include "temp_dir.hpp"

namespace clinic_audit::collector::test {
namespace {

class SqliteFactory : public StorageFactory {
 public:
  std::unique_ptr<Storage> make() override { return std::make_unique<SqliteStorage>(dir_.path() / "c.db"); }
  std::string url() const override { return "sqlite:" + (dir_.path() / "c.db").string(); }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StorageSuite, testing::Values(FactoryMaker([] {
                           return std::unique_ptr<StorageFactory>(new SqliteFactory);
                         })),
                         [](const testing::TestParamInfo<FactoryMaker>&) { return std::string("sqlite"); });

TEST(SqliteStorage, UsesWriteAheadLogging) {
  TempDir dir;
  {
    SqliteStorage storage(dir.path() / "w.db");
    storage.migrate();
  }
  sqlite::Connection db((dir.path() / "w.db").string());
  sqlite::Statement s(db, "PRAGMA journal_mode");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), "wal");
}

}  // namespace
}  // namespace clinic_audit::collector::test
