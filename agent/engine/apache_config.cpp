#include "apache_config.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "common/text.hpp"

namespace clinic_audit {
namespace {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Splits a directive into words as Apache's ap_getword_conf does: "double"
// or 'single' quoted words keep spaces, a backslash escapes the quote.
std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '"' || line[i] == '\'') {
      const char quote = line[i++];
      while (i < line.size() && line[i] != quote) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == quote) ++i;
        word += line[i++];
      }
      ++i;
    } else {
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) word += line[i++];
    }
    out.push_back(std::move(word));
  }
  return out;
}

std::string strip_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// One directive with where it stands.
struct Directive {
  std::vector<std::string> words;
  std::string file;
  int line = 0;
  int vhost = -1;         // index of the enclosing <VirtualHost>, -1 for the server config
  std::string directory;  // enclosing literal <Directory> path, "" when none
  bool in_regex_section = false;
};

// The first word of a directive line, cheaply (no quotes in directive names).
std::string_view head_word(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  std::size_t end = i;
  while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
  return line.substr(i, end - i);
}

// Whether a directive line can matter to discovery, decided before it is
// split into words: a flood of other directives (2,000 enabled files of
// SetEnv lines, issue #20 item 4) must cost a scan, not a tokenization.
// `setenv_filter`: nullopt keeps every SetEnv, else only those naming it
// (a substring test first; the exact name is compared later).
bool may_matter(std::string_view line, const std::optional<std::string_view>& setenv_filter) {
  const std::string_view head = head_word(line);
  if (head.empty() || head[0] == '#' || head[0] == '<') return true;  // sections are tracked
  if (iequals(head, "SetEnv")) {
    return !setenv_filter || (!setenv_filter->empty() && line.find(*setenv_filter) != std::string_view::npos);
  }
  return iequals(head, "AccessFileName") || iequals(head, "DocumentRoot") || iequals(head, "AllowOverride") ||
         iequals(head, "AllowOverrideList");
}

// Logical lines (a trailing backslash joins the next, '#' starts a comment
// line), sections tracked as Apache nests them.
void scan_file(const std::string& file, const std::string& content, int& vhost_counter, std::vector<Directive>& out,
               const std::optional<std::string_view>& setenv_filter = std::nullopt) {
  LineReader lines(content);
  std::string_view line;
  std::string logical;
  int line_no = 0, start = 0;
  int vhost = -1;
  std::vector<std::string> directories;  // stack; "" for a regex section
  while (lines.next(line)) {             // LineReader drops the '\r' of CRLF lines
    line_no = lines.number();
    if (logical.empty()) start = line_no;
    if (!line.empty() && line.back() == '\\') {
      logical += line.substr(0, line.size() - 1);
      continue;
    }
    logical += line;
    if (!may_matter(logical, setenv_filter)) {
      logical.clear();
      continue;
    }
    auto words = words_of(logical);
    logical.clear();
    if (words.empty() || words[0][0] == '#') continue;
    std::string& head = words[0];
    if (head.size() > 1 && head[0] == '<' && head[1] == '/') {
      const std::string name = head.substr(2, head.find('>') - 2);
      if (iequals(name, "VirtualHost")) vhost = -1;
      if ((iequals(name, "Directory") || iequals(name, "DirectoryMatch")) && !directories.empty()) {
        directories.pop_back();
      }
      continue;
    }
    if (head[0] == '<') {
      // "<Directory /x>" or "<Directory" "/x>": the last '>' closes the tag.
      std::string name = head.substr(1);
      if (!name.empty() && name.back() == '>') name.pop_back();
      std::string arg = words.size() > 1 ? words[1] : "";
      if (!arg.empty() && arg.back() == '>') arg.pop_back();
      if (iequals(name, "VirtualHost")) vhost = vhost_counter++;
      if (iequals(name, "Directory")) directories.push_back(arg == "~" ? std::string() : strip_slashes(arg));
      if (iequals(name, "DirectoryMatch")) directories.push_back(std::string());
      continue;
    }
    Directive d;
    d.words = std::move(words);
    d.file = file;
    d.line = start;
    d.vhost = vhost;
    if (!directories.empty()) {
      d.directory = directories.back();
      d.in_regex_section = directories.back().empty();
    }
    out.push_back(std::move(d));
  }
}

bool overrides_allow_setenv(const Directive& d) {
  if (iequals(d.words[0], "AllowOverrideList")) {
    return std::any_of(d.words.begin() + 1, d.words.end(), [](const std::string& w) { return iequals(w, "SetEnv"); });
  }
  // AllowOverride All | None | directive-type... (core.c set_override).
  return std::any_of(d.words.begin() + 1, d.words.end(),
                     [](const std::string& w) { return iequals(w, "All") || iequals(w, "FileInfo"); });
}

std::size_t depth(const std::string& path) {
  return path == "/" ? 0 : static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

bool covers(const std::string& directory, const std::string& path) {
  if (directory == "/") return true;
  return path == directory || (path.size() > directory.size() && path.compare(0, directory.size(), directory) == 0 &&
                               path[directory.size()] == '/');
}

}  // namespace

std::vector<ApacheSetEnv> setenv_lines(const std::string& file, const std::string& content) {
  std::vector<Directive> directives;
  int vhosts = 0;
  scan_file(file, content, vhosts, directives);
  std::vector<ApacheSetEnv> out;
  for (const auto& d : directives) {
    if (d.words.size() >= 3 && iequals(d.words[0], "SetEnv")) out.push_back({d.words[1], d.words[2], d.file, d.line});
  }
  return out;
}

ApacheConfig read_apache_config(const RootFs& fs, std::string_view setenv_name) {
  ApacheConfig config;
  std::vector<std::string> files{"/etc/apache2/apache2.conf"};
  for (const char* dir : {"/etc/apache2/conf-enabled", "/etc/apache2/sites-enabled"}) {
    try {
      for (const auto& entry : fs.list_dir(dir)) {
        if (entry.name.size() > 5 && entry.name.ends_with(".conf"))
          files.push_back(std::string(dir) + "/" + entry.name);
      }
    } catch (const FsError& e) {
      if (e.error_number() != ENOENT) config.unreadable.push_back({dir, e.what()});
    }
  }
  std::vector<Directive> directives;
  int vhosts = 0;
  for (const auto& file : files) {
    try {
      auto content = fs.read_file_if_exists(file, kMaxConfigBytes);
      if (!content) continue;
      config.files_read.push_back(file);
      const std::size_t before = directives.size();
      scan_file(file, *content, vhosts, directives, setenv_name);
      // Keep only what the loops below use: a flood of other directives
      // (2,000 enabled files of SetEnv lines) must not grow memory (issue #20 item 4).
      const auto kept = std::remove_if(directives.begin() + static_cast<std::ptrdiff_t>(before), directives.end(),
                                       [&](const Directive& d) {
                                         if (d.words.empty()) return true;
                                         const std::string& w = d.words[0];
                                         if (iequals(w, "SetEnv"))
                                           return d.words.size() < 2 || d.words[1] != setenv_name;
                                         return !iequals(w, "AccessFileName") && !iequals(w, "DocumentRoot") &&
                                                !iequals(w, "AllowOverride") && !iequals(w, "AllowOverrideList");
                                       });
      directives.erase(kept, directives.end());
    } catch (const FsError& e) {
      config.unreadable.push_back({file, e.what()});
    }
  }
  for (const auto& d : directives) {
    if (d.words.size() >= 3 && iequals(d.words[0], "SetEnv")) {
      config.setenv.push_back({d.words[1], d.words[2], d.file, d.line});
    } else if (d.words.size() >= 2 && iequals(d.words[0], "AccessFileName")) {
      config.access_file_name = d.words[1];
    }
  }
  for (const auto& d : directives) {
    if (d.words.size() < 2 || !iequals(d.words[0], "DocumentRoot")) continue;
    ApacheDocumentRoot root{strip_slashes(d.words[1]), d.file, d.line, false, ""};
    // <Directory> sections of the server config and of the same virtual
    // host, shortest first; within one length, in configuration order.
    std::vector<const Directive*> applicable;
    for (const auto& o : directives) {
      if (o.words.size() < 2 || o.in_regex_section || o.directory.empty()) continue;
      if (!iequals(o.words[0], "AllowOverride") && !iequals(o.words[0], "AllowOverrideList")) continue;
      if (o.vhost != -1 && o.vhost != d.vhost) continue;
      if (covers(o.directory, root.path)) applicable.push_back(&o);
    }
    std::stable_sort(applicable.begin(), applicable.end(),
                     [](const Directive* a, const Directive* b) { return depth(a->directory) < depth(b->directory); });
    bool allow = false, allow_list = false;
    for (const Directive* o : applicable) {
      if (iequals(o->words[0], "AllowOverrideList")) {
        allow_list = overrides_allow_setenv(*o);
      } else {
        allow = overrides_allow_setenv(*o);
      }
      root.override_source = o->file + ":" + std::to_string(o->line);
    }
    root.htaccess_may_setenv = allow || allow_list;
    config.document_roots.push_back(std::move(root));
  }
  return config;
}

}  // namespace clinic_audit
