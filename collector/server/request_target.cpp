#include "request_target.hpp"

#include <algorithm>
#include <cctype>

namespace clinic_audit::collector {

std::string origin_form(std::string_view target) {
  for (std::string_view scheme : {"https://", "http://"}) {
    const std::string_view head = target.substr(0, scheme.size());
    if (!std::equal(head.begin(), head.end(), scheme.begin(), scheme.end(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; })) {
      continue;
    }
    const std::string_view rest = target.substr(scheme.size());
    const auto path = rest.find_first_of("/?");
    if (path == std::string_view::npos) return "/";
    return (rest[path] == '?' ? "/" : "") + std::string(rest.substr(path));
  }
  return std::string(target);
}

}  // namespace clinic_audit::collector
