// Test driver for the crash tests: one run of the agent's signing steps, in
// the order the agent performs them (issue #8 item 4):
//   load identity -> ChainState::begin (reserve) -> write reports
//   -> sign them -> commit.
// Usage: chain_driver STATE_DIR OUT_DIR KEY CERT TIMESTAMP [EXT...]
// Prints the run's sequence. CLINIC_AUDIT_CRASH_AT=<step> kills it at a step.
#include <iostream>

#include "atomic_file.hpp"
#include "chain_state.hpp"
#include "crash_point.hpp"
#include "report_files.hpp"
#include "sign_report.hpp"
#include "signing_error.hpp"
#include "signing_test_support.hpp"

int main(int argc, char** argv) {
  using namespace clinic_audit::signing;
  if (argc < 6) {
    std::cerr << "usage: chain_driver STATE_DIR OUT_DIR KEY CERT TIMESTAMP [EXT...]\n";
    return 64;
  }
  const std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<std::string> exts(args.begin() + 5, args.end());
  if (exts.empty()) exts = {"json", "xml"};
  try {
    const SigningIdentity identity = SigningIdentity::load(args[2], args[3]);
    ChainState chain = ChainState::begin(args[0], args[1]);
    std::vector<std::filesystem::path> written;
    const std::string id = test::random_uuid();
    for (const auto& ext : exts) {
      written.push_back(test::report_path(args[1], args[4], ext));
      write_file_atomically(written.back(), test::sample_report(ext, chain.sequence(), chain.previous_sha256(), id), 0644,
                            "report");
    }
    crash_point("reports-written");
    sign_report_set(identity, written);
    crash_point("signed");
    chain.commit(choose_primary(written));
    crash_point("committed");
    std::cout << chain.sequence() << "\n";
    return 0;
  } catch (const SigningError& error) {
    std::cerr << error.what() << "\n";
    return error.exit_code();
  }
}
