// Dashboard accounts (issue #13 item 1): local users with a role, Argon2id
// password hashes, browser sessions and API tokens for scripts. What
// `clinic-audit-collector user add|passwd|remove|token` and the login page use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sql.hpp"

namespace clinic_audit::dashboard {

enum class Role { viewer, admin };
const char* to_string(Role role);
std::optional<Role> parse_role(const std::string& text);

struct User {
  std::string name;
  Role role = Role::viewer;
  std::string lang;  // "" = from the browser
};

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A user name is what an admin types: 1-64 of [A-Za-z0-9._-], starting with
// a letter or digit (it appears in logs and pages; no look-alike games).
std::string user_name_problem(const std::string& name);

class Users {
 public:
  static constexpr std::int64_t kSessionSeconds = 8 * 3600;  // a working day

  explicit Users(SqlPool& pool) : pool_(pool) {}

  void add(const std::string& name, Role role, const std::string& password, std::int64_t now);
  void set_password(const std::string& name, const std::string& password, std::int64_t now);
  // Removes the user with its sessions and API tokens.
  void remove(const std::string& name);
  std::vector<User> list();
  std::optional<User> find(const std::string& name);

  // Checks the password; nullopt when the user is unknown or the password
  // wrong (the same cost either way: a dummy hash is verified for unknown names).
  std::optional<User> authenticate(const std::string& name, const std::string& password);

  // A new session; returns the token for the cookie (only its digest is stored).
  std::string open_session(const std::string& name, std::int64_t now);
  std::optional<User> session_user(const std::string& token, std::int64_t now);
  void close_session(const std::string& token);

  // A new API token for scripts (`Authorization: Bearer`), printed once.
  std::string create_api_token(const std::string& name, std::int64_t now);
  std::optional<User> api_token_user(const std::string& token);

 private:
  SqlPool& pool_;
};

}  // namespace clinic_audit::dashboard
