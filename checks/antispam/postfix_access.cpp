#include "postfix_access.hpp"

namespace clinic_audit::antispam {

std::vector<AccessKey> sender_access_keys(const Sender& sender, bool parent_style,
                                          std::string_view recipient_delimiter) {
  std::vector<AccessKey> keys;
  std::string bare_local = sender.local;
  // strip_addr(): the extension starts at the first delimiter character.
  if (!recipient_delimiter.empty()) {
    const std::size_t at = sender.local.find_first_of(recipient_delimiter);
    if (at != std::string::npos && at > 0) bare_local = sender.local.substr(0, at);
  }
  const bool has_extension = bare_local != sender.local;
  keys.push_back({sender.address, false});
  if (has_extension) keys.push_back({bare_local + "@" + sender.domain, true});
  // check_domain_access: the full domain, then parents.
  std::string_view name = sender.domain;
  while (!name.empty()) {
    keys.push_back({std::string(name), true});
    const std::size_t dot = name.find('.', 1);
    if (dot == std::string_view::npos) break;
    name = name.substr(parent_style ? dot + 1 : dot);
  }
  keys.push_back({sender.local + "@", true});
  if (has_extension) keys.push_back({bare_local + "@", true});
  return keys;
}

std::optional<AccessHit> lookup_fixed(const AccessTable& table, const std::vector<AccessKey>& keys) {
  for (const AccessKey& key : keys) {
    if (const AccessEntry* entry = table.find(key.key)) return AccessHit{entry->key, entry->value, entry->line};
  }
  return std::nullopt;
}

AccessAction classify_access_value(std::string_view value) {
  const std::string lower = ascii_lower(trim(value));
  const std::string word = lower.substr(0, lower.find_first_of(" \t,"));
  bool numeric = !word.empty();
  for (char c : word) {
    if (c < '0' || c > '9') numeric = false;
  }
  // access(5): "OK Accept the address etc. that matches the pattern."
  // "all-numerical: An all-numerical result is treated as OK."
  if (word == "ok" || word == "permit" || (numeric && lower == word)) return AccessAction::accept;
  if (word.size() == 3 && (word[0] == '4' || word[0] == '5') && numeric) return AccessAction::reject;
  if (word == "reject" || word == "defer" || word == "defer_if_reject" || word == "discard" || word == "hold" ||
      word == "redirect" || word.rfind("reject_", 0) == 0) {
    return AccessAction::reject;
  }
  return AccessAction::neutral;
}

}  // namespace clinic_audit::antispam
