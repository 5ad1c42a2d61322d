#include "sudoers_includes.hpp"

#include <sys/stat.h>

#include <cctype>
#include <map>

#include "sudoers_defaults_table.hpp"

namespace clinic_audit::sudoers {
namespace {

// toke.l MAX_SUDOERS_DEPTH: sudo checks it only when its include stack
// grows (every 16 levels), so the first refused depth is 144.
constexpr std::size_t kMaxDepth = 144;

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777u);
  return buf;
}

class Loader {
 public:
  Loader(const RootFs& fs, const LoadOptions& options, SudoersTree& tree) : fs_(fs), options_(options), tree_(tree) {}

  // Returns false when sudo would stop (fatal error recorded in the tree).
  bool read_file(const std::string& path, std::size_t depth, const IncludeDirective* from, bool from_dir) {
    if (tree_.files.size() >= options_.max_files) {
      return fatal(from, "more than " + std::to_string(options_.max_files) + " sudoers files: include loop?");
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
      } else {
        text = fs_.read_file(path);
      }
    } catch (const FsError& e) {
      why = "unable to open " + path + ": " + e.what();
    }
    if (!text) {
      // open_sudoers() failed: a file of an includedir is skipped, an
      // @include or the main file is an error.
      if (from_dir) {
        tree_.ignored.push_back({path, why, from->file, from->line});
        return true;
      }
      return fatal(from, why, path);
    }
    ParseResult result = parse_sudoers(*text, path);
    const std::size_t index = tree_.files.size();
    tree_.files.push_back({path, *info, std::move(result.parsed)});
    if (result.error) {
      tree_.error = result.error;
      return false;
    }
    // Includes are read where they appear (push_include() switches the lexer).
    // tree_.files grows while includes are read: index it, never keep a reference.
    const std::size_t count = tree_.files[index].parsed.entries.size();
    for (std::size_t e = 0; e < count; ++e) {
      const Entry entry = tree_.files[index].parsed.entries[e];
      if (entry.kind != Entry::Kind::include) {
        tree_.order.push_back({index, entry});
        continue;
      }
      const IncludeDirective directive = tree_.files[index].parsed.includes[entry.index];
      if (depth + 1 >= kMaxDepth) return fatal(&directive, path + ": too many levels of includes");
      const std::string target = expand(directive.path, path);
      if (target.empty()) return fatal(&directive, "empty include path");
      const bool ok = directive.directory ? read_dir(target, depth + 1, directive)
                                          : read_file(target, depth + 1, &directive, false);
      if (!ok) return false;
    }
    return true;
  }

 private:
  bool read_dir(const std::string& dir, std::size_t depth, const IncludeDirective& from) {
    std::optional<FileInfo> info;
    try {
      info = fs_.stat(dir);
    } catch (const FsError& e) {
      tree_.ignored.push_back({dir, std::string("cannot be read: ") + e.what(), from.file, from.line});
      return true;
    }
    if (!info) return true;  // sudoers(5): a missing includedir is not an error
    if (auto refused = sudo_refuses(*info, true)) {
      tree_.ignored.push_back({dir, *refused + "; sudo skips the whole directory", from.file, from.line});
      return true;
    }
    std::vector<DirEntry> entries;
    try {
      entries = fs_.list_dir(dir);  // byte order, as sudo's qsort(strcmp)
    } catch (const FsError& e) {
      return fatal(&from, dir + ": " + e.what());
    }
    for (const auto& entry : entries) {
      const std::string path = dir + "/" + entry.name;
      if (entry.name.find('.') != std::string::npos || entry.name.back() == '~') {
        tree_.ignored.push_back({path, "name contains '.' or ends in '~': sudo skips it in an @includedir",
                                 from.file, from.line});
        continue;
      }
      std::optional<FileInfo> target;
      try {
        target = fs_.stat(path);
      } catch (const FsError&) {
      }
      if (!target || target->type != FileType::regular) {
        tree_.ignored.push_back({path, "not a regular file", from.file, from.line});
        continue;
      }
      if (!read_file(path, depth, &from, true)) return false;
    }
    return true;
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

  bool fatal(const IncludeDirective* from, const std::string& message, const std::string& path = {}) {
    if (from != nullptr) tree_.error = SyntaxError{from->file, from->line, message};
    else tree_.error = SyntaxError{path, 0, message};
    return false;
  }

  const RootFs& fs_;
  const LoadOptions& options_;
  SudoersTree& tree_;
};

bool is_integer(const std::string& v, bool allow_negative) {
  std::size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i])) != 0) ++i;
  if (i < v.size() && (v[i] == '+' || (allow_negative && v[i] == '-'))) ++i;
  const std::size_t digits = i;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) != 0) ++i;
  return i > digits && i == v.size() && i - digits < 10;
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
  switch (def->type) {
    case DefaultType::flag: return "option \"" + s.name + "\" does not take a value";
    case DefaultType::integer:
      if (!is_integer(v, true)) return "value \"" + v + "\" is invalid for option \"" + s.name + "\"";
      break;
    case DefaultType::uint:
      if (!is_integer(v, false)) return "value \"" + v + "\" is invalid for option \"" + s.name + "\"";
      break;
    case DefaultType::mode: {
      if (v.empty() || v.find_first_not_of("01234567") != std::string::npos || std::stoul(v, nullptr, 8) > 0777) {
        return "value \"" + v + "\" is invalid for option \"" + s.name + "\"";
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

SudoersTree load_sudoers(const RootFs& fs, std::string_view main_path, const LoadOptions& options) {
  SudoersTree tree;
  Loader loader(fs, options, tree);
  if (loader.read_file(std::string(main_path), 0, nullptr, false) && !tree.error) {
    tree.error = validate_tree(tree);
  }
  return tree;
}

std::optional<SyntaxError> validate_tree(const SudoersTree& tree) {
  std::map<std::pair<AliasKind, std::string>, const Alias*> seen;
  for (const auto& e : tree.order) {
    if (e.entry.kind == Entry::Kind::alias) {
      const Alias& a = tree.alias(e);
      if (!seen.emplace(std::make_pair(a.kind, a.name), &a).second) {
        return SyntaxError{a.file, a.line, "Alias \"" + a.name + "\" already defined"};
      }
    } else if (e.entry.kind == Entry::Kind::defaults) {
      const DefaultsEntry& d = tree.defaults(e);
      for (const auto& s : d.settings) {
        if (auto problem = check_setting(s)) return SyntaxError{d.file, d.line, *problem};
      }
    }
  }
  return std::nullopt;
}

}  // namespace clinic_audit::sudoers
