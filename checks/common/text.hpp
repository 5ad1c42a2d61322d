// Text helpers every parser needs: splitting a file into lines and trimming.
// One copy here instead of one per parser (issue #19 item 3); each caller says
// which characters it trims, because the programs we imitate differ (dpkg
// trims blanks, systemd " \t\n\r", C's isspace() six characters).
#pragma once

#include <string_view>
#include <vector>

namespace clinic_audit {

// isspace(3) in the C locale.
inline constexpr std::string_view kAsciiSpace = " \t\n\v\f\r";
// Space and tab only (also HTTP's optional whitespace, RFC 9110 §5.6.3).
inline constexpr std::string_view kBlanks = " \t";
// XML's white space, the S production of XML 1.0 §2.3.
inline constexpr std::string_view kXmlSpace = " \t\r\n";

constexpr std::string_view trim_left(std::string_view text, std::string_view chars = kAsciiSpace) {
  const auto begin = text.find_first_not_of(chars);
  return begin == std::string_view::npos ? std::string_view{} : text.substr(begin);
}

constexpr std::string_view trim_right(std::string_view text, std::string_view chars = kAsciiSpace) {
  const auto end = text.find_last_not_of(chars);
  return end == std::string_view::npos ? std::string_view{} : text.substr(0, end + 1);
}

constexpr std::string_view trim(std::string_view text, std::string_view chars = kAsciiSpace) {
  return trim_right(trim_left(text, chars), chars);
}

// The lines of a text, one at a time: a line ends at '\n' (not included) and
// one '\r' just before it is dropped (CRLF files); a last line without '\n'
// is a line; a text ending with '\n' has no empty line after it.
//
//   LineReader lines(text);
//   std::string_view line;
//   while (lines.next(line)) { ... lines.number() ... }
class LineReader {
 public:
  explicit constexpr LineReader(std::string_view text) : text_(text) {}

  constexpr bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    auto end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  // 1-based number of the line `next` returned last.
  constexpr int number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int number_ = 0;
};

// fn(line, number) for every line, as LineReader reads them.
template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) fn(line, lines.number());
}

// Every line, as LineReader reads them.
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  for_each_line(text, [&](std::string_view line, int) { out.push_back(line); });
  return out;
}

}  // namespace clinic_audit
