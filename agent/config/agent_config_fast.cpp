#include "agent_config_fast.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace clinic_audit {
namespace {

using xml::XmlAttribute;
using xml::XmlElement;

bool lower_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// [a-z_][a-z0-9_]* (agent-config.xsd, type variable/@name)
bool variable_name(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return lower_or_digit(c) || c == '_'; });
}

// [a-z0-9][a-z0-9._-]* (type waiver/@check)
bool check_id(std::string_view s) {
  if (s.empty() || !lower_or_digit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return lower_or_digit(c) || c == '.' || c == '_' || c == '-'; });
}

// xs:date written YYYY-MM-DD, years 1000-9999, no time zone (XSD part 2
// §3.2.9; the day must exist in its month, leap years as in the Gregorian
// calendar, as libxml2's xmlschemastypes.c VALID_MDAY checks).
bool plain_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || s[0] == '0') return false;
  for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (!digit(s[i])) return false;
  }
  const int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int month = (s[5] - '0') * 10 + (s[6] - '0');
  const int day = (s[8] - '0') * 10 + (s[9] - '0');
  if (month < 1 || month > 12 || day < 1) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

// xs:positiveInteger in [minimum, maximum], written [1-9][0-9]*.
bool plain_number(std::string_view s, std::uint64_t minimum, std::uint64_t maximum) {
  if (s.empty() || s.size() > 15 || s[0] == '0' || !std::all_of(s.begin(), s.end(), digit)) return false;
  std::uint64_t value = 0;
  for (char c : s) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value >= minimum && value <= maximum;
}

// xs:anyURI written http(s)://host[:port][/path]: host letters, digits, '.'
// and '-'; path letters, digits and "._~/-" (no '%', query or fragment).
bool plain_url(std::string_view s) {
  std::size_t at = 0;
  if (s.starts_with("https://")) {
    at = 8;
  } else if (s.starts_with("http://")) {
    at = 7;
  } else {
    return false;
  }
  const std::size_t host = at;
  auto host_char = [](char c) { return lower_or_digit(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '-'; };
  while (at < s.size() && host_char(s[at])) ++at;
  if (at == host) return false;
  if (at < s.size() && s[at] == ':') {
    const std::size_t port = ++at;
    while (at < s.size() && digit(s[at])) ++at;
    if (at == port || at - port > 5) return false;
  }
  auto path_char = [&](char c) { return host_char(c) || c == '_' || c == '~' || c == '/'; };
  if (at < s.size() && s[at] != '/') return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(at), s.end(), path_char);
}

bool xml_space_only(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// Every attribute of `element` is unprefixed, named in `allowed`, and those
// in `required` are present (the subset already refused duplicates).
bool attributes_among(const XmlElement& element, std::initializer_list<std::string_view> allowed,
                      std::initializer_list<std::string_view> required = {}) {
  for (const XmlAttribute& attribute : element.attributes) {
    if (!attribute.ns.empty() || std::find(allowed.begin(), allowed.end(), attribute.name) == allowed.end())
      return false;
  }
  return std::all_of(required.begin(), required.end(), [&](std::string_view name) {
    return std::any_of(element.attributes.begin(), element.attributes.end(),
                       [&](const XmlAttribute& attribute) { return attribute.name == name; });
  });
}

const std::string* value_of(const XmlElement& element, std::string_view name) {
  for (const XmlAttribute& attribute : element.attributes) {
    if (attribute.name == name) return &attribute.value;
  }
  return nullptr;
}

// An optional number attribute within its schema bounds.
bool number_or_absent(const XmlElement& element, std::string_view name, std::uint64_t minimum, std::uint64_t maximum) {
  const std::string* value = value_of(element, name);
  return value == nullptr || plain_number(*value, minimum, maximum);
}

bool child_certainly_valid(const XmlElement& child) {
  if (child.ns != kAgentConfigNamespace || !child.children.empty()) return false;
  const std::string_view name = child.name;
  if (name == "policy") return attributes_among(child, {}) && !child.text.empty();
  if (name == "variable") return attributes_among(child, {"name"}, {"name"}) && variable_name(*value_of(child, "name"));
  if (name == "waiver") {
    return attributes_among(child, {"check", "expires"}, {"check", "expires"}) && check_id(*value_of(child, "check")) &&
           plain_date(*value_of(child, "expires"));
  }
  if (name == "language") return attributes_among(child, {}) && (child.text == "fr" || child.text == "en");
  // The rest have empty content: no text at all.
  if (!child.text.empty()) return false;
  if (name == "reports") return attributes_among(child, {"keep"}) && number_or_absent(child, "keep", 1, 100000);
  if (name == "proxy") return attributes_among(child, {"url"}, {"url"}) && plain_url(*value_of(child, "url"));
  if (name == "collector") {
    return attributes_among(child,
                            {"url", "retry-base-ms", "retry-cap-ms", "max-attempts", "max-run-seconds",
                             "timeout-seconds"},
                            {"url"}) &&
           plain_url(*value_of(child, "url")) && number_or_absent(child, "retry-base-ms", 1, 3600000) &&
           number_or_absent(child, "retry-cap-ms", 1, 86400000) && number_or_absent(child, "max-attempts", 1, 1000) &&
           number_or_absent(child, "max-run-seconds", 1, 86400) && number_or_absent(child, "timeout-seconds", 1, 600);
  }
  if (name == "spool") {
    return attributes_among(child, {"max-reports", "max-bytes"}) &&
           number_or_absent(child, "max-reports", 1, 1000000) &&
           number_or_absent(child, "max-bytes", 1024, 1099511627776ULL);
  }
  if (name == "signing") return attributes_among(child, {"key", "cert", "chain"});
  return false;
}

}  // namespace

bool agent_config_certainly_valid(const XmlElement& root) {
  if (root.ns != kAgentConfigNamespace || root.name != "agent-config" || !root.attributes.empty()) return false;
  // Element-only content: between the children, white space only.
  if (!xml_space_only(root.own_text)) return false;
  return std::all_of(root.children.begin(), root.children.end(), child_certainly_valid);
}

}  // namespace clinic_audit
