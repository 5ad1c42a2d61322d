// The storage conformance suite on PostgreSQL (issue #11 item 6: the same
// test suite runs on both), against the private cluster that the CTest
// fixture collector.postgres.start (pg_test_cluster.sh) runs.
#include <random>

#include "postgres_db.hpp"
#include "postgres_storage.hpp"
#include "postgres_test_cluster.hpp"
#include "storage_test_suite.hpp"

namespace clinic_audit::collector::test {
namespace {

class PostgresFactory : public StorageFactory {
 public:
  PostgresFactory() : url_(fresh_postgres_database()) {}
  ~PostgresFactory() override { drop_postgres_database(url_); }
  std::unique_ptr<Storage> make() override { return std::make_unique<PostgresStorage>(url_); }
  std::string url() const override { return url_; }

 private:
  std::string url_;
};

INSTANTIATE_TEST_SUITE_P(Postgres, StorageSuite, testing::Values(FactoryMaker([] {
                           return std::unique_ptr<StorageFactory>(new PostgresFactory);
                         })),
                         [](const testing::TestParamInfo<FactoryMaker>&) { return std::string("postgres"); });

TEST(PostgresStorage, WrongUrlIsUnavailableWithoutThePassword) {
  try {
    PostgresStorage storage("postgresql://user:s3cret@127.0.0.1:1/nothing?connect_timeout=2");
    FAIL() << "connected to nothing";
  } catch (const StorageUnavailable& error) {
    EXPECT_EQ(std::string(error.what()).find("s3cret"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace clinic_audit::collector::test
