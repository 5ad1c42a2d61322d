#include "discovery.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "apache_config.hpp"
#include "common/text.hpp"

namespace clinic_audit {
namespace {

constexpr std::size_t kMaxDiscoveryRead = 1024 * 1024;

std::string strip_trailing_slashes(std::string value) {
  while (value.size() > 1 && value.back() == '/') value.pop_back();
  return value;
}

Discovered make(const RootFs& fs, std::string value, const std::string& file, int line, std::string kind) {
  Discovered d;
  d.value = strip_trailing_slashes(std::move(value));
  d.path = file;
  d.line = line > 0 ? std::optional<int>(line) : std::nullopt;
  d.source = line > 0 ? file + ":" + std::to_string(line) : file;
  d.kind = std::move(kind);
  d.root_only = only_root_can_change(fs, file);
  return d;
}

// The characters PHP's trim() strips when given no list: " \t\n\r\0\x0B"
// (php.net/manual/en/function.trim.php).
constexpr std::string_view kPhpTrimChars{" \t\n\r\0\x0B", 6};

void note_unread(DiscoveryFindings& out, const std::string& path, const std::string& reason) {
  // FsError's text starts with the resolved path; say the path it was reached by too.
  out.notes.push_back(reason.starts_with(path + ":") ? reason : path + ": " + reason);
  out.unread.push_back({path, reason});
}

void note_unread(DiscoveryFindings& out, const std::vector<UnreadFile>& files) {
  for (const auto& f : files) note_unread(out, f.path, f.reason);
}

// The files sudo reads, in order (sudoers(5): @includedir skips names that
// end in '~' or contain a '.').
std::vector<std::string> sudoers_files(const RootFs& fs, DiscoveryFindings& out) {
  std::vector<std::string> files{"/etc/sudoers"};
  try {
    for (const auto& entry : fs.list_dir("/etc/sudoers.d")) {
      if (entry.name.find('.') != std::string::npos || entry.name.ends_with("~")) continue;
      files.push_back("/etc/sudoers.d/" + entry.name);
    }
  } catch (const FsError& e) {
    if (e.error_number() != ENOENT) note_unread(out, "/etc/sudoers.d", e.what());
  }
  return files;
}

}  // namespace

std::optional<std::string> implausible_path(std::string_view value) {
  if (value.empty()) return "empty";
  if (value.front() != '/') return "not an absolute path";
  if (value.size() > 1024) return "longer than 1024 bytes";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "contains a control character";
    if (std::isspace(u)) return "contains white space";
    if (std::string_view("'\"`$;&|<>(){}[]*?!\\#~^").find(c) != std::string_view::npos) {
      return std::string("contains shell syntax '") + c + "'";
    }
  }
  std::size_t start = 1;
  while (start <= value.size()) {
    std::size_t end = value.find('/', start);
    if (end == std::string_view::npos) end = value.size();
    const auto component = value.substr(start, end - start);
    if (component == "." || component == "..") return "has a '.' or '..' component";
    start = end + 1;
  }
  return std::nullopt;
}

bool only_root_can_change(const RootFs& fs, std::string_view path) {
  try {
    for (const auto& step : fs.walk(path)) {
      // A symlink's own mode means nothing (symlink(7)): who may replace it
      // is decided by the directory holding it, which is a step too.
      if (step.is_symlink_hop || step.info.type == FileType::symlink) continue;
      if (step.info.uid != 0 || (step.info.mode & 022) != 0) return false;
    }
    return true;
  } catch (const FsError&) {
    return false;
  }
}

DiscoveryFindings discover_apache_setenv(const RootFs& fs, std::string_view name) {
  DiscoveryFindings out;
  const ApacheConfig config = read_apache_config(fs, name);
  note_unread(out, config.unreadable);
  for (const auto& line : config.setenv) {
    if (line.name == name) out.values.push_back(make(fs, line.value, line.file, line.line, "Apache configuration"));
  }
  for (const auto& root : config.document_roots) {
    const std::string file = root.path + "/" + config.access_file_name;
    try {
      auto content = fs.read_file_if_exists(file, kMaxDiscoveryRead);
      if (!content) continue;
      for (const auto& line : setenv_lines(file, *content)) {
        if (line.name != name) continue;
        if (!root.htaccess_may_setenv) {
          out.notes.push_back(file + ":" + std::to_string(line.line) + " sets " + line.name +
                              " but Apache ignores it there (AllowOverride " +
                              (root.override_source.empty() ? "None by default" : "at " + root.override_source) +
                              " does not allow FileInfo)");
          continue;
        }
        out.values.push_back(make(fs, line.value, line.file, line.line, ".htaccess"));
      }
    } catch (const FsError& e) {
      if (root.htaccess_may_setenv) {
        note_unread(out, file, e.what());
      } else {
        // Apache takes no SetEnv from it whatever it holds: not a source.
        out.notes.push_back(std::string(e.what()) + " (it could not set the variable anyway: AllowOverride " +
                            (root.override_source.empty() ? "None by default" : "at " + root.override_source) +
                            " does not allow FileInfo)");
      }
    }
  }
  return out;
}

DiscoveryFindings discover_path_file(const RootFs& fs, std::string_view name) {
  DiscoveryFindings out;
  const ApacheConfig config = read_apache_config(fs);
  // A configuration file that could not be read may hold a DocumentRoot.
  note_unread(out, config.unreadable);
  for (const auto& root : config.document_roots) {
    const std::string file = root.path + "/" + std::string(name);
    try {
      auto content = fs.read_file_if_exists(file, 64 * 1024);
      if (!content) continue;
      // index.php: trim(str_replace("\n", '', $homepath)).
      std::string joined;
      for (char c : *content) {
        if (c != '\n') joined += c;
      }
      out.values.push_back(make(fs, std::string(trim(joined, kPhpTrimChars)), file, 1, "MEDSHAKEEHRPATH file"));
    } catch (const FsError& e) {
      note_unread(out, file, e.what());
    }
  }
  return out;
}

DiscoveryFindings discover_sudoers_prefix(const RootFs& fs, std::string_view suffixes) {
  DiscoveryFindings out;
  std::vector<std::string> wanted;
  {
    std::istringstream in{std::string(suffixes)};
    std::string suffix;
    while (in >> suffix) wanted.push_back(suffix);
  }
  for (const auto& file : sudoers_files(fs, out)) {
    std::optional<std::string> content;
    try {
      // sudo reads regular files only, and looks at the type before the
      // content: a FIFO or directory as /etc/sudoers makes it refuse to run
      // ("is not a regular file", "no valid sudoers sources found"), one in
      // sudoers.d is skipped without a word (plugins/sudoers: sudo_secure_file(),
      // toke.l read_dir_files(); checked with sudo 1.9.13). Nothing it holds
      // can grant anything, so it is no source of a value: not "unread".
      if (const auto info = fs.stat(file); info && info->type != FileType::regular) {
        const bool main_file = file == "/etc/sudoers";
        out.notes.push_back(file + " is a " + std::string(to_string(info->type)) + ", not a regular file: sudo " +
                            (main_file ? "refuses to run, so no grant names a value" : "skips it"));
        if (main_file) break;
        continue;
      }
      content = fs.read_file_if_exists(file, kMaxDiscoveryRead);
    } catch (const FsError& e) {
      note_unread(out, file, e.what());
      continue;
    }
    if (!content) continue;
    LineReader lines(*content);
    std::string_view line;
    while (lines.next(line)) {
      const int line_no = lines.number();
      const std::string_view trimmed = trim(line);
      if (trimmed.empty() || trimmed[0] == '#') continue;  // #include lines name no command
      std::string token;
      auto flush = [&] {
        for (const auto& suffix : wanted) {
          if (token.size() > suffix.size() && token[0] == '/' && token.ends_with(suffix)) {
            out.values.push_back(
                make(fs, token.substr(0, token.size() - suffix.size()), file, line_no, "sudoers grant"));
            break;
          }
        }
        token.clear();
      };
      for (char c : trimmed) {
        if (std::isspace(static_cast<unsigned char>(c)) || c == ',' || c == ':' || c == '=' || c == '#') {
          flush();
          if (c == '#') break;
        } else {
          token += c;
        }
      }
      flush();
    }
  }
  return out;
}

DiscoveryFindings discover(const RootFs& fs, const VariableDiscovery& how) {
  if (how.method == "apache-setenv") return discover_apache_setenv(fs, how.name);
  if (how.method == "medshakeehr-pathfile") return discover_path_file(fs, how.name);
  if (how.method == "sudoers-command") return discover_sudoers_prefix(fs, how.paths);
  DiscoveryFindings out;
  if (how.method == "first-existing") {
    std::istringstream paths(how.paths);
    std::string path;
    while (paths >> path) {
      try {
        if (fs.exists(path)) {
          Discovered d;
          d.value = path;
          d.source = "first existing of " + how.paths;
          d.kind = "first existing path";
          d.root_only = true;  // the policy names the candidates
          out.values.push_back(std::move(d));
          break;
        }
      } catch (const FsError& e) {
        // Whether it exists is unknown, so is which candidate comes first.
        note_unread(out, path, e.what());
        break;
      }
    }
  }
  return out;
}

}  // namespace clinic_audit
