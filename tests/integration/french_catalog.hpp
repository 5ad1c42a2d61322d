// Shared by the French tests (issue #18): the catalog read from po/, the
// detector of catalog messages left in English, UTF-8 validity, the
// environment without language variables, the fixture roots.
#pragma once

#include <cstdlib>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace clinic_audit::testing {

// A fixture root of tests/fixtures/roots (NAME.manifest applied), built in
// this test's own directory; returns its path.
std::string build_root(const std::string& name);

// The environment of one test: no language variable unless the test sets it.
class LanguageEnvironment {
 public:
  LanguageEnvironment() {
    for (const char* name : kNames) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
  }
  ~LanguageEnvironment() {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  LanguageEnvironment(const LanguageEnvironment&) = delete;
  LanguageEnvironment& operator=(const LanguageEnvironment&) = delete;

 private:
  static constexpr const char* kNames[] = {"LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"};
  std::vector<std::pair<std::string, std::string>> saved_;
};

// Well-formed UTF-8 without C0/C1 controls other than TAB, LF, CR.
bool valid_utf8(const std::string& text);

// msgid -> msgstr of po/fr.po (singular forms).
std::map<std::string, std::string> french_catalog();
// Every msgid and msgid_plural of po/clinic-audit.pot.
std::vector<std::string> pot_msgids();
// Catalog messages that appear, in English, in `french_output` (each with
// the piece that was found).
std::vector<std::string> untranslated_in(const std::string& french_output);

// The agent run on a pseudo-terminal (forkpty) with `arguments`: what the
// terminal showed, and how the agent ended (waitpid status).
struct TerminalRun {
  std::string output;
  int wait_status = 0;
};
TerminalRun run_agent_on_terminal(const std::vector<std::string>& arguments);
// Terminal output without its colour escapes (ESC [ ... m) and CRs.
std::string without_colour(const std::string& output);

}  // namespace clinic_audit::testing
