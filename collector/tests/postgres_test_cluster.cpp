#include "postgres_test_cluster.hpp"

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>

#include "postgres_db.hpp"

namespace clinic_audit::collector::test {

std::string postgres_cluster_url() {
  const char* state = std::getenv("CA_TEST_PG_STATE");
  if (state == nullptr)
    throw std::runtime_error("CA_TEST_PG_STATE is not set: run through ctest (fixture collector.postgres)");
  std::ifstream in(std::string(state) + "/url");
  std::string url;
  std::getline(in, url);
  if (url.empty())
    throw std::runtime_error(std::string("no PostgreSQL test cluster at ") + state + " (pg_test_cluster.sh start)");
  return url;
}

std::string fresh_postgres_database() {
  const std::string cluster = postgres_cluster_url();
  std::random_device random;
  const std::string name = "t" + std::to_string(random()) + std::to_string(random());
  pg::Connection admin(cluster);
  admin.exec_script(("CREATE DATABASE " + name).c_str());
  const auto slash = cluster.find("///") + 3;
  return cluster.substr(0, slash) + name + cluster.substr(cluster.find('?'));
}

void drop_postgres_database(const std::string& url) {
  const std::string cluster = postgres_cluster_url();
  const auto start = url.find("///") + 3;
  const std::string name = url.substr(start, url.find('?') - start);
  try {
    pg::Connection admin(cluster);
    admin.exec_script(("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").c_str());
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): the cluster is removed at the end anyway
  }
}

}  // namespace clinic_audit::collector::test
