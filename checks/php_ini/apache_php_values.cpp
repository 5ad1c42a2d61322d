#include "apache_php_values.hpp"

#include "common/text.hpp"

#include <cctype>

namespace clinic_audit::php {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// Splits Apache arguments: blanks separate, "..." groups (with \" inside).
std::vector<std::string> split_args(std::string_view text) {
  std::vector<std::string> args;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) break;
    std::string arg;
    if (text[i] == '"' || text[i] == '\'') {
      const char quote = text[i++];
      while (i < text.size() && text[i] != quote) {
        if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == quote) ++i;
        arg += text[i++];
      }
      ++i;
    } else {
      while (i < text.size() && !is_space(text[i])) arg += text[i++];
    }
    args.push_back(std::move(arg));
  }
  return args;
}

}  // namespace

std::vector<ApachePhpValue> parse_apache_php_values(std::string_view text) {
  std::vector<ApachePhpValue> out;
  std::string logical;
  int start_line = 0;
  LineReader lines(text);  // drops the '\r' of CRLF, which the trailing-space loop below drops too
  std::string_view line;
  while (lines.next(line)) {
    const int line_no = lines.number();
    while (!line.empty() && is_space(line.back())) line.remove_suffix(1);
    if (logical.empty()) start_line = line_no;
    if (!line.empty() && line.back() == '\\') {
      logical.append(line.substr(0, line.size() - 1));
      continue;
    }
    logical.append(line);
    std::string_view l = logical;
    while (!l.empty() && is_space(l.front())) l.remove_prefix(1);
    if (!l.empty() && l.front() != '#') {
      std::size_t word_end = 0;
      while (word_end < l.size() && !is_space(l[word_end])) ++word_end;
      std::string directive(l.substr(0, word_end));
      for (auto& c : directive) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (directive == "php_admin_value" || directive == "php_value" || directive == "php_admin_flag" ||
          directive == "php_flag") {
        auto args = split_args(l.substr(word_end));
        if (!args.empty()) {
          std::string value;
          for (std::size_t i = 1; i < args.size(); ++i) value += (i > 1 ? " " : "") + args[i];
          out.push_back({directive, args[0], value, start_line});
        }
      }
    }
    logical.clear();
  }
  return out;
}

}  // namespace clinic_audit::php
