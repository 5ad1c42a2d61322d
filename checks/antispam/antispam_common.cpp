#include "antispam_common.hpp"

#include <regex.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "perl_regex.hpp"

namespace clinic_audit::antispam {
namespace {

constexpr std::size_t kMaxPatternLength = 4096;

}  // namespace

std::optional<std::string> regex_refusal_for_lookup(const std::string& pattern, RegexSyntax syntax,
                                                    RegexCompileBudget* budget) {
  if (pattern.size() > kMaxPatternLength) {
    return "pattern of " + std::to_string(pattern.size()) + " bytes, over the " + std::to_string(kMaxPatternLength) +
           " this check evaluates";
  }
  // Back-references (in basic expressions, and a glibc extension to
  // extended ones) make glibc's matcher exponential in the subject.
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      if (pattern[i + 1] >= '1' && pattern[i + 1] <= '9')
        return "pattern with a back-reference (\\" + std::string(1, pattern[i + 1]) + ")";
      ++i;
    }
  }
  return budget != nullptr ? budget->charge(pattern, syntax) : regex_refusal(pattern, syntax);
}

std::optional<bool> guarded_perl_match(const std::string& pattern, const std::string& text, bool icase,
                                       std::string& why) {
  const std::optional<std::string> ere = perl_to_posix_ere(pattern, why);
  if (!ere) return std::nullopt;
  if (auto refusal = regex_refusal_for_lookup(*ere)) {
    why = *refusal;
    return std::nullopt;
  }
  regex_t re;
  const int code = regcomp(&re, ere->c_str(), REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
  if (code != 0) {
    char message[256];
    regerror(code, &re, message, sizeof message);
    why = "pattern POSIX regcomp rejects once translated (" + std::string(message) + ")";
    return std::nullopt;
  }
  std::unique_ptr<regex_t, decltype(&regfree)> guard(&re, &regfree);
  return regexec(&re, text.c_str(), 0, nullptr, 0) == 0;
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
