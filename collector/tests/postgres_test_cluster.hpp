// The private PostgreSQL of the tests (see pg_test_cluster.sh).
#pragma once

#include <string>

namespace clinic_audit::collector::test {

// The cluster's URL (from $CA_TEST_PG_STATE/url); throws when the CTest
// fixture did not start one.
std::string postgres_cluster_url();
// A new empty database on the cluster, as a libpq URL.
std::string fresh_postgres_database();
void drop_postgres_database(const std::string& url);

}  // namespace clinic_audit::collector::test
