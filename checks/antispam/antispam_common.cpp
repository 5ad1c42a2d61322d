#include "antispam_common.hpp"

#include <algorithm>
#include <cctype>

namespace clinic_audit::antispam {
namespace {

// Bounded repetitions multiply the automaton glibc builds ("(a{255}){255}");
// refuse patterns whose bounds multiply past this, rather than hang.
constexpr unsigned long kMaxRepetitionProduct = 10000;
constexpr std::size_t kMaxPatternLength = 4096;

}  // namespace

bool regex_too_complex(const std::string& pattern) {
  if (pattern.size() > kMaxPatternLength) return true;
  // Back-references (a glibc extension to EREs) make matching exponential.
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9') return true;
      ++i;
    }
  }
  unsigned long product = 1;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{' || (i > 0 && pattern[i - 1] == '\\')) continue;
    unsigned long bound = 0;
    unsigned long low = 0;
    std::size_t j = i + 1;
    for (; j < pattern.size() && (std::isdigit(static_cast<unsigned char>(pattern[j])) || pattern[j] == ','); ++j) {
      if (pattern[j] == ',') {
        low = bound;
        bound = 0;
        continue;
      }
      bound = std::min(bound * 10 + static_cast<unsigned long>(pattern[j] - '0'), 100000UL);
    }
    bound = std::max({bound, low, 1UL});
    if (j < pattern.size() && pattern[j] == '}') product = std::min(product * bound, 1UL << 40);
  }
  return product > kMaxRepetitionProduct;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<std::string> split_ws(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r') ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

std::optional<Sender> parse_sender(std::string_view text) {
  const std::string lower = ascii_lower(trim(text));
  const std::size_t at = lower.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 >= lower.size()) return std::nullopt;
  for (char c : lower) {
    if (c == ' ' || c == '\t' || c == '<' || c == '>' || c == '\n') return std::nullopt;
  }
  return Sender{lower, lower.substr(0, at), lower.substr(at + 1)};
}

}  // namespace clinic_audit::antispam
