// Over 400 lines: SpamAssassin's Conf::Parser as one reader (directives, if/
// endif, include with its budgets, score and list semantics) in one place.
#include "spamassassin_parser.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "antispam_common.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr int kMaxIncludeDepth = 20;  // a loop of includes must end somewhere
constexpr int kMaxFiles = 1000;       // and two includes per file must not make 2^20 reads
// Bytes read through `include` in all (the rules of sa-update's channel,
// included by updates_spamassassin_org.cf, are about 1.6 MB): past it a chain
// of distinct paths ("include x/y" nests a directory per level) stops too.
constexpr std::size_t kMaxIncludedBytes = 16 * 1024 * 1024;

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

// "a/./b.cf" and "a/x/../b.cf" name one file for the loop check.
std::string normal_path(const std::string& path) { return std::filesystem::path(path).lexically_normal().string(); }

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

void SaConfigBuilder::add_unreadable(const std::string& path, const std::string& why) {
  config_.unreadable.push_back({path, std::nullopt, "could not be read: " + why, _("a readable configuration file")});
}

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
  // features; Conf::compat_<flag> exists once "enable_compat <flag>" was read
  // (Debian's init.pre enables welcomelist_blocklist, which drops the
  // USER_IN_WHITELIST compatibility metas of 60_welcomelist.cf).
  if (auto can = call_argument("can")) {
    if (can->rfind("Mail::SpamAssassin::Conf::feature_", 0) == 0) return !negate;
    constexpr std::string_view kCompat = "Mail::SpamAssassin::Conf::compat_";
    if (can->rfind(kCompat, 0) == 0) return negate != (config_.compat.count(can->substr(kCompat.size())) > 0);
    return std::nullopt;
  }
  if (e.substr(0, 7) == "version") {
    std::string_view rest = trim(e.substr(7));
    std::string op;
    while (!rest.empty() &&
           (rest.front() == '<' || rest.front() == '>' || rest.front() == '=' || rest.front() == '!')) {
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
  config_.files_read.insert(path);
  chain_.push_back(normal_path(path));
  struct PopChain {
    std::vector<std::string>& chain;
    ~PopChain() { chain.pop_back(); }
  } pop_chain{chain_};
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
      std::optional<bool> condition = d.key == "ifplugin"
                                          ? std::optional<bool>(config_.plugins.count(std::string(trim(d.value))) > 0)
                                          : evaluate_condition(d.value);
      if (!condition) {
        config_.notes.push_back(
            {path, d.line, "if " + d.value, _("a condition this check can evaluate; the block is treated as false")});
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
      if (std::find(chain_.begin(), chain_.end(), normal_path(target)) != chain_.end()) {
        // Conf::Parser reads an included file again each time (no loop
        // check): SpamAssassin would recurse until it runs out of memory.
        config_.notes.push_back({path, d.line, "include " + target + ": an include loop (the file includes itself)",
                                 _("no include loop (SpamAssassin would never finish reading)")});
      } else if (depth >= kMaxIncludeDepth || files_read_ >= kMaxFiles || included_bytes_ >= kMaxIncludedBytes) {
        config_.notes.push_back(
            {path, d.line, "include " + target, _("includes nested at most 20 deep, 1000 files and 16 MiB in all")});
      } else {
        SaLoaded loaded = loader_(target);
        if (loaded.text) {
          included_bytes_ += loaded.text->size();
          apply(target, *loaded.text, depth + 1);
        } else if (loaded.missing) {
          config_.notes.push_back(
              {path, d.line, "include " + target + ": no such file (SpamAssassin skips it)", _("an existing file")});
        } else {
          config_.unreadable.push_back(
              {target, std::nullopt,
               "included from " + path + ":" + std::to_string(d.line) + ", could not be read: " + loaded.why,
               _("a readable file")});
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
  // Conf::Parser::remove_from_addrlist: the exact pattern is removed; the
  // note names the entry that lost and the line that removed it.
  const auto remove_all = [&](std::map<std::string, SaSource>& list) {
    for (const auto& a : args) {
      auto it = list.find(ascii_lower(a));
      if (it == list.end()) continue;
      config_.notes.push_back({source.file, source.line,
                               d.key + " " + a + " removes the entry of " + it->second.file + ":" +
                                   std::to_string(it->second.line) + " (read later, so it wins)",
                               _("information only")});
      list.erase(it);
    }
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
      config_.notes.push_back(
          {source.file, source.line, d.key + " " + d.value, _("exactly two arguments (ignored by SpamAssassin)")});
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
  } else if (k == "welcomelist_from_spf" || k == "def_welcomelist_from_spf") {
    add_all(k == "welcomelist_from_spf" ? config_.welcomelist_from_spf : config_.def_welcomelist_from_spf);
  } else if (k == "welcomelist_from_dkim" || k == "def_welcomelist_from_dkim") {
    // "welcomelist_from_dkim ADDR [SIGNING-DOMAIN]": one address per line.
    if (!args.empty()) {
      (k == "welcomelist_from_dkim" ? config_.welcomelist_from_dkim
                                    : config_.def_welcomelist_from_dkim)[ascii_lower(args[0])] = source;
    }
  } else if (k == "enable_compat") {
    // Conf.pm: the flag must match /^[a-zA-Z0-9_]{1,128}$/.
    const std::string flag = std::string(trim(d.value));
    if (!flag.empty() && flag.size() <= 128 &&
        flag.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
            std::string::npos) {
      config_.compat.insert(flag);
    }
  } else if (k == "header" || k == "meta") {
    apply_rule_definition(d, source, args);
  } else if (k == "score") {
    apply_score(d, source, args);
  }
}

void SaConfigBuilder::apply_rule_definition(const SaDirective& d, const SaSource& source,
                                            const std::vector<std::string>& args) {
  if (args.size() < 2) return;
  SaRule& rule = config_.rules[args[0]];
  rule.eval_function.clear();
  rule.meta_dependency.clear();
  rule.other_definition = false;
  rule.defined = source;
  std::string_view body = trim(std::string_view(d.value).substr(d.value.find(args[0]) + args[0].size()));
  if (d.key == "header") {
    // header NAME eval:function(args)
    if (body.substr(0, 5) == "eval:") {
      body.remove_prefix(5);
      const std::size_t paren = body.find('(');
      rule.eval_function = std::string(trim(body.substr(0, paren)));
    } else {
      rule.other_definition = true;
    }
    return;
  }
  // meta NAME (OTHER): a single rule name, parentheses around it allowed.
  while (body.size() >= 2 && body.front() == '(' && body.back() == ')') body = trim(body.substr(1, body.size() - 2));
  const bool identifier =
      !body.empty() && body.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
                           std::string_view::npos;
  if (identifier) rule.meta_dependency = std::string(body);
  else rule.other_definition = true;
}

void SaConfigBuilder::apply_score(const SaDirective& d, const SaSource& source, const std::vector<std::string>& args) {
  // Conf.pm "score": a rule name and 1 or 4 scores matching /^-?\d+(?:\.\d+)?$/,
  // each possibly in parentheses (then relative to the score already set);
  // anything else is an invalid line SpamAssassin ignores.
  if (args.size() != 2 && args.size() != 5) {
    config_.notes.push_back({source.file, source.line, "score " + d.value,
                             _("a rule name and 1 or 4 scores (SpamAssassin ignores this line)")});
    return;
  }
  SaScoreLine line;
  line.source = source;
  std::vector<double> values;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string_view v = args[i];
    if (v.size() >= 2 && v.front() == '(' && v.back() == ')') {
      line.relative = true;
      v = v.substr(1, v.size() - 2);
    }
    std::size_t at = v.empty() || v.front() != '-' ? 0 : 1;
    const std::size_t int_start = at;
    while (at < v.size() && v[at] >= '0' && v[at] <= '9') ++at;
    bool valid = at > int_start;
    if (valid && at < v.size() && v[at] == '.') {
      const std::size_t frac_start = ++at;
      while (at < v.size() && v[at] >= '0' && v[at] <= '9') ++at;
      valid = at > frac_start;
    }
    double number = 0;
    if (valid && at == v.size()) {
      auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
      valid = ec == std::errc{} && ptr == v.data() + v.size();
    } else {
      valid = false;
    }
    if (!valid) {
      config_.notes.push_back({source.file, source.line, "score " + d.value,
                               "numeric scores (SpamAssassin ignores this line: '" + std::string(args[i]) + "')"});
      return;
    }
    values.push_back(number);
  }
  for (std::size_t i = 0; i < 4; ++i) line.values[i] = values.size() == 4 ? values[i] : values[0];
  SaRule& rule = config_.rules[args[0]];
  if (line.relative && rule.scores.empty()) {
    config_.notes.push_back({source.file, source.line, "score " + d.value,
                             _("an earlier score for a relative one (SpamAssassin ignores this line)")});
    return;
  }
  rule.scores.push_back(line);
}

}  // namespace clinic_audit::antispam
