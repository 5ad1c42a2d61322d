#include "unit_file_parser.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace clinic_audit::systemd {
namespace {

// systemd's WHITESPACE: " \t\n\r".
std::string_view strip(std::string_view text) { return trim(text, " \t\n\r"); }

bool is_comment(std::string_view line) {
  const std::string_view stripped = strip(line);
  return !stripped.empty() && (stripped.front() == '#' || stripped.front() == ';');
}

// True when the line ends in a backslash that is not itself escaped.
bool ends_in_continuation(std::string_view line) {
  bool escaped = false;
  for (char c : line) escaped = !escaped && c == '\\';
  return escaped;
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

class LineParser {
 public:
  explicit LineParser(UnitFile& out) : out_(out) {}

  void parse(std::string_view logical, int line) {
    if (broken_) return;  // config_parse() has returned
    const std::string_view l = strip(logical);
    if (l.empty() || l.front() == '#' || l.front() == ';') return;
    if (l.front() == '[') {
      if (l.back() != ']') {
        const UnitIssue issue{line, "invalid section header '" + std::string(l) + "': systemd reads no further"};
        out_.issues.push_back(issue);
        if (!broken_) out_.fatal = issue;
        in_section_ = false;  // config_parse() stops here; nothing below is read
        broken_ = true;
        return;
      }
      section_ = std::string(l.substr(1, l.size() - 2));
      in_section_ = true;
      return;
    }
    const auto eq = l.find('=');
    if (eq == std::string_view::npos) {
      out_.issues.push_back({line, "missing '=', line ignored"});
      return;
    }
    if (!in_section_) {
      out_.issues.push_back({line, "assignment outside of any section, ignored"});
      return;
    }
    const std::string_view key = strip(l.substr(0, eq));
    if (key.empty()) {
      out_.issues.push_back({line, "empty key, line ignored"});
      return;
    }
    out_.assignments.push_back({section_, std::string(key), std::string(strip(l.substr(eq + 1))), line});
  }

 private:
  UnitFile& out_;
  std::string section_;
  bool in_section_ = false;
  bool broken_ = false;
};

}  // namespace

UnitFile parse_unit_file(std::string_view text) {
  UnitFile out;
  LineParser parser(out);
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());

  std::string continuation;
  bool continuing = false;
  int continuation_start = 0;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    const int line_no = lines.number();
    // Comments are dropped even between continued lines (systemd.syntax(7)).
    if (is_comment(line)) continue;
    if (continuing) {
      continuation.append(line);
    } else {
      continuation.assign(line);
      continuation_start = line_no;
    }
    // The previous piece's final backslash became a space, so only the new
    // line decides (and long continued lines stay linear).
    if (ends_in_continuation(line)) {
      continuation.back() = ' ';
      continuing = true;
      continue;
    }
    continuing = false;
    parser.parse(continuation, continuation_start);
  }
  if (continuing) parser.parse(continuation, continuation_start);
  return out;
}

std::optional<bool> parse_systemd_boolean(std::string_view text) {
  static constexpr std::array<std::string_view, 6> kTrue = {"1", "yes", "y", "true", "t", "on"};
  static constexpr std::array<std::string_view, 6> kFalse = {"0", "no", "n", "false", "f", "off"};
  for (auto word : kTrue) {
    if (equals_ignore_case(text, word)) return true;
  }
  for (auto word : kFalse) {
    if (equals_ignore_case(text, word)) return false;
  }
  return std::nullopt;
}

}  // namespace clinic_audit::systemd
