// JSON strings as nlohmann writes them, shared by the agent's report
// writer (agent/report/render_json.cpp) and the signing library's compact
// serialisation (agent/signing/compact_json.cpp), and UTF-8 sequences as
// nlohmann's decoder accepts them (RFC 3629 §4: no overlong form, no
// surrogate, nothing past U+10FFFF), used by the fast JSON readers.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace clinic_audit {

// Bytes a JSON string holds as they are: printable ASCII but '"' and '\\'
// (RFC 8259 §7). A table, so that the scans over a report's long strings
// (fast_json.cpp, compact_json.cpp) take one load and test per byte.
struct PlainJsonBytes {
  bool plain[256] = {};
  constexpr PlainJsonBytes() {
    for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  }
};
inline constexpr PlainJsonBytes kPlainJsonBytes{};

// The first byte at or after `at` that is not plain.
inline std::size_t skip_plain_json(std::string_view text, std::size_t at) {
  while (at < text.size() && kPlainJsonBytes.plain[static_cast<unsigned char>(text[at])]) ++at;
  return at;
}

// Length (2 to 4) of the sequence starting with the byte >= 0x80 at
// text[at], 0 if it is not a well-formed one.
inline std::size_t utf8_sequence(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const auto continuation = [&](std::size_t i, unsigned char low = 0x80, unsigned char high = 0xBF) {
    return byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(0);
  const std::size_t left = text.size() - at;
  if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && continuation(1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3) return 0;
    const unsigned char low = lead == 0xE0 ? 0xA0 : 0x80, high = lead == 0xED ? 0x9F : 0xBF;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4) return 0;
    const unsigned char low = lead == 0xF0 ? 0x90 : 0x80, high = lead == 0xF4 ? 0x8F : 0xBF;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// Appends `text` as a JSON string exactly as nlohmann's serializer
// (dump_escaped, ensure_ascii false; nlohmann 3.11
// detail/output/serializer.hpp) writes it: the short escapes, \u00xx
// (lower-case hex) for the other control characters, every other character
// as its UTF-8 bytes ('/' and DEL included). False, with `out` unchanged,
// when `text` is not well-formed UTF-8 (where dump() would throw).
bool append_json_string_if_utf8(std::string& out, std::string_view text);

}  // namespace clinic_audit
