// Over 400 lines: sudo's whole include machinery (plugins/sudoers/file.c,
// sudoers.c: @include/@includedir, the name, owner and mode rules, size and
// depth limits) in one place, so that every skip reason is worded once.
#include "sudoers_includes.hpp"
#include "i18n.hpp"

#include <sys/stat.h>

#include <cctype>
#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>

#include "sudoers_defaults_table.hpp"
#include "sudoers_list_sharing.hpp"

namespace clinic_audit::sudoers {
namespace {

// toke.l MAX_SUDOERS_DEPTH: sudo checks it only when its include stack
// grows (every 16 levels), so the first refused depth is 144.
constexpr std::size_t kMaxDepth = 144;

std::string look_alike_blank(const std::string& text, int line);

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

// Moves the entries of a parsed file into the tree; returns its entries
// with indexes into the tree (includes keep theirs into `parsed.includes`).
std::deque<Entry> move_entries(SudoersTree& tree, ParsedFile& parsed) {
  const auto users = static_cast<std::uint32_t>(tree.user_specs.size());
  const auto aliases = static_cast<std::uint32_t>(tree.aliases.size());
  const auto defaults = static_cast<std::uint32_t>(tree.defaults_entries.size());
  // One by one, each freed as it goes: never the file's entries twice.
  auto move_all = [](auto& from, auto& to) {
    while (!from.empty()) {
      to.push_back(std::move(from.front()));
      from.pop_front();
    }
  };
  move_all(parsed.user_specs, tree.user_specs);
  move_all(parsed.aliases, tree.aliases);
  move_all(parsed.defaults, tree.defaults_entries);
  std::deque<Entry> entries = std::move(parsed.entries);
  for (Entry& e : entries) {
    if (e.kind == Entry::Kind::user_spec) e.index += users;
    else if (e.kind == Entry::Kind::alias) e.index += aliases;
    else if (e.kind == Entry::Kind::defaults) e.index += defaults;
  }
  return entries;
}

class Loader {
 public:
  Loader(const RootFs& fs, const LoadOptions& options, SudoersTree& tree) : fs_(fs), options_(options), tree_(tree) {}

  // Returns false when reading must stop: sudo refuses to run, or the
  // auditor cannot go on (unevaluable recorded in the tree).
  bool read_file(const std::string& path, std::size_t depth, const IncludeDirective* from, bool from_dir) {
    if (tree_.files.size() >= options_.max_files) {
      return unevaluable(from, path,
                         tr("more than {0} sudoers files: over the auditor's limit (sudo reads them all)",
                            options_.max_files));
    }
    std::optional<FileInfo> info;
    std::optional<std::string> text;
    std::string why;
    try {
      info = fs_.stat(path);
      if (!info) {
        why = "unable to open " + path + ": No such file or directory";
      } else if (auto refused = sudo_refuses(*info, false); refused && options_.refuse_insecure_files) {
        why = *refused;
      } else if (info->type == FileType::regular &&
                 static_cast<std::size_t>(info->size) > options_.max_total_bytes - total_bytes_) {
        return unevaluable(from, path,
                           tr("{0} ({1} bytes) takes the sudoers tree over the auditor's limit of {2} MiB; sudo has "
                              "no size limit and reads it",
                              path, info->size, options_.max_total_bytes >> 20));
      } else {
        text = fs_.read_file(path, options_.max_total_bytes - total_bytes_);
      }
    } catch (const FsError& e) {
      // sudo (root) reads what the auditor may not (NFS root_squash, no
      // CAP_DAC_OVERRIDE): unknown content, never judged as absent.
      return unevaluable(from, path, tr("cannot read {0}: {1}", path, e.what()));
    }
    if (!text) {
      if (from_dir) {
        // open_sudoers() failed for a file of an includedir: skipped with a warning.
        ignore({path, why, from->file, from->line});
        return true;
      }
      if (from == nullptr) {
        tree_.fatal = SyntaxError{path, 0, why, 0, {}};
        return false;
      }
      // push_include() failed: sudoerserror(), recovered by sudo.
      error({from->file, from->line, why, 0, {}});
      return true;
    }
    total_bytes_ += text->size();
    ParseResult result = parse_sudoers(*text, path, lists_, &regex_budget_);
    for (auto& e : result.errors) {
      e.hint = look_alike_blank(*text, e.line);
      error(std::move(e));
    }
    text.reset();  // the parse keeps what it needs
    for (auto& r : result.refused_regexes) tree_.unevaluable.push_back(std::move(r));
    const auto index = static_cast<std::uint32_t>(tree_.files.size());
    tree_.files.push_back({result.parsed.file, info->type, info->mode, info->uid, info->gid, {}});
    if (!info->acl_xattr.empty()) tree_.files.back().acl_xattr = std::move(info->acl_xattr);
    // The entries go to the tree; what stays here is the order and the
    // include directives, read where they appear (push_include() switches
    // the lexer).
    const std::deque<Entry> entries = move_entries(tree_, result.parsed);
    const std::vector<IncludeDirective> includes = std::move(result.parsed.includes);
    result = ParseResult{};
    for (const Entry& entry : entries) {
      if (entry.kind != Entry::Kind::include) {
        tree_.order.push_back({index, entry});
        continue;
      }
      const IncludeDirective& directive = includes[entry.index];
      const std::string target = expand(directive.path, path);
      if (depth + 1 >= kMaxDepth) {
        error({directive.file, directive.line, target + ": too many levels of includes", 0, {}});
        continue;
      }
      if (target.empty()) {
        error({directive.file, directive.line, "empty include path", 0, {}});
        continue;
      }
      const bool ok = directive.directory ? read_dir(target, depth + 1, directive)
                                          : read_file(target, depth + 1, &directive, false);
      if (!ok) return false;
    }
    return true;
  }

 private:
  bool read_dir(const std::string& dir, std::size_t depth, const IncludeDirective& from) {
    std::optional<FileInfo> info;
    std::vector<DirEntry> entries;
    try {
      info = fs_.stat(dir);
      if (!info) return true;  // sudoers(5): a missing includedir is not an error
      if (auto refused = sudo_refuses(*info, true)) {
        ignore({dir, *refused + "; sudo skips the whole directory", from.file, from.line});
        return true;
      }
      entries = fs_.list_dir(dir);  // byte order, as sudo's qsort(strcmp)
    } catch (const FsError& e) {
      return unevaluable(&from, dir, tr("cannot read {0}: {1}", dir, e.what()));
    }
    // The names packed end to end while the files are read: 100,000
    // DirEntry (40 bytes each, and a vector grown by doubling) are freed
    // before the tree grows (issue #20 item 4).
    std::string names;
    std::vector<std::pair<std::uint32_t, FileType>> starts;  // offset in `names`, type
    starts.reserve(entries.size() + 1);
    for (const auto& entry : entries) {
      starts.emplace_back(static_cast<std::uint32_t>(names.size()), entry.type);
      names += entry.name;
    }
    starts.emplace_back(static_cast<std::uint32_t>(names.size()), FileType::unknown);
    std::vector<DirEntry>().swap(entries);
    for (std::size_t i = 0; i + 1 < starts.size(); ++i) {
      const DirEntry entry{names.substr(starts[i].first, starts[i + 1].first - starts[i].first), starts[i].second};
      const std::string path = dir + "/" + entry.name;
      if (entry.name.find('.') != std::string::npos || entry.name.back() == '~') {
        ignore({path, N_("name contains '.' or ends in '~': sudo skips it in an @includedir"), from.file, from.line,
                false});
        continue;
      }
      // switch_dir() keeps regular files only (stat() follows symlinks).
      if (entry.type != FileType::regular) {
        std::optional<FileInfo> target;
        try {
          target = fs_.stat(path);
        } catch (const FsError& e) {
          return unevaluable(&from, path, tr("cannot read {0}: {1}", path, e.what()));
        }
        if (!target || target->type != FileType::regular) {
          ignore(
              {path, N_("not a regular file"), from.file, from.line, false});  // switch_dir() skips it without a word
          continue;
        }
      }
      if (!read_file(path, depth, &from, true)) return false;
    }
    return true;
  }

  void ignore(IgnoredPath ignored) {
    if (tree_.ignored.size() < kMaxIgnoredKept) tree_.ignored.push_back(std::move(ignored));
    else ++tree_.ignored_omitted;
  }
  void error(SyntaxError e) {
    if (tree_.errors.size() < kMaxErrorsKept) tree_.errors.push_back(std::move(e));
    else ++tree_.errors_omitted;
  }
  bool unevaluable(const IncludeDirective* from, const std::string& path, const std::string& message) {
    if (from != nullptr)
      tree_.unevaluable.push_back(
          {path, 0, message + tr(" (included from {0}:{1})", from->file.str(), from->line), 0, {}});
    else tree_.unevaluable.push_back({path, 0, message, 0, {}});
    return false;
  }

  // toke.l expand_include(): quotes stripped by the lexer, "%h" is the short
  // host name, a relative path is relative to the including file's directory.
  std::string expand(const std::string& path, const std::string& including) const {
    std::string out;
    if (path.empty()) return out;
    if (path[0] != '/') {
      const std::size_t slash = including.rfind('/');
      if (slash != std::string::npos) out = including.substr(0, slash + 1);
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
      if (path[i] == '%' && i + 1 < path.size() && path[i + 1] == 'h') {
        out += options_.short_hostname;
        ++i;
      } else {
        out += path[i];
      }
    }
    return out;
  }

  const RootFs& fs_;
  const LoadOptions& options_;
  SudoersTree& tree_;
  std::size_t total_bytes_ = 0;
  ListSharer lists_;                 // repeated user, host and Runas lists kept once, across files
  RegexCompileBudget regex_budget_;  // regcomp work of the whole tree (common/regex_guard.hpp)
};

// Characters that look like a blank but are not one for sudo (toke.l knows
// only ' ' and '\t'): typical of lines pasted from a web page or a PDF.
std::string look_alike_blank(const std::string& text, int line) {
  static constexpr struct {
    std::string_view bytes;
    const char* name;
  } kLookAlikes[] = {
      {"\xc2\xa0", N_("U+00A0 (no-break space)")},   {"\xe2\x80\xaf", N_("U+202F (narrow no-break space)")},
      {"\xe2\x80\x87", N_("U+2007 (figure space)")}, {"\xe2\x80\x8b", N_("U+200B (zero-width space)")},
      {"\xe2\x80\x89", N_("U+2009 (thin space)")},   {"\xef\xbb\xbf", N_("U+FEFF (byte order mark)")},
      {"\xe2\x80\x83", N_("U+2003 (em space)")},     {"\xe2\x80\x82", N_("U+2002 (en space)")}};
  if (line <= 0) return {};
  std::size_t start = 0;
  for (int n = 1; n < line && start != std::string::npos; ++n) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos || start >= text.size()) return {};
  const std::size_t end = std::min(text.find('\n', start), text.size());
  const std::string_view physical(text.data() + start, end - start);
  std::string out;
  for (std::size_t i = 0; i < physical.size(); ++i) {
    for (const auto& l : kLookAlikes) {
      if (physical.substr(i, l.bytes.size()) == l.bytes) {
        out += std::string(out.empty() ? "" : ", ") +
               tr("line {0} has {1} at column {2} where sudo expects a space or tab", line, _(l.name), i + 1);
        i += l.bytes.size() - 1;
        break;
      }
    }
    if (out.size() > 400) break;
  }
  return out;
}

// sudo_strtonum(): optional blanks, a sign, digits, nothing after; in range.
bool is_integer(const std::string& v, long long low, long long high) {
  std::size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i])) != 0) ++i;
  bool negative = false;
  if (i < v.size() && (v[i] == '+' || v[i] == '-')) negative = v[i++] == '-';
  const std::size_t digits = i;
  long long value = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) != 0) {
    value = value * 10 + (v[i++] - '0');
    if (value > (1LL << 40)) return false;
  }
  if (i == digits || i != v.size()) return false;
  if (negative) value = -value;
  return value >= low && value <= high;
}

// defaults.c store_timespec(): minutes, "[+-]digits[.digits]".
bool is_timespec(const std::string& v) {
  std::size_t i = (!v.empty() && (v[0] == '+' || v[0] == '-')) ? 1 : 0;
  while (i < v.size() && v[i] != '.') {
    if (std::isdigit(static_cast<unsigned char>(v[i++])) == 0) return false;
  }
  if (i < v.size()) ++i;  // '.'
  for (int n = 0; n < 9 && i < v.size(); ++n, ++i) {
    if (std::isdigit(static_cast<unsigned char>(v[i])) == 0) return false;
  }
  return true;
}

// def_data.in: the values each T_TUPLE accepts.
bool is_tuple_value(std::string_view name, const std::string& v) {
  static const std::map<std::string_view, std::vector<std::string_view>> kValues = {
      {"lecture", {"never", "once", "always"}},
      {"listpw", {"never", "any", "all", "always"}},
      {"verifypw", {"never", "all", "any", "always"}},
      {"fdexec", {"never", "digest_only", "always"}},
      {"timestamp_type", {"global", "ppid", "tty", "kernel"}},
      {"log_format", {"sudo", "json"}},
      {"intercept_type", {"dso", "trace"}}};
  const auto found = kValues.find(name);
  if (found == kValues.end()) return true;
  return std::find(found->second.begin(), found->second.end(), v) != found->second.end();
}

// logging.c / sudo_str2logfac(), sudo_str2logpri().
bool is_syslog_facility(const std::string& v) {
  static const std::set<std::string_view> kFacilities = {"authpriv", "auth",   "daemon", "user",   "local0", "local1",
                                                         "local2",   "local3", "local4", "local5", "local6", "local7"};
  return kFacilities.count(v) != 0;
}
bool is_syslog_priority(const std::string& v) {
  static const std::set<std::string_view> kPriorities = {"alert", "crit",   "debug",   "emerg", "err",
                                                         "info",  "notice", "warning", "none"};
  return kPriorities.count(v) != 0;
}

// defaults.c store_rlimit(): "default", "user", "infinity" or a number, one
// value or "soft,hard".
bool is_rlimit(const std::string& v) {
  auto one = [](const std::string& part) {
    return part == "default" || part == "user" || part == "infinity" ||
           (!part.empty() && part.find_first_not_of("0123456789") == std::string::npos && part.size() < 20);
  };
  const std::size_t comma = v.find(',');
  if (comma == std::string::npos) return one(v);
  return one(v.substr(0, comma)) && one(v.substr(comma + 1));
}

// defaults.c parse_default_entry(), for the types whose values visudo checks.
std::optional<std::string> check_setting(const DefaultsEntry::Setting& s) {
  const DefaultDefinition* def = find_default_definition(s.name);
  if (def == nullptr) return "unknown defaults entry \"" + s.name + "\"";
  const bool negated = s.op == '!';
  if (!s.value) {
    if (def->type == DefaultType::flag || def->type == DefaultType::logfac) return std::nullopt;
    if (def->type == DefaultType::tuple && def->boolean) return std::nullopt;
    if (!def->boolean || !negated) return "no value specified for \"" + s.name + "\"";
    return std::nullopt;
  }
  if ((s.op == '+' || s.op == '-') && def->type != DefaultType::list) {
    return std::string("invalid operator \"") + s.op + "=\" for \"" + s.name + "\"";
  }
  const std::string& v = *s.value;
  const std::string invalid = "value \"" + v + "\" is invalid for option \"" + s.name + "\"";
  switch (def->type) {
    case DefaultType::flag: return "option \"" + s.name + "\" does not take a value";
    case DefaultType::integer:
      if (!is_integer(v, INT32_MIN, INT32_MAX)) return invalid;
      break;
    case DefaultType::uint:
      if (!is_integer(v, 0, UINT32_MAX)) return invalid;
      break;
    case DefaultType::timespec:
      if (!is_timespec(v)) return invalid;
      break;
    case DefaultType::timeout:
      if (!parse_timeout(v)) return invalid;
      break;
    case DefaultType::tuple:
      if (!is_tuple_value(def->name, v)) return invalid;
      break;
    case DefaultType::logfac:
      if (!is_syslog_facility(v)) return invalid;
      break;
    case DefaultType::logpri:
      if (!is_syslog_priority(v)) return invalid;
      break;
    case DefaultType::rlimit:
      if (!is_rlimit(v)) return invalid;
      break;
    case DefaultType::mode: {
      if (v.empty() || v.size() > 12 || v.find_first_not_of("01234567") != std::string::npos ||
          std::stoul(v, nullptr, 8) > 0777) {
        return invalid;
      }
      break;
    }
    case DefaultType::string:
      if (def->path && v[0] != '/' && v != "*" && v[0] != '~') {
        return "values for \"" + s.name + "\" must start with a '/'";
      }
      break;
    default: break;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> sudo_refuses(const FileInfo& info, bool directory) {
  const std::string what = info.path + " (owner uid " + std::to_string(info.uid) + ", gid " + std::to_string(info.gid) +
                           ", mode " + octal(info.mode) + ")";
  if (directory ? info.type != FileType::directory : info.type != FileType::regular) {
    return what + (directory ? " is not a directory" : " is not a regular file");
  }
  if (info.uid != 0) return what + " is owned by uid " + std::to_string(info.uid) + ", sudo requires 0";
  if ((info.mode & S_IWOTH) != 0) return what + " is world writable";
  if ((info.mode & S_IWGRP) != 0 && info.gid != 0) {
    return what + " is group writable with gid " + std::to_string(info.gid) + ", sudo requires 0";
  }
  return std::nullopt;
}

void SudoersTree::add_file(LoadedFile file, ParsedFile&& parsed) {
  const auto index = static_cast<std::uint32_t>(files.size());
  files.push_back(std::move(file));
  for (const Entry& e : move_entries(*this, parsed)) {
    if (e.kind != Entry::Kind::include) order.push_back({index, e});
  }
}

SudoersTree load_sudoers(const RootFs& fs, std::string_view main_path, const LoadOptions& options) {
  SudoersTree tree;
  Loader loader(fs, options, tree);
  if (loader.read_file(std::string(main_path), 0, nullptr, false)) {
    for (auto& e : validate_tree(tree)) tree.errors.push_back(std::move(e));
  }
  if (!tree.errors.empty()) tree.error = tree.errors.front();
  return tree;
}

std::vector<SyntaxError> validate_tree(const SudoersTree& tree) {
  std::vector<SyntaxError> out;
  std::set<std::pair<AliasKind, std::string_view>> seen;
  for (const auto& e : tree.order) {
    if (e.entry.kind == Entry::Kind::alias) {
      const Alias& a = tree.alias(e);
      if (!seen.emplace(a.kind, a.name).second) {
        out.push_back({a.file, a.line, "Alias \"" + a.name + "\" already defined", 0, {}});
      }
    } else if (e.entry.kind == Entry::Kind::defaults) {
      const DefaultsEntry& d = tree.defaults(e);
      for (const auto& s : d.settings) {
        if (auto problem = check_setting(s)) out.push_back({d.file, d.line, *problem, 0, {}});
      }
    }
    if (out.size() >= kMaxErrorsKept) break;
  }
  return out;
}

}  // namespace clinic_audit::sudoers
