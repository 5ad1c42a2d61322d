#include "spamassassin_parser.hpp"

#include <charconv>

#include "antispam_common.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr int kMaxIncludeDepth = 20;  // a loop of includes must end somewhere
constexpr int kMaxFiles = 1000;       // and two includes per file must not make 2^20 reads

// SpamAssassin 4.0 version as the "version" token of `if` sees it.
constexpr double kSaVersion = 4.000001;

std::string first_word(std::string_view& rest) {
  rest = trim(rest);
  std::size_t end = 0;
  while (end < rest.size() && rest[end] != ' ' && rest[end] != '\t') ++end;
  std::string word(rest.substr(0, end));
  rest = trim(rest.substr(end));
  return word;
}

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string sa_canonical_key(std::string_view key) {
  std::string out = ascii_lower(key);
  for (char& c : out) {
    if (c == '-') c = '_';
  }
  // Mail::SpamAssassin::Conf: "aliases => ['whitelist_from'] # backward compatible".
  const auto replace = [&out](std::string_view from, std::string_view to) {
    const std::size_t at = out.find(from);
    if (at != std::string::npos) out.replace(at, from.size(), to);
  };
  replace("whitelist", "welcomelist");
  replace("blacklist", "blocklist");
  return out;
}

std::vector<SaDirective> parse_spamassassin_cf(std::string_view text) {
  std::vector<SaDirective> out;
  int number = 0;
  for (std::string_view raw : split_lines(text)) {
    ++number;
    std::string line;
    line.reserve(raw.size());
    // s/(?<!\\)#.*$//; then s/\\#/#/g
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '#' && (i == 0 || raw[i - 1] != '\\')) break;
      line.push_back(raw[i]);
    }
    for (std::size_t at = line.find("\\#"); at != std::string::npos; at = line.find("\\#", at + 1)) {
      line.erase(at, 1);
    }
    std::string_view rest = trim(line);
    if (rest.empty()) continue;
    SaDirective directive;
    directive.line = number;
    std::string key = first_word(rest);
    if (key == "lang") {
      directive.lang = first_word(rest);
      key = first_word(rest);
      if (key.empty()) continue;
    }
    directive.key = sa_canonical_key(key);
    directive.value = std::string(rest);
    out.push_back(std::move(directive));
  }
  return out;
}

bool sa_address_matches(std::string_view pattern, std::string_view address) {
  std::string lowered = ascii_lower(pattern);
  const std::string addr = ascii_lower(address);
  if (lowered == addr) return true;  // _check_welcomelist: defined $list->{$addr}
  for (char& c : lowered) {
    if (c == '\0' || c == '\\' || c == '(') c = '_';  // add_to_addrlist "paranoia"
  }
  return glob_match(lowered, addr);
}

bool sa_relay_matches(std::string_view wanted, std::string_view relay_name, std::string_view relay_ip) {
  const std::string want = ascii_lower(wanted);
  const std::string have = ascii_lower(relay_name);
  if (want.empty()) return false;
  if (want.front() == '[') {
    const std::size_t close = want.find(']');
    if (close == std::string::npos || relay_ip.empty()) return false;
    std::string ip = want.substr(1, close - 1);
    const std::string rly(relay_ip);
    bool dotted_digits = !ip.empty();
    int dots = 0;
    for (char c : ip) {
      if (c == '.') ++dots;
      else if (c < '0' || c > '9') dotted_digits = false;
    }
    if (!dotted_digits) return false;  // IPv6 and prefix lengths: not evaluated
    if (dots == 3) return ip == rly;
    while (!ip.empty() && ip.back() == '.') ip.pop_back();
    ip.push_back('.');
    return rly.compare(0, ip.size(), ip) == 0;  // classful subnet
  }
  if (have.empty()) return false;
  if (have.size() == want.size()) return have == want;
  return have.size() > want.size() && have.compare(have.size() - want.size(), want.size(), want) == 0 &&
         have[have.size() - want.size() - 1] == '.';
}

void SaConfigBuilder::add_file(const std::string& path, std::string_view text) { apply(path, text, 0); }

std::optional<bool> SaConfigBuilder::evaluate_condition(std::string_view expression) const {
  std::string_view e = trim(expression);
  bool negate = false;
  while (!e.empty() && e.front() == '!') {
    negate = !negate;
    e = trim(e.substr(1));
  }
  if (e.size() >= 2 && e.front() == '(' && e.back() == ')') {
    auto inner = evaluate_condition(e.substr(1, e.size() - 2));
    if (!inner) return std::nullopt;
    return negate != *inner;
  }
  const auto call_argument = [&e](std::string_view name) -> std::optional<std::string> {
    if (e.substr(0, name.size()) != name) return std::nullopt;
    std::string_view rest = trim(e.substr(name.size()));
    if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return std::nullopt;
    return std::string(trim(rest.substr(1, rest.size() - 2)));
  };
  if (auto plugin = call_argument("plugin")) return negate != (config_.plugins.count(*plugin) > 0);
  // can(Mail::SpamAssassin::Conf::feature_*): 4.0 has the welcomelist/blocklist
  // features; compat_* flags are only set by "enable_compat" (not modelled).
  if (auto can = call_argument("can")) {
    if (can->rfind("Mail::SpamAssassin::Conf::feature_", 0) == 0) return !negate;
    if (can->rfind("Mail::SpamAssassin::Conf::compat_", 0) == 0) return negate;
    return std::nullopt;
  }
  if (e.substr(0, 7) == "version") {
    std::string_view rest = trim(e.substr(7));
    std::string op;
    while (!rest.empty() && (rest.front() == '<' || rest.front() == '>' || rest.front() == '=' || rest.front() == '!')) {
      op.push_back(rest.front());
      rest.remove_prefix(1);
    }
    rest = trim(rest);
    double number = 0;
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
    if (ec != std::errc{} || ptr != rest.data() + rest.size()) return std::nullopt;
    bool result = false;
    if (op == ">=") result = kSaVersion >= number;
    else if (op == ">") result = kSaVersion > number;
    else if (op == "<=") result = kSaVersion <= number;
    else if (op == "<") result = kSaVersion < number;
    else if (op == "==") result = kSaVersion == number;  // NOLINT: exact as Perl compares
    else if (op == "!=") result = kSaVersion != number;
    else return std::nullopt;
    return negate != result;
  }
  return std::nullopt;
}

void SaConfigBuilder::apply(const std::string& path, std::string_view text, int depth) {
  ++files_read_;
  struct Frame {
    bool parent_active;
    bool active;
  };
  std::vector<Frame> stack;
  const auto active = [&stack] { return stack.empty() || stack.back().active; };
  for (const SaDirective& d : parse_spamassassin_cf(text)) {
    const SaSource source{path, d.line};
    if (d.key == "endif") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    if (d.key == "ifplugin" || d.key == "if") {
      const bool parent = active();
      std::optional<bool> condition =
          d.key == "ifplugin" ? std::optional<bool>(config_.plugins.count(std::string(trim(d.value))) > 0)
                              : evaluate_condition(d.value);
      if (!condition) {
        config_.notes.push_back({path, d.line, "if " + d.value,
                                 "a condition this check can evaluate; the block is treated as false"});
        condition = false;
      }
      stack.push_back({parent, parent && *condition});
      continue;
    }
    if (d.key == "else") {
      if (!stack.empty()) stack.back().active = stack.back().parent_active && !stack.back().active;
      continue;
    }
    if (d.key == "include") {
      // Conf::Parser handles include before looking at the if-stack, and the
      // included file's "file end" marker clears that stack afterwards.
      std::string target = std::string(trim(d.value));
      if (!target.empty() && target.front() != '/') target = directory_of(path) + "/" + target;
      if (depth >= kMaxIncludeDepth || files_read_ >= kMaxFiles) {
        config_.notes.push_back({path, d.line, "include " + target, "includes nested at most 20 deep, 1000 files in all"});
      } else {
        std::string why;
        if (auto content = loader_(target, &why)) {
          apply(target, *content, depth + 1);
        } else {
          config_.notes.push_back({path, d.line, "include " + target + ": " + why, "a readable file"});
        }
      }
      stack.clear();
      continue;
    }
    if (!active()) continue;
    if (!d.lang.empty() && d.lang.rfind("en", 0) != 0) continue;  // parsed only under that locale
    apply_directive(d, source);
  }
}

void SaConfigBuilder::apply_directive(const SaDirective& d, const SaSource& source) {
  const std::vector<std::string> args = split_ws(d.value);
  const auto add_all = [&](std::map<std::string, SaSource>& list) {
    for (const auto& a : args) list[ascii_lower(a)] = source;
  };
  const auto remove_all = [&](std::map<std::string, SaSource>& list) {
    for (const auto& a : args) list.erase(ascii_lower(a));
  };
  const std::string& k = d.key;
  if (k == "loadplugin") {
    if (!args.empty()) config_.plugins.insert(args.front());
  } else if (k == "welcomelist_from") {
    add_all(config_.welcomelist_from);
  } else if (k == "unwelcomelist_from") {
    remove_all(config_.welcomelist_from);
  } else if (k == "welcomelist_from_rcvd" || k == "def_welcomelist_from_rcvd") {
    // Conf: "unless ($value =~ /^\S+\s+\S+$/) { return $INVALID_VALUE; }"
    if (args.size() != 2) {
      config_.notes.push_back({source.file, source.line, d.key + " " + d.value, "exactly two arguments (ignored by SpamAssassin)"});
      return;
    }
    auto& list = k == "welcomelist_from_rcvd" ? config_.welcomelist_from_rcvd : config_.def_welcomelist_from_rcvd;
    list[ascii_lower(args[0])].push_back({ascii_lower(args[1]), source});
  } else if (k == "unwelcomelist_from_rcvd") {
    for (const auto& a : args) {
      config_.welcomelist_from_rcvd.erase(ascii_lower(a));
      config_.def_welcomelist_from_rcvd.erase(ascii_lower(a));
    }
  } else if (k == "welcomelist_auth") {
    add_all(config_.welcomelist_auth);
  } else if (k == "def_welcomelist_auth") {
    add_all(config_.def_welcomelist_auth);
  } else if (k == "unwelcomelist_auth") {
    remove_all(config_.welcomelist_auth);
    remove_all(config_.def_welcomelist_auth);
  } else if (k == "blocklist_from") {
    add_all(config_.blocklist_from);
  } else if (k == "unblocklist_from") {
    remove_all(config_.blocklist_from);
  } else if (k == "welcomelist_allows_relays") {
    add_all(config_.welcomelist_allows_relays);
  } else if (k == "score" && args.size() >= 2) {
    const std::string rule = args[0];
    if (rule == "USER_IN_WELCOMELIST" || rule == "USER_IN_WHITELIST" || rule == "USER_IN_BLOCKLIST" ||
        rule == "USER_IN_BLACKLIST" || rule == "USER_IN_SPF_WELCOMELIST" || rule == "USER_IN_DKIM_WELCOMELIST") {
      config_.scores[rule] = {args[1], source};
    }
  }
}

}  // namespace clinic_audit::antispam
