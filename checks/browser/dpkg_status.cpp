#include "dpkg_status.hpp"

#include "common/text.hpp"

namespace clinic_audit::browser {
namespace {

std::string_view trim(std::string_view s) { return trim_right(trim_left(s, kBlanks), " \t\r"); }

bool installed(std::string_view status) {
  // "want flag status": the third word is the package's state (dpkg-query(1)).
  const auto last_space = status.rfind(' ');
  return last_space != std::string_view::npos && status.substr(last_space + 1) == "installed";
}

}  // namespace

std::vector<DpkgPackage> installed_packages(std::string_view text) {
  std::vector<DpkgPackage> out;
  DpkgPackage current;
  std::string status;
  auto flush = [&] {
    if (!current.name.empty() && installed(status)) out.push_back(current);
    current = {};
    status.clear();
  };
  int line_number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    ++line_number;
    pos = end == std::string_view::npos ? text.size() + 1 : end + 1;
    if (trim(line).empty()) {
      flush();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // continuation of a multi-line field
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view field = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (field == "Package") {
      current.name = std::string(value);
      current.line = line_number;
    } else if (field == "Version") {
      current.version = std::string(value);
    } else if (field == "Architecture") {
      current.architecture = std::string(value);
    } else if (field == "Status") {
      status = std::string(value);
    }
  }
  flush();
  return out;
}

}  // namespace clinic_audit::browser
