#include "policy_loader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <set>

#include "common/host_file.hpp"
#include "common/text.hpp"
#include "foreach.hpp"
#include "load_error.hpp"
#include "i18n.hpp"
#include "localized_text.hpp"
#include "prevalidated.hpp"
#include "common/sha256.hpp"
#include "xml_document.hpp"

namespace clinic_audit {
namespace {

// Policies are small; a larger file is a mistake or an attack.
constexpr std::size_t kMaxPolicyBytes = 4 * 1024 * 1024;

// XML white space around an element's text or an attribute value (XML 1.0 §2.3).
std::string xml_trim(std::string_view text) { return std::string(trim(text, kXmlSpace)); }

// Collapses the indentation of multi-line XML text into single spaces.
std::string normalize_space(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// <remediation> is either plain prose (a note only) or <command> lines
// followed by an optional <note> (issue #17: commands a technician can paste
// apart from the explanation).
void read_remediation(const XmlNode* node, const std::string& file, CheckDecl& check, std::vector<LoadError>& errors) {
  const auto commands = child_elements(node, "command");
  const auto notes = child_elements(node, "note");
  if (commands.empty() && notes.empty()) {
    check.remediation = xml_trim(text_of(node));
    if (check.remediation.empty()) errors.push_back({file, line_of(node), "empty remediation"});
    return;
  }
  // Text outside <command>/<note> would be lost: refuse it.
  auto squeeze = [](const std::string& text) {
    std::string out;
    for (char c : text) {
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') out += c;
    }
    return out;
  };
  std::string children;
  for (const XmlNode* child : child_elements(node)) children += text_of(child);
  if (squeeze(text_of(node)) != squeeze(children)) {
    errors.push_back({file, line_of(node), "remediation mixes text with <command>/<note>: put the prose in <note>"});
  }
  for (const XmlNode* command : commands) {
    std::string text = xml_trim(text_of(command));
    if (text.find_first_of("\n\r") != std::string::npos) {
      errors.push_back({file, line_of(command), "a remediation <command> is one shell command line (no line break)"});
      continue;
    }
    check.remediation_commands.push_back({std::move(text), line_of(command)});
  }
  if (const XmlNode* note = pick_localized(notes, file, errors)) check.remediation = normalize_space(text_of(note));
}

void read_lists(const XmlNode* root, const std::string& file, Policy& policy, std::vector<LoadError>& errors) {
  std::set<std::string> variables;
  for (const auto& var : policy.variables) variables.insert(var.name);
  for (const XmlNode* node : child_elements(root, "list")) {
    ListDecl list{attribute(node, "name"), {}, line_of(node)};
    if (variables.count(list.name) != 0) {
      errors.push_back({file, list.line, "list '" + list.name + "' has the name of a variable of this policy"});
      continue;
    }
    for (const XmlNode* item : child_elements(node, "item")) list.items.push_back(xml_trim(text_of(item)));
    policy.lists.push_back(std::move(list));
  }
}

// The foreach="VAR" in="LIST" of a <check> or <param>, checked.
struct Loop {
  std::string var;
  const ListDecl* list = nullptr;
};
std::optional<Loop> read_loop(const XmlNode* node, const std::string& file, const Policy& policy,
                              const std::map<std::string, const ListDecl*, std::less<>>& lists,
                              std::vector<LoadError>& errors) {
  const bool has_var = has_attribute(node, "foreach");
  const bool has_list = has_attribute(node, "in");
  if (!has_var && !has_list) return std::nullopt;
  const int line = line_of(node);
  if (has_var != has_list) {
    errors.push_back({file, line, "foreach=\"VARIABLE\" and in=\"LIST\" go together"});
    return std::nullopt;
  }
  Loop loop{attribute(node, "foreach"), nullptr};
  const std::string list_name = attribute(node, "in");
  for (const auto& var : policy.variables) {
    if (var.name == loop.var) {
      errors.push_back({file, line,
                        "foreach variable '" + loop.var + "' is also a variable of this policy (line " +
                            std::to_string(var.line) + "): choose another name"});
      return std::nullopt;
    }
  }
  auto it = lists.find(list_name);
  if (it == lists.end()) {
    std::string known;
    for (const auto& [list, decl] : lists) known += (known.empty() ? "" : ", ") + list;
    errors.push_back({file, line,
                      "foreach over unknown list '" + list_name +
                          "' (lists of this policy: " + (known.empty() ? "none" : known) + ")"});
    return std::nullopt;
  }
  loop.list = it->second;
  return loop;
}

}  // namespace

Policy parse_policy(std::string_view content, const std::filesystem::path& file, const std::filesystem::path& xsd) {
  const std::string name = file.string();
  std::string digest = sha256_hex_of(content);
  // A shipped policy, byte for byte, was validated by the build (issue #19 item 5).
  XmlDocument doc = XmlDocument::load(content, name, xsd,
                                      is_prevalidated_policy(digest) ? XmlDocument::Schema::already_validated
                                                                     : XmlDocument::Schema::validate);
  const XmlNode* root = doc.root();

  Policy policy;
  policy.file = file;
  policy.sha256 = std::move(digest);
  policy.id = attribute(root, "id");
  policy.version = attribute(root, "version");
  std::vector<LoadError> errors;
  // Texts in the output's language (issue #18), else English (localized_text.hpp).
  policy.title = normalize_space(text_of(pick_localized(child_elements(root, "title"), name, errors)));
  policy.description = normalize_space(text_of(pick_localized(child_elements(root, "description"), name, errors)));

  for (const XmlNode* node : child_elements(root, "variable")) {
    VariableDecl var;
    var.name = attribute(node, "name");
    var.default_value = attribute(node, "default");
    var.line = line_of(node);
    if (const XmlNode* d = pick_localized(child_elements(node, "description"), name, errors)) {
      var.description = normalize_space(text_of(d));
    }
    for (const XmlNode* d : child_elements(node, "discover")) {
      VariableDiscovery discovery{attribute(d, "method"), attribute(d, "name"), attribute(d, "paths")};
      if (discovery.method == "apache-setenv" && discovery.name.empty()) {
        errors.push_back({name, line_of(d), "discover method apache-setenv needs a name attribute"});
      }
      if (discovery.method == "medshakeehr-pathfile" && discovery.name.empty()) {
        errors.push_back({name, line_of(d), "discover method medshakeehr-pathfile needs a name attribute"});
      }
      if (discovery.method == "sudoers-command" && discovery.paths.empty()) {
        errors.push_back({name, line_of(d), "discover method sudoers-command needs a paths attribute (suffixes)"});
      }
      if (discovery.method == "first-existing" && discovery.paths.empty()) {
        errors.push_back({name, line_of(d), "discover method first-existing needs a paths attribute"});
      }
      var.discover.push_back(std::move(discovery));
    }
    policy.variables.push_back(std::move(var));
  }

  std::map<std::string, const ListDecl*, std::less<>> lists;
  read_lists(root, name, policy, errors);
  for (const auto& list : policy.lists) lists.emplace(list.name, &list);
  for (const XmlNode* c : child_elements(root, "applies-if")) {
    policy.conditions.push_back({attribute(c, "variable"), attribute(c, "equals"), line_of(c)});
  }

  ForeachBudget budget;
  std::map<std::string, int, std::less<>> id_lines;  // id -> line of its check, for foreach duplicates
  for (const XmlNode* node : child_elements(root, "check")) {
    CheckDecl check;
    check.id = attribute(node, "id");
    check.type = attribute(node, "type");
    check.line = line_of(node);
    check.severity = parse_severity(attribute(node, "severity")).value_or(Severity::info);
    check.timeout_seconds = std::stoi(attribute(node, "timeout_seconds", "30"));
    check.title = normalize_space(text_of(pick_localized(child_elements(node, "title"), name, errors)));
    check.rationale = normalize_space(text_of(pick_localized(child_elements(node, "rationale"), name, errors)));
    const auto remediations = child_elements(node, "remediation");
    const XmlNode* remediation = pick_localized(remediations, name, errors);
    read_remediation(remediation, name, check, errors);
    // Commands do not depend on the language: a prose-only remediation in
    // one language takes them from the other language's element.
    for (const XmlNode* other : remediations) {
      if (!check.remediation_commands.empty() || other == remediation || child_elements(other, "command").empty())
        continue;
      CheckDecl commands_only;
      read_remediation(other, name, commands_only, errors);
      check.remediation_commands = std::move(commands_only.remediation_commands);
    }
    for (const XmlNode* r : child_elements(node, "reference")) {
      check.references.push_back({attribute(r, "seed"), attribute(r, "section")});
    }
    for (const XmlNode* c : child_elements(node, "applies-if")) {
      check.conditions.push_back({attribute(c, "variable"), attribute(c, "equals"), line_of(c)});
    }
    const auto check_loop = read_loop(node, name, policy, lists, errors);
    for (const XmlNode* p : child_elements(node, "param")) {
      RawParam param{attribute(p, "name"), text_of(p), line_of(p)};
      const auto loop = read_loop(p, name, policy, lists, errors);
      if (loop && check_loop && loop->var == check_loop->var) {
        errors.push_back({name, param.line,
                          "foreach variable '" + loop->var + "' is already the check's (line " +
                              std::to_string(check.line) + "): choose another name"});
        continue;
      }
      if (!loop) {
        check.params.push_back(std::move(param));
        continue;
      }
      for (auto& expanded : expand_param(param, loop->var, *loop->list, name, budget, errors)) {
        check.params.push_back(std::move(expanded));
      }
    }
    std::vector<CheckDecl> expanded;
    if (check_loop) {
      expanded = expand_check(check, check_loop->var, *check_loop->list, name, budget, errors);
    } else if (!has_attribute(node, "foreach") && !has_attribute(node, "in")) {
      if (check.id.find("${") != std::string::npos) {
        errors.push_back({name, check.line, "check id '" + check.id + "' holds a ${...} but the check has no foreach"});
        continue;
      }
      expanded.push_back(std::move(check));
    }
    for (auto& one : expanded) {
      // The schema keeps written ids unique; copies can still collide (an id
      // without ${var}, a repeated item, another check's id).
      if (auto [it, fresh] = id_lines.emplace(one.id, one.line); !fresh) {
        errors.push_back({name, one.line,
                          "foreach over list '" + check_loop->list->name + "' gives check id '" + one.id +
                              "' twice (also the check at line " + std::to_string(it->second) + ")"});
        continue;
      }
      policy.checks.push_back(std::move(one));
    }
    if (budget.reported) break;
  }
  if (!errors.empty()) throw LoadFailure(std::move(errors));
  return policy;
}

Policy load_policy_file(const std::filesystem::path& file, const std::filesystem::path& xsd) {
  // Never blocks (`--policy /proc/kmsg`, a FIFO) nor reads more than the cap.
  std::string content;
  try {
    content = read_host_file(file, kMaxPolicyBytes);
  } catch (const HostFileError& e) {
    if (e.error_number() == ENOENT) throw LoadFailure({{file.string(), 0, _("cannot read policy: no such file")}});
    const std::string reason = std::string(e.what()).substr(file.string().size() + 2);
    throw LoadFailure({{file.string(), 0, tr("cannot read policy: {0}", reason)}});
  }
  return parse_policy(content, file, xsd);
}

std::filesystem::path policy_directory() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path build_dir = CA_BUILD_DIR;
  if (!ec) {
    auto rel = self.lexically_relative(build_dir);
    if (!rel.empty() && *rel.begin() != "..") return std::filesystem::path(CA_SOURCE_DIR) / "policies";
  }
  return std::filesystem::path(CA_INSTALL_DATADIR) / "policies";
}

std::filesystem::path locate_policy(std::string_view spec, const std::filesystem::path& dir) {
  const std::string text(spec);
  if (text.find('/') != std::string::npos || (text.size() > 4 && text.ends_with(".xml"))) return text;
  return dir / (text + ".xml");
}

std::vector<std::string> shipped_policy_ids(const std::filesystem::path& dir) {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".xml") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace clinic_audit
