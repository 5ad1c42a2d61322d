// Test driver for the crash tests: one `run --out` of the agent's store and
// signing steps, in the order the agent performs them (issue #8 item 4,
// issue #12 item 2, issue #20 item 6):
//   load identity -> PendingSet::begin (recover, reserve) -> write reports
//   -> sign them -> commit (spool, commit the chain, prune).
// Usage: chain_driver STATE_DIR OUT_DIR KEY CERT TIMESTAMP [EXT...]
// Prints the run's sequence. CLINIC_AUDIT_CRASH_AT=<step> kills it at a step.
// Environment: CHAIN_DRIVER_SPOOL=0 does not spool (default: spools);
// CHAIN_DRIVER_KEEP=N keeps N sets (default 100); CHAIN_DRIVER_ACK_ALL=1
// empties the spool first, as `submit` would after the collector's answers;
// CHAIN_DRIVER_ACK_ONE=1 acknowledges only the oldest spooled report;
// CHAIN_DRIVER_ACK_LOG=FILE appends the acknowledged sequences to FILE;
// CHAIN_DRIVER_SPOOL_MAX=N bounds the spool to N reports (the others wait).
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <fstream>
#include <iostream>

#include "crash_point.hpp"
#include "report_files.hpp"
#include "report_store.hpp"
#include "sign_report.hpp"
#include "signing_error.hpp"
#include "signing_test_support.hpp"

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clinic_audit::signing;
  namespace store = clinic_audit::store;
  if (argc < 6) {
    std::cerr << "usage: chain_driver STATE_DIR OUT_DIR KEY CERT TIMESTAMP [EXT...]\n";
    return 64;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> exts(args.begin() + 5, args.end());
  if (exts.empty()) exts = {"json", "xml"};
  // A bounded spool logs "SPOOL FULL" on purpose: keep stdout+stderr to the sequence.
  spdlog::set_level(std::getenv("CHAIN_DRIVER_SPOOL_MAX") != nullptr ? spdlog::level::off : spdlog::level::warn);
  try {
    const SigningIdentity identity = SigningIdentity::load(args[2], args[3]);
    store::StoreOptions options;
    options.state_dir = args[0];
    options.reports_dir = args[1];
    options.spool = env_or("CHAIN_DRIVER_SPOOL", "1") == "1";
    options.keep = std::stoul(env_or("CHAIN_DRIVER_KEEP", "100"));
    options.spool_limits.max_reports = std::stoul(env_or("CHAIN_DRIVER_SPOOL_MAX", "1000"));
    const bool ack_all = env_or("CHAIN_DRIVER_ACK_ALL", "0") == "1";
    if (ack_all || env_or("CHAIN_DRIVER_ACK_ONE", "0") == "1") {
      // As `submit` does: recover, spool what waits, deliver oldest first.
      store::Spool spool(store::spool_directory(options.state_dir));
      spool.recover();
      std::ofstream log(env_or("CHAIN_DRIVER_ACK_LOG", "/dev/null"), std::ios::app);
      for (bool more = true; more;) {
        spool.spool_waiting(options.spool_limits);
        for (const auto& entry : spool.entries()) {
          spool.remove(entry);
          log << entry.sequence << "\n" << std::flush;
          if (!ack_all) break;
        }
        more = ack_all && !spool.waiting().empty();
      }
    }
    store::PendingSet set = store::PendingSet::begin(options);
    const std::string id = test::random_uuid();
    std::vector<store::RenderedReport> reports;
    for (const auto& ext : exts)
      reports.push_back({ext, test::sample_report(ext, set.sequence(), set.previous_sha256(), id)});
    set.write("testhost", reports, args[4]);
    try {
      sign_report_set(identity, set.files());
      crash_point("signed");
      set.commit();
    } catch (...) {
      set.discard();
      throw;
    }
    crash_point("committed");
    std::cout << set.sequence() << "\n";
    return 0;
  } catch (const SigningError& error) {
    std::cerr << error.what() << "\n";
    return error.exit_code();
  }
}
