#include "discovery.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace clinic_audit {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Splits an Apache directive line into words; "double quoted" words keep spaces.
std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
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

std::optional<Discovered> scan(const std::string& file, const std::string& content, std::string_view name) {
  std::istringstream in(content);
  std::string line, logical;
  int line_no = 0, start = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (logical.empty()) start = line_no;
    // Apache joins lines ending in a backslash.
    if (!line.empty() && line.back() == '\\') {
      logical += line.substr(0, line.size() - 1);
      continue;
    }
    logical += line;
    auto words = words_of(logical);
    logical.clear();
    if (words.size() >= 3 && iequals(words[0], "SetEnv") && words[1] == name) {
      std::string value = words[2];
      while (value.size() > 1 && value.back() == '/') value.pop_back();
      return Discovered{value, file + ":" + std::to_string(start)};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Discovered> discover_apache_setenv(const RootFs& fs, std::string_view name) {
  std::vector<std::string> files{"/etc/apache2/apache2.conf"};
  for (const char* dir : {"/etc/apache2/conf-enabled", "/etc/apache2/sites-enabled"}) {
    try {
      for (const auto& entry : fs.list_dir(dir)) {
        if (entry.name.size() > 5 && entry.name.ends_with(".conf")) files.push_back(std::string(dir) + "/" + entry.name);
      }
    } catch (const FsError&) {
      // No such directory: nothing enabled there.
    }
  }
  for (const auto& file : files) {
    try {
      auto content = fs.read_file_if_exists(file, 1024 * 1024);
      if (!content) continue;
      if (auto found = scan(file, *content, name)) return found;
    } catch (const FsError&) {
      // Unreadable or hostile file: discovery is best-effort, the default applies.
    }
  }
  return std::nullopt;
}

std::optional<Discovered> discover(const RootFs& fs, const VariableDiscovery& how) {
  if (how.method == "apache-setenv") return discover_apache_setenv(fs, how.name);
  if (how.method == "first-existing") {
    std::istringstream paths(how.paths);
    std::string path;
    while (paths >> path) {
      try {
        if (fs.exists(path)) return Discovered{path, "first existing of " + how.paths};
      } catch (const FsError&) {
      }
    }
  }
  return std::nullopt;
}

}  // namespace clinic_audit
