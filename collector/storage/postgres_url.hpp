// The password a PostgreSQL URL may carry (postgresql://user:PASSWORD@host/db,
// or ?password=...): never in a message. libpq repeats the whole URL when it
// cannot parse it ("invalid URI query parameter ... in URI: \"...\""), and
// those messages reach the terminal and the journal; the issue (#11 item 8)
// allows no secret in the log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::collector {

// `message` with every occurrence of the URL's password replaced by "***".
inline std::string without_url_password(std::string message, std::string_view url) {
  std::vector<std::string> secrets;
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos) {
    const std::string_view rest = url.substr(scheme + 3);
    const auto at = rest.rfind('@', rest.find_first_of("/?"));
    if (at != std::string_view::npos) {
      const std::string_view credentials = rest.substr(0, at);
      if (const auto colon = credentials.find(':'); colon != std::string_view::npos && colon + 1 < credentials.size())
        secrets.emplace_back(credentials.substr(colon + 1));
    }
  }
  for (std::size_t key = url.find("password="); key != std::string_view::npos; key = url.find("password=", key + 1)) {
    const std::string_view value = url.substr(key + 9, url.find('&', key) - key - 9);
    if (!value.empty()) secrets.emplace_back(value);
  }
  for (const auto& secret : secrets) {
    for (auto found = message.find(secret); found != std::string::npos; found = message.find(secret, found + 3)) {
      message.replace(found, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace clinic_audit::collector
