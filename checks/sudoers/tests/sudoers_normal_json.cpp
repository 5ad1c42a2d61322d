#include "sudoers_normal_json.hpp"

#include <algorithm>
#include <sstream>

#include "sudoers/sudoers_defaults_table.hpp"

namespace clinic_audit::sudoers::testing {
namespace {

using nlohmann::json;

// "#123": sudo_strtoid() refuses negative ids here, cvtsudoers then prints a name.
bool is_id(const std::string& s) {
  return s.size() > 1 && s[0] == '#' && s.find_first_not_of("0123456789", 1) == std::string::npos && s.size() < 12;
}

enum class WordType { command, hostname, runas_group, runas_user, username };

// cvtsudoers_json.c print_member_json_int().
json member_json(const Member& m, WordType type) {
  json value;
  std::string key;
  switch (m.kind) {
    case Member::Kind::all:
      key = type == WordType::command       ? "command"
            : type == WordType::hostname    ? "hostname"
            : type == WordType::runas_group ? "usergroup"
                                            : "username";
      value = "ALL";
      break;
    case Member::Kind::myself:
      key = "username";
      value = "";
      break;
    case Member::Kind::user_group: {
      std::string g = m.name.substr(1);
      key = "usergroup";
      if (!g.empty() && g[0] == ':') {
        g = g.substr(1);
        key = "nonunixgroup";
        if (is_id(g)) {
          key = "nonunixgid";
          value = std::stoll(g.substr(1));
          break;
        }
      } else if (is_id(g)) {
        key = "usergid";
        value = std::stoll(g.substr(1));
        break;
      }
      value = g;
      break;
    }
    case Member::Kind::netgroup:
      key = "netgroup";
      value = m.name.substr(1);
      break;
    case Member::Kind::network:
      key = "networkaddr";
      value = m.name;
      break;
    case Member::Kind::command:
      key = "command";
      value = m.command() + (m.args ? " " + *m.args : "");
      break;
    case Member::Kind::alias:
      key = type == WordType::command    ? "cmndalias"
            : type == WordType::hostname ? "hostalias"
            : type == WordType::username ? "useralias"
                                         : "runasalias";
      value = m.name;
      break;
    case Member::Kind::word:
      if (type == WordType::hostname) key = "hostname";
      else if (type == WordType::runas_group) key = "usergroup";
      else if (type == WordType::command) key = "command";
      else {
        key = "username";
        if (is_id(m.name)) {
          value = std::stoll(m.name.substr(1));
          key = "userid";
          break;
        }
      }
      value = m.name;
      break;
  }
  json out = json::object();
  out[key] = value;
  for (const auto& d : *m.digests) out[d.algorithm] = d.value;
  if (m.negated) out["negated"] = true;
  return out;
}

json list_json(std::span<const Member> list, WordType type) {
  json out = json::array();
  for (const auto& m : list) out.push_back(member_json(m, type));
  return out;
}

json sorted(json array) {
  std::vector<std::string> dumps;
  for (const auto& item : array) dumps.push_back(item.dump());
  std::sort(dumps.begin(), dumps.end());
  json out = json::array();
  for (const auto& d : dumps) out.push_back(json::parse(d));
  return out;
}

// cvtsudoers_json.c print_cmndspec_json(): options, then tags.
json options_json(const CommandSpec& cs) {
  json out = json::array();
  const CommandOptions& o = *cs.options;
  if (o.chroot) out.push_back({{"runchroot", *o.chroot}});
  if (o.cwd) out.push_back({{"runcwd", *o.cwd}});
  if (o.timeout_seconds && *o.timeout_seconds > 0) out.push_back({{"command_timeout", *o.timeout_seconds}});
  if (o.notbefore) out.push_back({{"notbefore", *o.notbefore}});
  if (o.notafter) out.push_back({{"notafter", *o.notafter}});
  auto tag = [&](Tags::Value v, const char* name, bool invert) {
    if (v != Tags::unset) out.push_back({{name, invert ? v == Tags::off : v != Tags::off}});
  };
  tag(cs.tags.nopasswd, "authenticate", true);
  tag(cs.tags.noexec, "noexec", false);
  tag(cs.tags.intercept, "intercept", false);
  tag(cs.tags.send_mail, "send_mail", false);
  tag(cs.tags.setenv, "setenv", false);
  tag(cs.tags.follow, "sudoedit_follow", false);
  tag(cs.tags.log_input, "log_input", false);
  tag(cs.tags.log_output, "log_output", false);
  return sorted(out);
}

json setting_json(const DefaultsEntry::Setting& s) {
  const DefaultDefinition* def = find_default_definition(s.name);
  if (def == nullptr) return json{{s.name, "unknown"}};
  if (def->type == DefaultType::flag || !s.value) return json{{s.name, s.op != '!'}};
  if (def->type == DefaultType::list) {
    json words = json::array();
    std::istringstream in(*s.value);
    std::string word;
    while (in >> word) words.push_back(word);
    return json{{"operation", s.op == '+' ? "list_add" : s.op == '-' ? "list_remove" : "list_assign"}, {s.name, words}};
  }
  return json{{s.name, *s.value}};
}

WordType binding_type(DefaultsEntry::Binding b) {
  switch (b) {
    case DefaultsEntry::Binding::host: return WordType::hostname;
    case DefaultsEntry::Binding::runas: return WordType::runas_user;
    case DefaultsEntry::Binding::command: return WordType::command;
    default: return WordType::username;
  }
}

}  // namespace

// cvtsudoers_json.c cmndspec_continues(): the next Cmnd_Spec is printed in
// the same "Commands" array (under the first one's Runas and options) when
// it wrote no Runas, CWD, CHROOT, ROLE/TYPE of its own and sets no tag that
// differs (TAGS_CHANGED()).
bool tag_changed(Tags::Value before, Tags::Value after) {
  return after != Tags::unset && after != Tags::implied && after != before;
}
bool continues(const CommandSpec& prev, const CommandSpec& next) {
  const unsigned own =
      CommandSpec::kGivenRunas | CommandSpec::kGivenCwd | CommandSpec::kGivenChroot | CommandSpec::kGivenSelinux;
  if ((next.given & own) != 0) return false;
  const Tags& a = prev.tags;
  const Tags& b = next.tags;
  return !(tag_changed(a.follow, b.follow) || tag_changed(a.intercept, b.intercept) ||
           tag_changed(a.log_input, b.log_input) || tag_changed(a.log_output, b.log_output) ||
           tag_changed(a.noexec, b.noexec) || tag_changed(a.nopasswd, b.nopasswd) ||
           tag_changed(a.send_mail, b.send_mail) || tag_changed(a.setenv, b.setenv));
}

json user_spec_rows(const std::vector<const UserSpec*>& specs) {
  json rows = json::array();
  for (const UserSpec* us : specs) {
    for (const auto& priv : us->privileges) {
      const CommandSpec* first = nullptr;
      for (std::size_t i = 0; i < priv.commands.size(); ++i) {
        if (i == 0 || !continues(priv.commands[i - 1], priv.commands[i])) first = &priv.commands[i];
        const CommandSpec& cs = *first;
        json row;
        row["users"] = list_json(us->users, WordType::username);
        row["hosts"] = list_json(priv.hosts, WordType::hostname);
        row["runasusers"] = cs.runas_users ? list_json(*cs.runas_users, WordType::runas_user) : json();
        row["runasgroups"] = cs.runas_groups ? list_json(*cs.runas_groups, WordType::runas_group) : json();
        row["options"] = options_json(cs);
        row["selinux"] = cs.options->role && cs.options->type
                             ? json::array({{{"role", *cs.options->role}}, {{"type", *cs.options->type}}})
                             : json();
        row["command"] = member_json(priv.commands[i].command, WordType::command);
        rows.push_back(row);
      }
    }
  }
  return rows;
}

NormalForm normal_form(const SudoersTree& tree) {
  NormalForm out;
  std::vector<const UserSpec*> specs;
  static const char* kinds[] = {"User_Aliases", "Runas_Aliases", "Host_Aliases", "Command_Aliases"};
  for (const auto& e : tree.order) {
    if (e.entry.kind == Entry::Kind::user_spec) specs.push_back(&tree.user_spec(e));
    if (e.entry.kind == Entry::Kind::alias) {
      const Alias& a = tree.alias(e);
      const WordType type = a.kind == AliasKind::user    ? WordType::username
                            : a.kind == AliasKind::runas ? WordType::runas_user
                            : a.kind == AliasKind::host  ? WordType::hostname
                                                         : WordType::command;
      out.aliases[kinds[static_cast<int>(a.kind)]][a.name] = list_json(a.members, type);
    }
    if (e.entry.kind == Entry::Kind::defaults) {
      const DefaultsEntry& d = tree.defaults(e);
      for (const auto& s : d.settings) {
        json row;
        row["binding"] =
            d.binding == DefaultsEntry::Binding::global ? json() : list_json(d.bound_to, binding_type(d.binding));
        row["option"] = setting_json(s);
        out.defaults.push_back(row);
      }
    }
  }
  out.user_specs = user_spec_rows(specs);
  return out;
}

namespace {
// A line `"key": value` (not a plain string element of an array).
bool is_bare_pair(const std::string& body) {
  if (body.empty() || body[0] != '"') return false;
  std::size_t i = 1;
  while (i < body.size() && body[i] != '"') i += body[i] == '\\' ? 2u : 1u;
  return body.compare(i + 1, 2, ": ") == 0;
}
}  // namespace

std::string repair_cvtsudoers_json(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  std::string out;
  std::vector<char> stack;
  while (std::getline(in, line)) {
    const std::size_t first = line.find_first_not_of(" \t");
    std::string body = first == std::string::npos ? "" : line.substr(first);
    if (!body.empty() && (body[0] == ']' || body[0] == '}') && !stack.empty()) stack.pop_back();
    if (!stack.empty() && stack.back() == '[' && is_bare_pair(body) && body.back() != '[' && body.back() != '{') {
      const bool comma = body.back() == ',';
      if (comma) body.pop_back();
      body = "{ " + body + " }" + (comma ? "," : "");
    }
    if (!body.empty() && (body.back() == '[' || body.back() == '{')) stack.push_back(body.back());
    out += line.substr(0, first == std::string::npos ? 0 : first) + body + "\n";
  }
  return out;
}

NormalForm normal_form_from_cvtsudoers(const std::string& output) {
  NormalForm out;
  // cvtsudoers prints nothing at all when a filter leaves nothing.
  if (output.find_first_not_of(" \t\n") == std::string::npos) return out;
  const json doc = json::parse(repair_cvtsudoers_json(output));
  for (const auto& us : doc.value("User_Specs", json::array())) {
    for (const auto& cs : us.at("Cmnd_Specs")) {
      for (const auto& command : cs.at("Commands")) {
        json row;
        row["users"] = us.at("User_List");
        row["hosts"] = us.at("Host_List");
        row["runasusers"] = cs.value("runasusers", json());
        row["runasgroups"] = cs.value("runasgroups", json());
        row["options"] = sorted(cs.value("Options", json::array()));
        row["selinux"] = cs.value("SELinux_Spec", json());
        row["command"] = command;
        out.user_specs.push_back(row);
      }
    }
  }
  for (const auto& d : doc.value("Defaults", json::array())) {
    for (const auto& option : d.at("Options")) {
      out.defaults.push_back({{"binding", d.value("Binding", json())}, {"option", option}});
    }
  }
  for (const char* kind : {"User_Aliases", "Runas_Aliases", "Host_Aliases", "Command_Aliases"}) {
    if (doc.contains(kind)) out.aliases[kind] = doc.at(kind);
  }
  return out;
}

}  // namespace clinic_audit::sudoers::testing
