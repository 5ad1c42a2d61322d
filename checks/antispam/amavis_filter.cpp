// Over 400 lines: the evaluation of amavisd-new's sender maps (run-parts order,
// @whitelist_sender_maps, @score_sender_maps, read_hash files) in
// Amavis::Lookup's order; the lexer and parser are already apart
// (amavis_lexer.cpp, amavis_parser.cpp).
// amavisd-new (Debian 12: 2.13). Its configuration is the files that
// `run-parts --list` names in /usr/share/amavis/conf.d then /etc/amavis/conf.d
// (Amavis::Util::find_config_files), run in that order. A sender is let
// through when @whitelist_sender_maps answers true for it, or when the
// site-wide ('.') part of @score_sender_maps gives it a score at or below the
// whitelist score. Lookups follow Amavis::Lookup: hash tables are asked the
// keys of make_query_keys (address, user@, domain, .domain, parents, "."),
// ACL lists follow lookup_acl (".domain" matches the domain and its
// subdomains, "domain" only itself), new_RE regexps are approximated with
// POSIX extended expressions.
#include <algorithm>
#include <cstdio>
#include <map>

#include "i18n.hpp"
#include "amavis_parser.hpp"
#include "common/shell_quote.hpp"
#include "filters.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr const char* kConfDirs[] = {"/usr/share/amavis/conf.d", "/etc/amavis/conf.d"};

// run-parts(8) default: names made of ASCII letters, digits, '_' and '-'.
bool run_parts_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

struct Where {
  std::string file;
  int line = 0;
};

struct Table {  // a hash table's contents: key -> (value, where)
  std::map<std::string, std::pair<PerlNode, Where>> entries;
};

struct Result {
  PerlNode value;
  Where where;
  std::string key;
};

class Amavis {
 public:
  std::map<std::string, Where> replaced_;
  Amavis(const RootFs& fs, const SenderOptions& options) : fs_(fs), options_(options) {}

  void run_file(const std::string& path, std::string_view text) {
    for (PerlStatement& st : parse_perl_config(text)) {
      if (st.kind == PerlStatement::Kind::assignment) {
        if (st.target.front() == '%') hashes_[st.target] = hash_from_pairs(st.value, {path, st.line}, false);
        // "@x = (\%y, @x)": splice the previous value of a list into itself.
        PerlNode value = flatten(st.value);
        bool splices_itself = false;
        for (const PerlNode& c : st.value.children) splices_itself = splices_itself || c.text == st.target;
        if (auto old = vars_.find(st.target); old != vars_.end() && !splices_itself) {
          replaced_[st.target] = old->second.second;
        } else if (splices_itself) {
          replaced_.erase(st.target);
        }
        vars_[st.target] = std::pair<PerlNode, Where>(std::move(value), Where{path, st.line});
      } else if (st.kind == PerlStatement::Kind::call && st.target == "read_hash" && st.value.children.size() == 2 &&
                 st.value.children[0].kind == PerlNode::Kind::ref) {
        Table t = read_hash(st.value.children[1], {path, st.line});
        Table& into = hashes_[st.value.children[0].text];
        for (auto& [k, v] : t.entries) into.entries.insert({k, v});
      }
    }
  }

  const std::pair<PerlNode, Where>* var(const std::string& name) const {
    auto it = vars_.find(name);
    return it == vars_.end() ? nullptr : &it->second;
  }

  // Amavis::Lookup::lookup over a list of tables: the first defined answer wins.
  std::optional<Result> lookup(const PerlNode& maps, const Where& where) {
    for (const PerlNode& table : maps.children) {
      if (auto r = lookup_one(table, where)) return r;
    }
    return std::nullopt;
  }

  std::vector<Evidence> notes;
  // new_RE patterns that could not be evaluated (refused by the regex guard
  // or by regcomp), in lookup order, with the answer each would give on a
  // match: a lookup that passed one cannot tell whether it answered first.
  struct Unevaluated {
    PerlNode value;
    Evidence where;
  };
  std::vector<Unevaluated> unevaluated;

  // The earlier assignment that the current value of `name` replaced
  // without splicing it in (the last assignment read wins).
  const Where* replaced(const std::string& name) const {
    auto it = replaced_.find(name);
    return it == replaced_.end() ? nullptr : &it->second;
  }

 private:
  PerlNode flatten(const PerlNode& value) {
    if (value.kind != PerlNode::Kind::list) return value;
    PerlNode out = value;
    out.children.clear();
    for (const PerlNode& c : value.children) {
      if (c.kind == PerlNode::Kind::variable && c.text.front() == '@' && vars_.count(c.text)) {
        for (const PerlNode& old : vars_[c.text].first.children) out.children.push_back(old);
      } else {
        out.children.push_back(c);
      }
    }
    return out;
  }

  Table hash_from_pairs(const PerlNode& node, const Where& where, bool fold) {
    Table t;
    for (std::size_t i = 0; i + 1 < node.children.size(); i += 2) {
      const std::string key = fold ? ascii_lower(node.children[i].text) : node.children[i].text;
      t.entries.insert({key, {node.children[i + 1], {where.file, node.children[i].line}}});
    }
    return t;
  }

  // read_hash(FILE) (Amavis::Util): "key [value]" lines, '#' comments, keys
  // lower-cased, a missing value means 1.
  Table read_hash(const PerlNode& file, const Where& where) {
    Table t;
    if (file.kind != PerlNode::Kind::string) {
      notes.push_back({where.file, where.line, _("read_hash with a computed file name"), "a literal file name"});
      return t;
    }
    std::optional<std::string> text;
    try {
      text = fs_.read_file_if_exists(file.text);
    } catch (const std::exception& e) {
      notes.push_back({file.text, std::nullopt, i18n::exception_text(e), _("a readable file")});
    }
    if (!text) {
      notes.push_back({where.file, where.line, "read_hash(" + file.text + "): file missing",
                       _("the file (amavisd-new would refuse to start)")});
      return t;
    }
    int number = 0;
    for (std::string_view line : split_lines(*text)) {
      ++number;
      const std::size_t hash = line.find('#');
      std::string_view content = line.substr(0, hash);
      const std::vector<std::string> words = split_ws(content);
      if (words.empty()) continue;
      PerlNode value{PerlNode::Kind::string,
                     words.size() > 1 ? std::string(trim(content.substr(content.find(words[1])))) : "1",
                     {},
                     number,
                     {}};
      t.entries.insert({ascii_lower(words[0]), {value, {file.text, number}}});
    }
    return t;
  }

  std::vector<std::string> query_keys() const { return query_keys_for(options_.sender); }

 public:
  // All the values a recipient-keyed hash table holds for `recipient`
  // (Amavis::Lookup::lookup_hash with get_all: every query key present, in
  // make_query_keys order), each with its key.
  std::vector<Result> all_matches(const PerlNode& table, const Sender& recipient, const Where& where) {
    std::vector<Result> out;
    const Table* t = nullptr;
    Table inline_table;
    if (table.kind == PerlNode::Kind::hash_ref) {
      inline_table = hash_from_pairs(table, where, false);
      t = &inline_table;
    } else if (table.kind == PerlNode::Kind::ref && table.text.front() == '%') {
      auto it = hashes_.find(table.text);
      if (it != hashes_.end()) t = &it->second;
    }
    if (t == nullptr) {
      notes.push_back({where.file, table.line, _("a @score_sender_maps table that is not a hash"),
                       "a hash keyed by recipient (other kinds are not evaluated)"});
      return out;
    }
    for (const std::string& key : query_keys_for(recipient)) {
      auto it = t->entries.find(key);
      if (it != t->entries.end()) out.push_back(Result{it->second.first, it->second.second, key});
    }
    return out;
  }

 private:
  std::vector<std::string> query_keys_for(const Sender& s) const {
    std::string delimiter = "+";
    if (auto d = var("$recipient_delimiter")) delimiter = d->first.text;
    std::string bare = s.local;
    if (!delimiter.empty()) {
      const std::size_t at = s.local.find_first_of(delimiter);
      if (at != std::string::npos && at > 0) bare = s.local.substr(0, at);
    }
    std::vector<std::string> keys = {s.address};
    if (bare != s.local) keys.push_back(s.local + "@" + s.domain);
    keys.push_back(bare + "@" + s.domain);
    if (bare != s.local) keys.push_back(s.local + "@");
    keys.push_back(bare + "@");
    keys.push_back(s.domain);
    for (std::string d = s.domain;;) {
      keys.push_back("." + d);
      if (d.empty()) break;
      const std::size_t dot = d.find('.');
      d = dot == std::string::npos ? std::string() : d.substr(dot + 1);
    }
    // make_query_keys ends with unique_ref: each key once, first place kept.
    std::vector<std::string> unique;
    for (const std::string& k : keys) {
      if (std::find(unique.begin(), unique.end(), k) == unique.end()) unique.push_back(k);
    }
    return unique;
  }

  std::optional<Result> lookup_table(const Table& table) const {
    for (const std::string& key : query_keys()) {
      auto it = table.entries.find(key);
      if (it != table.entries.end()) return Result{it->second.first, it->second.second, key};
    }
    return std::nullopt;
  }

  std::optional<Result> lookup_acl(const PerlNode& list, const Where& where) const {
    const Sender& s = options_.sender;
    for (const PerlNode& e : list.children) {
      std::string key = e.text;
      bool result = true;
      while (!key.empty() && key.front() == '!') {
        result = !result;
        key.erase(0, 1);
      }
      const std::string k = ascii_lower(key);
      bool found = false;
      if (k.find('@') != std::string::npos) found = k == s.address;
      else if (!k.empty() && k.front() == '.') {
        const std::string d = k.substr(1);
        found = s.domain == d ||
                (s.domain.size() > d.size() && s.domain.compare(s.domain.size() - d.size(), d.size(), d) == 0 &&
                 s.domain[s.domain.size() - d.size() - 1] == '.');
      } else {
        found = s.domain == k;
      }
      if (found) return Result{{PerlNode::Kind::number, result ? "1" : "0", {}, e.line, {}}, {where.file, e.line}, key};
    }
    return std::nullopt;
  }

  std::optional<Result> lookup_re(const PerlNode& call, const Where& where) {
    for (const PerlNode& arg : call.children) {
      const PerlNode* re = &arg;
      PerlNode value{PerlNode::Kind::number, "1", {}, arg.line, {}};
      if (arg.kind == PerlNode::Kind::array_ref && !arg.children.empty()) {
        re = &arg.children[0];
        if (arg.children.size() > 1) value = arg.children[1];
      }
      if (re->kind != PerlNode::Kind::regexp && re->kind != PerlNode::Kind::string) continue;
      std::string why;
      // qr'...'x: blanks and #-comments are not part of the pattern
      // (perlre(1)); not translated, so left undecided.
      const std::optional<bool> matched =
          re->flags.find('x') != std::string::npos
              ? std::nullopt
              : guarded_perl_match(re->text, options_.sender.address, re->flags.find('i') != std::string::npos, why);
      if (!matched) {
        notes.push_back(
            {where.file, re->line, "new_RE pattern " + re->text,
             _("a pattern this check can evaluate (Perl syntax POSIX can express, within the regex guard)")});
        unevaluated.push_back({value, {where.file, re->line, "new_RE pattern " + re->text, ""}});
        continue;
      }
      if (*matched) return Result{value, {where.file, re->line}, re->text};
    }
    return std::nullopt;
  }

  std::optional<Result> lookup_one(const PerlNode& table, const Where& where) {
    switch (table.kind) {
      case PerlNode::Kind::ref: {
        const char sigil = table.text.front();
        if (sigil == '%') {
          auto it = hashes_.find(table.text);
          return it == hashes_.end() ? std::nullopt : lookup_table(it->second);
        }
        if (sigil == '@') {
          auto v = var(table.text);
          return v ? lookup_acl(v->first, v->second) : std::nullopt;
        }
        auto v = var(table.text);  // \$whitelist_sender_re = new_RE(...)
        if (v && v->first.kind == PerlNode::Kind::call && v->first.text == "new_RE")
          return lookup_re(v->first, v->second);
        return std::nullopt;
      }
      case PerlNode::Kind::hash_ref: return lookup_table(hash_from_pairs(table, where, false));
      case PerlNode::Kind::array_ref: return lookup_acl(table, where);
      case PerlNode::Kind::call:
        if (table.text == "read_hash" && !table.children.empty())
          return lookup_table(read_hash(table.children.back(), where));
        if (table.text == "new_RE") return lookup_re(table, where);
        notes.push_back(
            {where.file, table.line, table.text + "(...) lookup table", _("read_hash, new_RE, a hash or a list")});
        return std::nullopt;
      case PerlNode::Kind::string:
      case PerlNode::Kind::number: return Result{table, where, "(constant)"};
      default: return std::nullopt;
    }
  }

  const RootFs& fs_;
  const SenderOptions& options_;
  std::map<std::string, std::pair<PerlNode, Where>> vars_;
  std::map<std::string, Table> hashes_;
};

std::string format_number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

}  // namespace

std::optional<FilterVerdict> evaluate_amavis(const RootFs& fs, const SenderOptions& options) {
  Amavis amavis(fs, options);
  bool found = false;
  for (const char* dir : kConfDirs) {
    auto info = fs.stat(dir);
    if (!info || info->type != FileType::directory) continue;
    found = true;
    for (const DirEntry& e : fs.list_dir(dir)) {
      const std::string path = std::string(dir) + "/" + e.name;
      auto st = fs.stat(path);
      if (!run_parts_name(e.name) || !st || st->type != FileType::regular) continue;
      amavis.run_file(path, fs.read_file(path));
    }
  }
  if (!found) return std::nullopt;
  FilterVerdict verdict;
  verdict.filter = "amavisd-new";
  verdict.evidence = amavis.notes;
  const std::string& addr = options.sender.address;
  // Amavis::Conf defaults: spam checks on, whitelist maps = the legacy tables.
  if (auto bypass = amavis.var("@bypass_spam_checks_maps")) {
    const PerlNode& list = bypass->first;
    if (!list.children.empty() &&
        (list.children[0].kind == PerlNode::Kind::number || list.children[0].kind == PerlNode::Kind::string) &&
        perl_true(list.children[0])) {
      verdict.state = FilterState::not_filtering;
      verdict.summary = tr("amavisd-new does not run spam checks (@bypass_spam_checks_maps = (1) at {0}:{1})",
                           bypass->second.file, bypass->second.line);
      return verdict;
    }
  }
  PerlNode default_maps{PerlNode::Kind::list, "", {}, 0, {}};
  for (const char* name : {"%whitelist_sender", "@whitelist_sender_acl", "$whitelist_sender_re"}) {
    default_maps.children.push_back({PerlNode::Kind::ref, name, {}, 0, {}});
  }
  const auto* maps = amavis.var("@whitelist_sender_maps");
  const Where maps_where = maps ? maps->second : Where{_("(amavisd-new default)"), 0};
  for (const char* name : {"@whitelist_sender_maps", "@score_sender_maps"}) {
    const auto* current = amavis.var(name);
    const Where* lost = amavis.replaced(name);
    if (!current || !lost) continue;
    verdict.evidence.push_back({current->second.file, current->second.line,
                                std::string(name) + " assigned here replaces the assignment at " + lost->file + ":" +
                                    std::to_string(lost->line) + " (read earlier; the last assignment wins)",
                                _("information only")});
  }
  // A pattern this check could not evaluate that the lookup passed before
  // its answer (or without one) might have answered first, differently.
  const auto differs_since = [&amavis](std::size_t mark, const auto& answers_differently) -> const Evidence* {
    for (std::size_t i = mark; i < amavis.unevaluated.size(); ++i) {
      if (answers_differently(amavis.unevaluated[i].value)) return &amavis.unevaluated[i].where;
    }
    return nullptr;
  };
  const auto cannot_tell = [&](const Evidence& pattern, const std::string& maps_name) {
    verdict.state = FilterState::error;
    verdict.summary = tr("amavisd-new: cannot tell what {0} answers for {1}: {2} ({3}:{4}) could not be evaluated",
                         maps_name, addr, pattern.observed, pattern.path, pattern.line.value_or(0));
    return verdict;
  };
  const std::size_t whitelist_mark = amavis.unevaluated.size();
  const auto first_answer = amavis.lookup(maps ? maps->first : default_maps, maps_where);
  const bool first_true = first_answer && perl_true(first_answer->value);
  // With no answer, only a true one would change the verdict (a false one
  // lets the spam checks run, as no answer does).
  const Evidence* whitelist_undecided = differs_since(whitelist_mark, [&](const PerlNode& v) {
    return first_answer ? perl_true(v) != first_true : perl_true(v);
  });
  if (whitelist_undecided && first_true) return cannot_tell(*whitelist_undecided, "@whitelist_sender_maps");
  if (first_answer && !perl_true(first_answer->value)) {
    // Amavis::Lookup::lookup stops at the first defined answer: a false one
    // hides every later whitelisting entry.
    verdict.evidence.push_back(
        {first_answer->where.file, first_answer->where.line,
         "@whitelist_sender_maps key \"" + first_answer->key + "\" => " + first_answer->value.text +
             " answers first, and false: amavisd-new stops there, so no later table is consulted",
         "a true answer (1) as the first one for " + addr});
  }
  if (auto r = first_answer; r && perl_true(r->value)) {
    verdict.state = FilterState::whitelisted;
    verdict.summary = tr("amavisd-new whitelists {0} (@whitelist_sender_maps key \"{1}\")", addr, r->key);
    verdict.evidence.push_back(
        {r->where.file, r->where.line, "@whitelist_sender_maps key \"" + r->key + "\"", _("a whitelisting entry")});
    return verdict;
  }
  // Amavis::SpamControl::white_black_list: @score_sender_maps is looked up
  // by RECIPIENT, asking for all matches (lookup2(1, $recip, ...)): every
  // table of the list, every key of the recipient present in it ("." and
  // ".clinic.example" and "doc@clinic.example" alike); each match is a list
  // of tables asked for the sender (first match wins), and the scores add
  // up. Without a `recipient` parameter, each recipient the maps name is
  // tried (plus any other recipient), and the least favourable sum counts.
  std::size_t evidence_count = 0;
  std::string worst_recipient;
  double score = 0;
  if (const auto* scores = amavis.var("@score_sender_maps")) {
    std::vector<Sender> recipients;
    if (!options.recipient.empty()) {
      if (auto r = parse_sender(options.recipient)) recipients.push_back(*r);
    } else {
      recipients.push_back(*parse_sender("postmaster@recipient.invalid"));
      for (const PerlNode& table : scores->first.children) {
        if (table.kind != PerlNode::Kind::hash_ref) continue;
        for (std::size_t i = 0; i + 1 < table.children.size(); i += 2) {
          const std::string key = ascii_lower(table.children[i].text);
          std::string address;
          if (key == "." || key.empty()) continue;
          if (key.back() == '@') address = key + "recipient.invalid";
          else if (key.find('@') != std::string::npos) address = key;
          else address = "postmaster@" + (key.front() == '.' ? key.substr(1) : key);
          if (auto r = parse_sender(address)) recipients.push_back(*r);
        }
      }
    }
    bool first = true;
    for (const Sender& recipient : recipients) {
      double sum = 0;
      std::vector<Evidence> matched;
      for (const PerlNode& table : scores->first.children) {
        for (const Result& by_recipient : amavis.all_matches(table, recipient, scores->second)) {
          PerlNode list = by_recipient.value;
          if (list.kind == PerlNode::Kind::array_ref) list.kind = PerlNode::Kind::list;
          else {
            PerlNode single = by_recipient.value;
            list = PerlNode{PerlNode::Kind::list, "", {}, by_recipient.value.line, {}};
            list.children.push_back(std::move(single));
          }
          const std::size_t mark = amavis.unevaluated.size();
          auto r = amavis.lookup(list, by_recipient.where);
          const auto number = [](const PerlNode& v) -> std::optional<double> {
            try {
              return std::stod(v.text);
            } catch (const std::exception&) {
              return std::nullopt;
            }
          };
          // What the sum gets: the answer's number, nothing without one
          // (or with a value that is not a number).
          const double added = r ? number(r->value).value_or(0) : 0;
          if (const Evidence* p =
                  differs_since(mark, [&](const PerlNode& v) { return number(v).value_or(0) != added; }))
            return cannot_tell(*p, "@score_sender_maps");
          if (!r || !number(r->value)) continue;
          const double value = added;
          sum += value;
          matched.push_back({r->where.file, r->where.line,
                             "@score_sender_maps for recipient " + recipient.address + " (recipient key \"" +
                                 by_recipient.key + "\" at " + by_recipient.where.file + ":" +
                                 std::to_string(by_recipient.where.line) + "): sender key \"" + r->key + "\" => " +
                                 r->value.text + " (the matches add up)",
                             "a sum at or below " + std::to_string(options.whitelist_score)});
        }
      }
      if (first || sum > score) {
        score = sum;
        if (!first)
          verdict.evidence.erase(verdict.evidence.end() - static_cast<std::ptrdiff_t>(evidence_count),
                                 verdict.evidence.end());
        evidence_count = matched.size();
        for (Evidence& e : matched) verdict.evidence.push_back(std::move(e));
        worst_recipient = recipient.address;
        first = false;
      }
    }
  }
  if (whitelist_undecided && score > options.whitelist_score)
    return cannot_tell(*whitelist_undecided, "@whitelist_sender_maps");
  if (score <= options.whitelist_score) {
    verdict.state = FilterState::whitelisted;
    verdict.summary = options.recipient.empty()
                          ? tr("amavisd-new soft-whitelists {0} (@score_sender_maps adds {1} for every recipient)",
                               addr, format_number(score))
                          : tr("amavisd-new soft-whitelists {0} (@score_sender_maps adds {1} for {2})", addr,
                               format_number(score), options.recipient);
    return verdict;
  }
  verdict.state = FilterState::not_whitelisted;
  verdict.summary =
      worst_recipient.empty()
          ? tr("amavisd-new runs spam checks and neither @whitelist_sender_maps nor @score_sender_maps lets "
               "{0} through (@score_sender_maps adds {1})",
               addr, format_number(score))
          : tr("amavisd-new runs spam checks and neither @whitelist_sender_maps nor @score_sender_maps lets "
               "{0} through (@score_sender_maps adds {1} for recipient {2})",
               addr, format_number(score), worst_recipient);
  // Appended after the file's final "1;" it still works: read_config_file
  // only needs do() to return a defined value, and a list assignment does.
  const std::string line =
      "@whitelist_sender_maps = ({ '." + options.sender.domain + "' => 1 }, @whitelist_sender_maps);";
  const std::string file = "/etc/amavis/conf.d/50-user";
  verdict.remediation_commands.push_back("grep -qxF " + shell_word(line) + " " + file + " || printf '%s\\n' " +
                                         shell_word(line) + " >> " + file);
  verdict.remediation =
      tr("amavisd-new: append `{0}` to {1} ('.domain' keys match the domain and its subdomains), then "
         "reload amavisd-new.",
         line, file);
  return verdict;
}

}  // namespace clinic_audit::antispam
