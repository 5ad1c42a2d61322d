#include "version.hpp"

namespace clinic_audit::browser {

std::optional<std::vector<long>> numeric_version(std::string_view text) {
  // deb-version(7): [epoch:]upstream[-revision]; an epoch is digits then ':'.
  if (const auto colon = text.find(':');
      colon != std::string_view::npos && colon > 0 &&
      text.substr(0, colon).find_first_not_of("0123456789") == std::string_view::npos) {
    text.remove_prefix(colon + 1);
  }
  std::vector<long> parts;
  std::size_t i = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    long n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n < 100000000) n = n * 10 + (text[i] - '0');
      ++i;
    }
    parts.push_back(n);
    if (i + 1 < text.size() && text[i] == '.' && text[i + 1] >= '0' && text[i + 1] <= '9') {
      ++i;
    } else {
      break;
    }
  }
  if (parts.empty()) return std::nullopt;
  return parts;
}

int compare_versions(const std::vector<long>& a, const std::vector<long>& b) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const long x = i < a.size() ? a[i] : 0;
    const long y = i < b.size() ? b[i] : 0;
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

std::string to_string(const std::vector<long>& version) {
  std::string out;
  for (std::size_t i = 0; i < version.size(); ++i) out += (i ? "." : "") + std::to_string(version[i]);
  return out;
}

}  // namespace clinic_audit::browser
