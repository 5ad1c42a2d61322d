#include "users.hpp"

#include "passwords.hpp"
#include "tokens.hpp"

namespace clinic_audit::dashboard {
namespace {

User user_from(const SqlRow& row) {
  User user;
  user.name = row.text(0);
  user.role = parse_role(row.text(1)).value_or(Role::viewer);
  user.lang = row.text(2);
  return user;
}

void require_password(const std::string& password) {
  if (const auto problem = password_problem(password); !problem.empty()) throw UserError(problem);
}

}  // namespace

const char* to_string(Role role) { return role == Role::admin ? "admin" : "viewer"; }

std::optional<Role> parse_role(const std::string& text) {
  if (text == "viewer") return Role::viewer;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

std::string user_name_problem(const std::string& name) {
  if (name.empty() || name.size() > 64) return "a user name has 1 to 64 characters";
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
      return "a user name is letters, digits, '.', '_' and '-', starting with a letter or digit";
    }
  }
  return {};
}

void Users::add(const std::string& name, Role role, const std::string& password, std::int64_t now) {
  if (const auto problem = user_name_problem(name); !problem.empty()) throw UserError(problem);
  require_password(password);
  const std::string hash = hash_password(password);
  pool_.with([&](SqlConnection& db) {
    in_transaction(db, [&] {
      if (!db.query("SELECT 1 FROM dashboard_users WHERE name = ?", {name}).empty()) {
        throw UserError("the user " + name + " already exists (use `user passwd`)");
      }
      db.query("INSERT INTO dashboard_users (name, role, password_hash, created_at, password_changed_at)"
               " VALUES (?, ?, ?, ?, ?)",
               {name, std::string(to_string(role)), hash, now, now});
    });
  });
}

void Users::set_password(const std::string& name, const std::string& password, std::int64_t now) {
  require_password(password);
  const std::string hash = hash_password(password);
  pool_.with([&](SqlConnection& db) {
    in_transaction(db, [&] {
      if (db.query("SELECT 1 FROM dashboard_users WHERE name = ?", {name}).empty()) {
        throw UserError("no user named " + name);
      }
      db.query("UPDATE dashboard_users SET password_hash = ?, password_changed_at = ? WHERE name = ?",
               {hash, now, name});
      // A new password ends every open session of that user.
      db.query("DELETE FROM dashboard_sessions WHERE user_name = ?", {name});
    });
  });
}

void Users::remove(const std::string& name) {
  pool_.with([&](SqlConnection& db) {
    in_transaction(db, [&] {
      if (db.query("SELECT 1 FROM dashboard_users WHERE name = ?", {name}).empty()) {
        throw UserError("no user named " + name);
      }
      db.query("DELETE FROM dashboard_sessions WHERE user_name = ?", {name});
      db.query("DELETE FROM dashboard_api_tokens WHERE user_name = ?", {name});
      db.query("DELETE FROM dashboard_users WHERE name = ?", {name});
    });
  });
}

std::vector<User> Users::list() {
  return pool_.with([&](SqlConnection& db) {
    std::vector<User> users;
    for (const auto& row : db.query("SELECT name, role, lang FROM dashboard_users ORDER BY name")) {
      users.push_back(user_from(row));
    }
    return users;
  });
}

std::optional<User> Users::find(const std::string& name) {
  return pool_.with([&](SqlConnection& db) -> std::optional<User> {
    const auto rows = db.query("SELECT name, role, lang FROM dashboard_users WHERE name = ?", {name});
    if (rows.empty()) return std::nullopt;
    return user_from(rows.front());
  });
}

std::optional<User> Users::authenticate(const std::string& name, const std::string& password) {
  if (password.size() > 1024) return std::nullopt;  // bounded hashing cost
  const auto row = pool_.with([&](SqlConnection& db) {
    return db.query("SELECT name, role, lang, password_hash FROM dashboard_users WHERE name = ?", {name});
  });
  if (row.empty()) {
    // Same work as a real check, so timing does not tell which names exist.
    static const std::string dummy = hash_password("not a password of anyone");
    (void)verify_password(password, dummy);
    return std::nullopt;
  }
  if (!verify_password(password, row.front().text(3))) return std::nullopt;
  return user_from(row.front());
}

std::string Users::open_session(const std::string& name, std::int64_t now) {
  const std::string token = random_token();
  pool_.with([&](SqlConnection& db) {
    // Expired sessions of everyone go at each login: the table stays small.
    db.query("DELETE FROM dashboard_sessions WHERE expires_at <= ?", {now});
    db.query("INSERT INTO dashboard_sessions (token_sha256, user_name, created_at, expires_at) VALUES (?, ?, ?, ?)",
             {token_digest(token), name, now, now + kSessionSeconds});
  });
  return token;
}

std::optional<User> Users::session_user(const std::string& token, std::int64_t now) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  return pool_.with([&](SqlConnection& db) -> std::optional<User> {
    const auto rows =
        db.query("SELECT u.name, u.role, u.lang FROM dashboard_sessions s JOIN dashboard_users u ON u.name = s.user_name"
                 " WHERE s.token_sha256 = ? AND s.expires_at > ?",
                 {token_digest(token), now});
    if (rows.empty()) return std::nullopt;
    return user_from(rows.front());
  });
}

void Users::close_session(const std::string& token) {
  pool_.with([&](SqlConnection& db) {
    db.query("DELETE FROM dashboard_sessions WHERE token_sha256 = ?", {token_digest(token)});
  });
}

std::string Users::create_api_token(const std::string& name, std::int64_t now) {
  const std::string token = random_token();
  pool_.with([&](SqlConnection& db) {
    in_transaction(db, [&] {
      if (db.query("SELECT 1 FROM dashboard_users WHERE name = ?", {name}).empty()) {
        throw UserError("no user named " + name);
      }
      db.query("INSERT INTO dashboard_api_tokens (token_sha256, user_name, created_at) VALUES (?, ?, ?)",
               {token_digest(token), name, now});
    });
  });
  return token;
}

std::optional<User> Users::api_token_user(const std::string& token) {
  if (token.empty() || token.size() > 128) return std::nullopt;
  return pool_.with([&](SqlConnection& db) -> std::optional<User> {
    const auto rows = db.query(
        "SELECT u.name, u.role, u.lang FROM dashboard_api_tokens t JOIN dashboard_users u ON u.name = t.user_name"
        " WHERE t.token_sha256 = ?",
        {token_digest(token)});
    if (rows.empty()) return std::nullopt;
    return user_from(rows.front());
  });
}

}  // namespace clinic_audit::dashboard
