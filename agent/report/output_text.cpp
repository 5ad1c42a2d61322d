#include "output_text.hpp"

#include <cmath>
#include <cstdint>

#include "common/shell_quote.hpp"

namespace clinic_audit::report_output {
namespace {

bool allowed_ascii(unsigned char byte) {
  return byte == '\t' || byte == '\n' || byte == '\r' || (byte >= 0x20 && byte < 0x7F);
}

bool allowed_code_point(std::uint32_t cp) {
  if (cp >= 0x80 && cp <= 0x9F) return false;  // C1 controls (e.g. U+009B CSI)
  return cp != 0xFFFE && cp != 0xFFFF;         // XML 1.0 Char excludes both
}

// Well-formed UTF-8 byte sequences, Unicode 15 Table 3-7: the first
// continuation byte's range depends on the lead byte (no overlongs, no
// surrogates, nothing above U+10FFFF).
struct LeadByte {
  std::size_t continuation_bytes = 0;
  unsigned char first_low = 0x80;
  unsigned char first_high = 0xBF;
  std::uint32_t bits = 0;
};

bool classify(unsigned char b, LeadByte& lead) {
  if (b >= 0xC2 && b <= 0xDF) {
    lead = {1, 0x80, 0xBF, b & 0x1Fu};
  } else if (b == 0xE0) {
    lead = {2, 0xA0, 0xBF, b & 0x0Fu};
  } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
    lead = {2, 0x80, 0xBF, b & 0x0Fu};
  } else if (b == 0xED) {
    lead = {2, 0x80, 0x9F, b & 0x0Fu};
  } else if (b == 0xF0) {
    lead = {3, 0x90, 0xBF, b & 0x07u};
  } else if (b >= 0xF1 && b <= 0xF3) {
    lead = {3, 0x80, 0xBF, b & 0x07u};
  } else if (b == 0xF4) {
    lead = {3, 0x80, 0x8F, b & 0x07u};
  } else {
    return false;  // 80..C1 (continuation or overlong lead), F5..FF
  }
  return true;
}

}  // namespace

std::string valid_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      if (allowed_ascii(b0)) {
        out.push_back(text[i]);
      } else {
        out += kReplacement;
      }
      ++i;
      continue;
    }
    LeadByte lead;
    if (!classify(b0, lead)) {
      out += kReplacement;
      ++i;
      continue;
    }
    std::uint32_t cp = lead.bits;
    std::size_t taken = 1;  // bytes of the sequence accepted so far
    bool complete = true;
    for (std::size_t k = 1; k <= lead.continuation_bytes; ++k) {
      const unsigned char low = k == 1 ? lead.first_low : 0x80;
      const unsigned char high = k == 1 ? lead.first_high : 0xBF;
      if (i + k >= text.size()) {
        complete = false;
        break;
      }
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (b < low || b > high) {
        complete = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3Fu);
      ++taken;
    }
    // A truncated or broken sequence: its maximal subpart (the bytes taken)
    // is one U+FFFD; the offending byte starts the next round.
    if (complete && allowed_code_point(cp)) {
      out.append(text.substr(i, taken));
    } else {
      out += kReplacement;
    }
    i += taken;
  }
  return out;
}

Report normalized_for_output(const Report& report) {
  Report out = report;
  out.report_id = valid_text(out.report_id);
  out.agent_version = valid_text(out.agent_version);
  out.host.hostname = valid_text(out.host.hostname);
  out.host.machine_id = valid_text(out.host.machine_id);
  out.host.os_release = valid_text(out.host.os_release);
  out.run.started_at = valid_text(out.run.started_at);
  out.run.finished_at = valid_text(out.run.finished_at);
  out.run.trigger = valid_text(out.run.trigger);
  out.run.root = valid_text(out.run.root);
  if (out.run.previous_sha256) out.run.previous_sha256 = valid_text(*out.run.previous_sha256);
  if (!std::isfinite(out.run.duration_seconds) || out.run.duration_seconds < 0) out.run.duration_seconds = 0;
  for (auto& policy : out.policies) {
    policy.id = valid_text(policy.id);
    policy.version = valid_text(policy.version);
    policy.sha256 = valid_text(policy.sha256);
    policy.title = valid_text(policy.title);
  }
  for (auto& variable : out.variables) {
    for (auto* text : {&variable.policy_id, &variable.name, &variable.value, &variable.origin, &variable.source}) {
      *text = valid_text(*text);
    }
    for (auto& other : variable.other_sources) {
      for (auto* text : {&other.value, &other.source, &other.kind, &other.rejected_because}) *text = valid_text(*text);
    }
    for (auto& note : variable.notes) note = valid_text(note);
  }
  for (auto& result : out.results) {
    result.check_id = valid_text(result.check_id);
    result.policy_id = valid_text(result.policy_id);
    result.type = valid_text(result.type);
    result.title = valid_text(result.title);
    result.summary = valid_text(result.summary);
    result.remediation = valid_text(result.remediation);
    for (auto& command : result.remediation_commands) command = valid_text(command);
    if (result.duration_ms < 0) result.duration_ms = 0;
    if (result.waiver_reason) result.waiver_reason = valid_text(*result.waiver_reason);
    for (auto& item : result.evidence) {
      item.path = valid_text(item.path);
      item.observed = valid_text(item.observed);
      item.expected = valid_text(item.expected);
      if (item.line && *item.line <= 0) item.line.reset();
    }
  }
  return out;
}

std::size_t display_width(std::string_view utf8) {
  std::size_t width = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++width;
  }
  return width;
}

std::string terminal_text(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find_first_of("\n\t", start), text.size());
    out += escape_control(text.substr(start, end - start));
    if (end == text.size()) break;
    out += text[end];
    start = end + 1;
  }
  return out;
}

Report escaped_for_terminal(const Report& report) {
  Report out = report;
  for (std::string* text :
       {&out.report_id, &out.agent_version, &out.host.hostname, &out.host.machine_id, &out.host.os_release,
        &out.run.started_at, &out.run.finished_at, &out.run.trigger, &out.run.root}) {
    *text = terminal_text(*text);
  }
  if (out.run.previous_sha256) out.run.previous_sha256 = terminal_text(*out.run.previous_sha256);
  for (auto& policy : out.policies) {
    for (std::string* text : {&policy.id, &policy.version, &policy.sha256, &policy.title}) *text = terminal_text(*text);
  }
  for (auto& result : out.results) {
    for (std::string* text :
         {&result.check_id, &result.policy_id, &result.type, &result.title, &result.summary, &result.remediation}) {
      *text = terminal_text(*text);
    }
    if (result.waiver_reason) result.waiver_reason = terminal_text(*result.waiver_reason);
    for (auto& item : result.evidence) {
      for (std::string* text : {&item.path, &item.observed, &item.expected}) *text = terminal_text(*text);
    }
  }
  return out;
}

}  // namespace clinic_audit::report_output
