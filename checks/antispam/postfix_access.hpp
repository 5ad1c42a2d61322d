// How smtpd looks a sender up in a check_sender_access table (access(5),
// Postfix 3.7 smtpd_check.c check_mail_access / check_domain_access), and
// what the action it finds means. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "antispam_common.hpp"
#include "postfix_parser.hpp"

namespace clinic_audit::antispam {

struct AccessKey {
  std::string key;
  bool partial = false;  // only fixed-string tables (hash, texthash, ...) are asked; not regexp/pcre
};

// In order: user+ext@domain (or user@domain), user@domain when a
// recipient_delimiter splits off an extension, the domain and its parents
// ("sub.example.com", then "example.com" when parent_domain_matches_subdomains
// lists smtpd_access_maps, else ".example.com"), then user+ext@ and user@.
std::vector<AccessKey> sender_access_keys(const Sender& sender, bool parent_style,
                                          std::string_view recipient_delimiter);

// postconf -d parent_domain_matches_subdomains on Postfix 3.7 (Debian 12).
inline constexpr std::string_view kPostfixParentDomainDefault =
    "debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,"
    "relay_domains,smtpd_access_maps";

struct AccessHit {
  std::string key;
  std::string value;
  int line = 0;
};
// First key of `keys` present in the table: smtpd stops at the first key
// found, whatever its action (so DUNNO hides parent-domain entries).
std::optional<AccessHit> lookup_fixed(const AccessTable& table, const std::vector<AccessKey>& keys);

enum class AccessAction {
  accept,   // OK, all-numerical, permit: ends this restriction list with "permit"
  reject,   // REJECT, DEFER, 4NN/5NN, reject/defer, DISCARD, HOLD, REDIRECT: the mail is not delivered
  neutral,  // DUNNO, WARN, PREPEND, FILTER, ...: evaluation goes on
};
AccessAction classify_access_value(std::string_view value);

}  // namespace clinic_audit::antispam
