#include "report_reader_fast.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>

#include "compact_json.hpp"
#include "json_lexer.hpp"

// Each reader mirrors one function of report_schema_fast.cpp (itself one
// definition of report.schema.json) and answers false when not sure; the
// content is filled as report_content.cpp's json_content() fills it.
namespace clinic_audit::signing {
namespace {

bool lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

bool identifier(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '.' || c == '_' || c == '-'));
    if (!ok) return false;
  }
  return true;
}

bool uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !lower_hex(text[i])) return false;
  }
  return true;
}

bool sha256(std::string_view text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!lower_hex(c)) return false;
  }
  return true;
}

bool timestamp(std::string_view text) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size() + 1) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !(text[i] >= '0' && text[i] <= '9') : text[i] != kShape[i]) return false;
  }
  std::size_t i = kShape.size();
  if (text[i] == '.') {
    const std::size_t first = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == first) return false;
  }
  return i + 1 == text.size() && text[i] == 'Z';
}

bool one_of(std::string_view text, std::initializer_list<std::string_view> names) {
  for (const auto name : names) {
    if (text == name) return true;
  }
  return false;
}

bool command_line(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// An integer as nlohmann holds it: unsigned without '-', signed with.
struct Integer {
  bool negative = false;
  std::uint64_t magnitude = 0;
  // integer_in() of report_schema_fast.cpp.
  bool in(std::int64_t low, std::int64_t high) const {
    if (!negative) {
      return magnitude <= static_cast<std::uint64_t>(high) && static_cast<std::int64_t>(magnitude) >= low;
    }
    const auto value = -static_cast<std::int64_t>(magnitude);
    return value >= low && value <= high;
  }
  bool count() const { return in(0, INT64_MAX); }
};

class ReportReader : JsonLexer {
 public:
  explicit ReportReader(std::string_view text) : JsonLexer(text) {}

  bool document(ReportContent& content) {
    content.format = ReportFormat::json;
    static constexpr std::string_view kKnown[] = {"schema",   "report_id", "agent",   "host", "run",
                                                  "policies", "results",   "summary", "lang", "variables"};
    const bool valid = object(kKnown, 8, [&](std::size_t index) {
      switch (index) {
        case 0: return text(scratch_) && scratch_ == "clinic-audit/report/1";
        case 1: return text(content.report_id) && uuid(content.report_id);
        case 2: return agent();
        case 3: return host(content);
        case 4: return run(content);
        case 5: return array([&] { return policy(); });
        case 6: return array([&] { return result(content); });
        case 7: return summary(content);
        case 8: return text(scratch_) && one_of(scratch_, {"en", "fr"});
        default: return array([&] { return variable(); });
      }
    });
    if (!valid) return false;
    skip_space();
    return at_ == text_.size();
  }

 private:
  // An object whose members are all among `known` (N <= 32), none twice
  // (nlohmann keeps the last of duplicates: not sure), the first
  // `required` of them present; `member(index)` reads the value of member
  // known[index] (white space before it skipped).
  template <std::size_t N, class Member>
  bool object(const std::string_view (&known)[N], std::size_t required, Member member) {
    static_assert(N <= 32);
    skip_space();
    if (!more() || peek() != '{') return false;
    ++at_;
    std::uint32_t seen = 0;
    skip_space();
    if (more() && peek() == '}') {
      ++at_;
    } else {
      while (true) {
        skip_space();
        if (!more() || peek() != '"') return false;
        key_.clear();
        if (!string(key_)) return false;
        std::size_t index = N;
        for (std::size_t i = 0; i < N; ++i) {
          if (key_ == known[i]) {
            index = i;
            break;
          }
        }
        if (index == N || (seen & (1U << index)) != 0) return false;
        seen |= 1U << index;
        skip_space();
        if (!more() || peek() != ':') return false;
        ++at_;
        skip_space();
        if (!more() || !member(index)) return false;
        skip_space();
        if (!more()) return false;
        const char c = text_[at_++];
        if (c == '}') break;
        if (c != ',') return false;
      }
    }
    const std::uint32_t all_required = required == 32 ? ~0U : (1U << required) - 1;
    return (seen & all_required) == all_required;
  }

  template <class Item>
  bool array(Item item) {
    if (peek() != '[') return false;
    ++at_;
    skip_space();
    if (more() && peek() == ']') {
      ++at_;
      return true;
    }
    while (true) {
      skip_space();
      if (!more() || !item()) return false;
      skip_space();
      if (!more()) return false;
      const char c = text_[at_++];
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  // A string value into `out` (replacing it).
  bool text(std::string& out) {
    if (peek() != '"') return false;
    out.clear();
    return string(out);
  }

  bool integer(Integer& out) {
    if (peek() != '-' && !digit(peek())) return false;
    JsonNumberText number;
    if (!number_text(number)) return false;
    out.negative = number.negative;
    return small_integer(number, out.magnitude);
  }

  bool boolean(bool& out) {
    if (literal("true")) {
      out = true;
      return true;
    }
    out = false;
    return literal("false");
  }

  bool agent() {
    static constexpr std::string_view kKnown[] = {"version"};
    return object(kKnown, 1, [&](std::size_t) { return text(scratch_) && !scratch_.empty(); });
  }

  bool host(ReportContent& content) {
    static constexpr std::string_view kKnown[] = {"hostname", "machine_id", "os_release"};
    return object(kKnown, 3, [&](std::size_t index) {
      return text(index == 0 ? content.hostname : index == 1 ? content.machine_id : scratch_);
    });
  }

  bool run(ReportContent& content) {
    static constexpr std::string_view kKnown[] = {"started_at", "finished_at", "trigger",
                                                  "root",       "sequence",    "previous_sha256"};
    return object(kKnown, 6, [&](std::size_t index) {
      switch (index) {
        case 0: return text(content.started_at) && timestamp(content.started_at);
        case 1: return text(scratch_) && timestamp(scratch_);
        case 2: return text(scratch_) && one_of(scratch_, {"manual", "timer", "post-upgrade"});
        case 3: return text(scratch_) && !scratch_.empty();
        case 4: {
          // json_content() wants an unsigned integer: "-0" is the schema's
          // but not the content's, so not sure.
          Integer sequence;
          if (!integer(sequence) || sequence.negative || !sequence.count()) return false;
          content.sequence = sequence.magnitude;
          return true;
        }
        default:
          if (literal("null")) {
            content.previous_sha256.reset();
            return true;
          }
          content.previous_sha256.emplace();
          return text(*content.previous_sha256) && sha256(*content.previous_sha256);
      }
    });
  }

  bool policy() {
    static constexpr std::string_view kKnown[] = {"id", "version", "sha256"};
    return object(kKnown, 3, [&](std::size_t index) {
      if (!text(scratch_)) return false;
      return index == 0 ? identifier(scratch_) : index == 1 ? !scratch_.empty() : sha256(scratch_);
    });
  }

  // One evidence item, appended to `out` as compact_json() writes it:
  // nlohmann's object is a std::map, so the members in key order.
  bool evidence(std::string& out) {
    static constexpr std::string_view kKnown[] = {"path", "line", "observed", "expected"};
    std::string* strings[] = {&path_, nullptr, &observed_, &expected_};
    bool line_null = false;
    Integer line;
    const bool valid = object(kKnown, 4, [&](std::size_t index) {
      if (index != 1) return text(*strings[index]);
      if (literal("null")) {
        line_null = true;
        return true;
      }
      line_null = false;
      return integer(line) && line.in(1, 2147483647);
    });
    if (!valid) return false;
    out += "{\"expected\":";
    append_json_string(out, expected_);
    out += ",\"line\":";
    out += line_null ? "null" : std::to_string(line.magnitude);
    out += ",\"observed\":";
    append_json_string(out, observed_);
    out += ",\"path\":";
    append_json_string(out, path_);
    out += '}';
    return true;
  }

  bool result(ReportContent& content) {
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
    ReportResultContent& row = content.results.emplace_back();
    return object(kKnown, 10, [&](std::size_t index) {
      switch (index) {
        case 0: return text(row.check_id) && identifier(row.check_id);
        case 1: return text(row.policy_id) && identifier(row.policy_id);
        case 2: return text(row.type) && identifier(row.type);
        case 3: return text(row.title);
        case 4: return text(row.severity) && one_of(row.severity, {"critical", "high", "medium", "low", "info"});
        case 5:
          return text(row.status) &&
                 one_of(row.status, {"pass", "fail", "error", "not_applicable", "waived", "skipped"});
        case 6: return text(row.summary);
        case 7: {
          row.evidence_json.assign(1, '[');
          bool first = true;
          const bool valid = array([&] {
            if (!first) row.evidence_json += ',';
            first = false;
            return evidence(row.evidence_json);
          });
          row.evidence_json += ']';
          return valid;
        }
        case 8: return text(row.remediation);
        case 9: {
          Integer duration;
          return integer(duration) && duration.count();
        }
        case 10: return array([&] { return text(scratch_) && command_line(scratch_); });
        default: return text(scratch_);  // waiver
      }
    });
  }

  bool summary(ReportContent& content) {
    static constexpr std::string_view kKnown[] = {"pass",   "fail",    "error",    "not_applicable",
                                                  "waived", "skipped", "compliant"};
    return object(kKnown, 7, [&](std::size_t index) {
      if (index == 6) return boolean(content.compliant);
      Integer value;
      if (!integer(value) || !value.count()) return false;
      // nlohmann's get<int>(): a static_cast of the value it holds.
      content.counts[std::string(kKnown[index])] = value.negative
                                                       ? static_cast<int>(-static_cast<std::int64_t>(value.magnitude))
                                                       : static_cast<int>(value.magnitude);
      return true;
    });
  }

  bool other_source() {
    static constexpr std::string_view kKnown[] = {"value", "source", "kind", "root_only", "rejected_because"};
    return object(kKnown, 4, [&](std::size_t index) {
      bool ignored = false;
      return index == 3 ? boolean(ignored) : text(scratch_);
    });
  }

  bool variable() {
    static constexpr std::string_view kKnown[] = {"policy_id", "name",          "value", "origin",
                                                  "source",    "other_sources", "notes"};
    return object(kKnown, 7, [&](std::size_t index) {
      switch (index) {
        case 0: return text(scratch_) && identifier(scratch_);
        case 3: return text(scratch_) && one_of(scratch_, {"discovered", "site configuration", "policy default"});
        case 5: return array([&] { return other_source(); });
        case 6: return array([&] { return text(scratch_); });
        default: return text(scratch_);  // name, value, source
      }
    });
  }

  std::string key_, scratch_, path_, observed_, expected_;
};

}  // namespace

std::optional<ReportContent> read_json_report_fast(std::string_view bytes) {
  ReportContent content;
  ReportReader reader(bytes);
  if (!reader.document(content)) return std::nullopt;
  return content;
}

}  // namespace clinic_audit::signing
