#include "report_schema_fast.hpp"

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

// Each function mirrors one definition of agent/schemas/report.schema.json
// and answers true only when the value certainly satisfies it. Where the
// schema and valijson could disagree on a corner (a number written 1.0 for
// an integer, an integer beyond int64, which valijson's adapter reads as
// int64), the answer is false ("not sure") and valijson decides.
namespace clinic_audit::signing {

// Update together with this file when report.schema.json changes
// (ReportSchemaFast.DigestIsTheShippedSchemas says so).
const std::string_view kReportSchemaFastDigest = "5672e9f2c434ff903feb41e7d8a4de6e9d1b7aef5310dead82212207168781f8";

namespace {

using nlohmann::json;

bool is_string(const json& value) { return value.is_string(); }

bool non_empty(const json& value) { return value.is_string() && !value.get_ref<const std::string&>().empty(); }

bool digit(char c) { return c >= '0' && c <= '9'; }
bool lower_hex(char c) { return digit(c) || (c >= 'a' && c <= 'f'); }

// "^[a-z0-9][a-z0-9._-]*$", maxLength 128 (ASCII only, so bytes = characters).
bool identifier(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > 128) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ok = (c >= 'a' && c <= 'z') || digit(c) || (i > 0 && (c == '.' || c == '_' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

// "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
bool uuid(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !lower_hex(text[i])) return false;
  }
  return true;
}

// "^[0-9a-f]{64}$"
bool sha256(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!lower_hex(c)) return false;
  }
  return true;
}

// "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"
bool timestamp(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size() + 1) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !digit(text[i]) : text[i] != kShape[i]) return false;
  }
  std::size_t i = kShape.size();
  if (text[i] == '.') {
    const std::size_t first = ++i;
    while (i < text.size() && digit(text[i])) ++i;
    if (i == first) return false;
  }
  return i + 1 == text.size() && text[i] == 'Z';
}

bool one_of(const json& value, std::initializer_list<std::string_view> names) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  for (const auto name : names) {
    if (text == name) return true;
  }
  return false;
}

// {"type": "integer", "minimum": low, "maximum": high}; nlohmann reads a
// non-negative integer as unsigned, a negative one as signed; both within
// int64 so that valijson's adapter reads the same value.
bool integer_in(const json& value, std::int64_t low, std::int64_t high) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    return number <= static_cast<std::uint64_t>(high) && static_cast<std::int64_t>(number) >= low;
  }
  if (value.is_number_integer()) {
    const auto number = value.get<std::int64_t>();
    return number >= low && number <= high;
  }
  return false;
}

bool count(const json& value) { return integer_in(value, 0, INT64_MAX); }

template <typename Item>
bool array_of(const json& value, Item item) {
  if (!value.is_array()) return false;
  for (const json& element : value) {
    if (!item(element)) return false;
  }
  return true;
}

// An object with "additionalProperties": false: every member is one of
// `known` and satisfies its check; `required` of them (the first ones of
// `known`) are present. `check(index, value)` judges member number index.
template <std::size_t N, typename Check>
bool object_of(const json& value, const std::string_view (&known)[N], std::size_t required, Check check) {
  if (!value.is_object()) return false;
  std::size_t present_required = 0;
  for (const auto& [key, member] : value.items()) {
    std::size_t index = N;
    for (std::size_t i = 0; i < N; ++i) {
      if (key == known[i]) {
        index = i;
        break;
      }
    }
    if (index == N || !check(index, member)) return false;
    if (index < required) ++present_required;
  }
  return present_required == required;
}

bool evidence(const json& value) {
  static constexpr std::string_view kKnown[] = {"path", "line", "observed", "expected"};
  return object_of(value, kKnown, 4, [](std::size_t index, const json& member) {
    if (index == 1) return member.is_null() || integer_in(member, 1, 2147483647);
    return is_string(member);
  });
}

// remediation_commands items: minLength 1, "^[^\u0000-\u001f\u007f]*$".
// Only printable ASCII is taken as certain; anything else goes to valijson.
bool command_line(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool result(const json& value) {
  static constexpr std::string_view kKnown[] = {"check_id",
                                                "policy_id",
                                                "type",
                                                "title",
                                                "severity",
                                                "status",
                                                "summary",
                                                "evidence",
                                                "remediation",
                                                "duration_ms",
                                                "remediation_commands",
                                                "waiver"};
  return object_of(value, kKnown, 10, [](std::size_t index, const json& member) {
    switch (index) {
      case 0:
      case 1:
      case 2: return identifier(member);
      case 4: return one_of(member, {"critical", "high", "medium", "low", "info"});
      case 5: return one_of(member, {"pass", "fail", "error", "not_applicable", "waived", "skipped"});
      case 7: return array_of(member, evidence);
      case 9: return count(member);
      case 10: return array_of(member, command_line);
      default:  // title, summary, remediation, waiver
        return is_string(member);
    }
  });
}

bool other_source(const json& value) {
  static constexpr std::string_view kKnown[] = {"value", "source", "kind", "root_only", "rejected_because"};
  return object_of(value, kKnown, 4, [](std::size_t index, const json& member) {
    return index == 3 ? member.is_boolean() : is_string(member);
  });
}

bool variable(const json& value) {
  static constexpr std::string_view kKnown[] = {"policy_id", "name",          "value", "origin",
                                                "source",    "other_sources", "notes"};
  return object_of(value, kKnown, 7, [](std::size_t index, const json& member) {
    switch (index) {
      case 0: return identifier(member);
      case 3: return one_of(member, {"discovered", "site configuration", "policy default"});
      case 5: return array_of(member, other_source);
      case 6: return array_of(member, is_string);
      default:  // name, value, source
        return is_string(member);
    }
  });
}

bool policy(const json& value) {
  static constexpr std::string_view kKnown[] = {"id", "version", "sha256"};
  return object_of(value, kKnown, 3, [](std::size_t index, const json& member) {
    return index == 0 ? identifier(member) : index == 1 ? non_empty(member) : sha256(member);
  });
}

bool agent(const json& value) {
  static constexpr std::string_view kKnown[] = {"version"};
  return object_of(value, kKnown, 1, [](std::size_t, const json& member) { return non_empty(member); });
}

bool host(const json& value) {
  static constexpr std::string_view kKnown[] = {"hostname", "machine_id", "os_release"};
  return object_of(value, kKnown, 3, [](std::size_t, const json& member) { return is_string(member); });
}

bool run(const json& value) {
  static constexpr std::string_view kKnown[] = {"started_at", "finished_at", "trigger",
                                                "root",       "sequence",    "previous_sha256"};
  return object_of(value, kKnown, 6, [](std::size_t index, const json& member) {
    switch (index) {
      case 0:
      case 1: return timestamp(member);
      case 2: return one_of(member, {"manual", "timer", "post-upgrade"});
      case 3: return non_empty(member);
      case 4:  // maximum 2^64-1, but valijson reads integers as int64
        return count(member);
      default:  // oneOf null / sha256: the two cannot both hold
        return member.is_null() || sha256(member);
    }
  });
}

bool summary(const json& value) {
  static constexpr std::string_view kKnown[] = {"pass",   "fail",    "error",    "not_applicable",
                                                "waived", "skipped", "compliant"};
  return object_of(value, kKnown, 7, [](std::size_t index, const json& member) {
    return index == 6 ? member.is_boolean() : count(member);
  });
}

}  // namespace

bool report_certainly_valid(const json& document) {
  static constexpr std::string_view kKnown[] = {"schema",   "report_id", "agent",   "host", "run",
                                                "policies", "results",   "summary", "lang", "variables"};
  return object_of(document, kKnown, 8, [](std::size_t index, const json& member) {
    switch (index) {
      case 0: return member.is_string() && member.get_ref<const std::string&>() == "clinic-audit/report/1";
      case 1: return uuid(member);
      case 2: return agent(member);
      case 3: return host(member);
      case 4: return run(member);
      case 5: return array_of(member, policy);
      case 6: return array_of(member, result);
      case 7: return summary(member);
      case 8: return one_of(member, {"en", "fr"});
      default: return array_of(member, variable);
    }
  });
}

}  // namespace clinic_audit::signing
