// `clinic-audit-collector user add|passwd|remove|list|token` (DESIGN.md §7,
// issue #13 item 1): dashboard accounts from the command line.
//   user add NAME --role viewer|admin [--password-stdin]
//   user passwd NAME [--password-stdin]
//   user remove NAME
//   user list
//   user token NAME          prints an API token for scripts, once
// Without --password-stdin the password is asked twice on the terminal,
// without echo; with it, the first line of standard input is the password.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace clinic_audit::dashboard {

class UserCommand {
 public:
  explicit UserCommand(CLI::App& app);
  bool selected() const { return user_->parsed(); }
  // Exit code: 0, 64 (usage: bad name, password refused, unknown user), 70.
  int run(const std::string& database_url, std::int64_t now, std::istream& in, std::ostream& out, std::ostream& err);

 private:
  CLI::App* user_;
  CLI::App* add_;
  CLI::App* passwd_;
  CLI::App* remove_;
  CLI::App* list_;
  CLI::App* token_;
  std::string name_;
  std::string role_ = "viewer";
  bool password_stdin_ = false;
};

// Creates or upgrades the dashboard's tables (called by `init`).
void migrate_dashboard_database(const std::string& database_url);

}  // namespace clinic_audit::dashboard
