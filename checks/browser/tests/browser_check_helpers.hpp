// Helpers of the browser check tests: the seed's matrix as parameters, a run
// of the check on a fixture root, dpkg stanzas, evidence lookup.
#pragma once

#include <string>

#include "browser/browser_check.hpp"
#include "common/context.hpp"
#include "fixture_root.hpp"

namespace clinic_audit::browser_test {

using testing::FixtureRoot;
using testing::fixture_dir;

class NoCommands final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec&) override { throw CommandError("the browser check runs no command"); }
};

inline Params matrix(bool accept_degraded = false) {
  Params p;
  for (const char* m : {"chrome 45", "firefox 46", "firefox-esr 78", "opera 35", "vivaldi 1"}) p.add("min_version", m);
  p.add("not_listed", "edge");
  p.add("origin", "https://ekermed.telesantebretagne.org");
  p.add("accept_degraded", accept_degraded ? "true" : "false");
  return p;
}

inline Outcome run(const FixtureRoot& r, const Params& p = matrix()) {
  auto check = browser_check_type().create(p);
  RootFs fs(r.path());
  NoCommands runner;
  Context context(fs, runner, {});
  return check->run(context);
}

inline std::string dpkg(const std::string& package, const std::string& version) {
  return "Package: " + package + "\nStatus: install ok installed\nVersion: " + version + "\n\n";
}

inline bool has_evidence(const Outcome& o, const std::string& path, const std::string& observed_part, int line = 0) {
  for (const auto& e : o.evidence) {
    if (e.path == path && e.observed.find(observed_part) != std::string::npos && (!line || e.line == line)) return true;
  }
  return false;
}

}  // namespace clinic_audit::browser_test
