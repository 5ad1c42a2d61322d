// Seeds a collector database with the page tests' fleet, dated from now:
//   dashboard_seed sqlite:PATH
// Used by browser/run_browser_test.sh before it starts `serve`.
#include <ctime>
#include <iostream>

#include "dashboard_fixture.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: dashboard_seed DATABASE_URL\n";
    return 64;
  }
  try {
    auto storage = clinic_audit::collector::open_storage(argv[1]);
    storage->migrate();
    clinic_audit::dashboard::test::seed_fleet(*storage, std::time(nullptr));
  } catch (const std::exception& error) {
    std::cerr << "dashboard_seed: " << error.what() << "\n";
    return 70;
  }
  return 0;
}
