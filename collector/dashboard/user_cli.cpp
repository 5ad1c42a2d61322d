#include "user_cli.hpp"

#include <termios.h>
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "dashboard_schema.hpp"
#include "fleet_trend.hpp"
#include "users.hpp"

namespace clinic_audit::dashboard {
namespace {

constexpr int kExitUsage = 64;
constexpr int kExitInternal = 70;

// getpass(3) is obsolete: read a line with echo off (termios(3)).
std::string read_hidden(const std::string& prompt, std::ostream& err) {
  err << prompt << std::flush;
  termios saved{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  err << "\n";
  return line;
}

std::string read_password(bool from_stdin, std::istream& in, std::ostream& err) {
  if (from_stdin) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  if (!::isatty(STDIN_FILENO)) throw UserError("standard input is not a terminal: use --password-stdin");
  const auto first = read_hidden("Mot de passe / password: ", err);
  const auto second = read_hidden("Encore / again: ", err);
  if (first != second) throw UserError("the two passwords differ");
  return first;
}

}  // namespace

UserCommand::UserCommand(CLI::App& app) {
  user_ = app.add_subcommand("user", "Dashboard accounts (Argon2id password hashes)");
  user_->require_subcommand(1);
  add_ = user_->add_subcommand("add", "Add a user");
  add_->add_option("NAME", name_, "user name")->required();
  add_->add_option("--role", role_, "viewer (read-only) or admin")
      ->check(CLI::IsMember({"viewer", "admin"}))
      ->capture_default_str();
  add_->add_flag("--password-stdin", password_stdin_, "read the password from the first line of standard input");
  passwd_ = user_->add_subcommand("passwd", "Change a user's password (ends their sessions)");
  passwd_->add_option("NAME", name_, "user name")->required();
  passwd_->add_flag("--password-stdin", password_stdin_, "read the password from the first line of standard input");
  remove_ = user_->add_subcommand("remove", "Remove a user, their sessions and API tokens");
  remove_->add_option("NAME", name_, "user name")->required();
  list_ = user_->add_subcommand("list", "List users and roles");
  token_ = user_->add_subcommand("token", "Print a new API token for scripts (Authorization: Bearer)");
  token_->add_option("NAME", name_, "user name")->required();
}

int UserCommand::run(const std::string& database_url, std::int64_t now, std::istream& in, std::ostream& out,
                     std::ostream& err) {
  try {
    SqlPool pool(database_url, 1);
    pool.with([](SqlConnection& db) { migrate_dashboard(db); });
    Users users(pool);
    if (add_->parsed()) {
      users.add(name_, parse_role(role_).value_or(Role::viewer), read_password(password_stdin_, in, err), now);
      out << "user " << name_ << " added (" << role_ << ")\n";
    } else if (passwd_->parsed()) {
      users.set_password(name_, read_password(password_stdin_, in, err), now);
      out << "password of " << name_ << " changed; their sessions are closed\n";
    } else if (remove_->parsed()) {
      users.remove(name_);
      out << "user " << name_ << " removed\n";
    } else if (list_->parsed()) {
      out << "name\trole\n";
      for (const auto& user : users.list()) out << user.name << "\t" << to_string(user.role) << "\n";
    } else if (token_->parsed()) {
      const auto token = users.create_api_token(name_, now);
      out << "API token for " << name_ << " (shown once; send it as 'Authorization: Bearer TOKEN'):\n" << token << "\n";
    }
    return 0;
  } catch (const UserError& error) {
    err << "clinic-audit-collector: user: " << error.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& error) {
    err << "clinic-audit-collector: user: " << error.what() << "\n";
    return kExitInternal;
  }
}

void migrate_dashboard_database(const std::string& database_url) {
  SqlPool pool(database_url, 1);
  pool.with([](SqlConnection& db) { migrate_dashboard(db); });
  // The first Fleet view after an upgrade would otherwise summarize the
  // stored reports of 90 days (about a minute for 2,000 hosts): done here,
  // once, by `init`.
  const std::int64_t now = std::time(nullptr);
  FleetQueries queries(pool, 3 * 86400);
  FleetTrend trend(pool, queries);
  trend.days(now, 90, queries.snapshot(now));
}

}  // namespace clinic_audit::dashboard
