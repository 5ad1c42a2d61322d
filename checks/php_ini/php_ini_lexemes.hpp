// The small pieces of PHP's INI scanner and parser that the parser class
// builds on (Zend/zend_ini_scanner.l character classes, zend_ini_parser.y
// value conversions). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::php::lexemes {

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
inline bool is_eol(char c) { return c == '\n' || c == '\r'; }
// LABEL_CHAR: blanks included, tab excluded; a NUL byte is one too (php 8.2
// reads "a\0b = 1" as the key "a\0b"), and so is ']' ("x] = 1" sets "x]").
// The caller checks for the end of text.
inline bool is_label_char(char c) {
  return c == '\0' || std::string_view("=\n\r\t;&|^$~(){}!\"[").find(c) == std::string_view::npos;
}
// VALUE_CHARS (a '$' not followed by '{' is handled by the caller).
inline bool is_value_char(char c) {
  return c != '\0' && std::string_view("$= \t\n\r;&|^~()!\"'").find(c) == std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b);
// [A-Za-z_][A-Za-z0-9_]*: what the scanner returns as TC_CONSTANT.
bool is_identifier(std::string_view s);
// "1" for true/on/yes, "" for false/off/no/none/null (case-insensitive).
std::optional<std::string> boolean_word(std::string_view word);
// C atoi(), as zend_ini_parser.y's get_int_val() applies it to operands.
int php_atoi(std::string_view s);
// zend_ini_escape_string(): only \" \\ \$ lose their backslash.
std::string unescape(std::string_view raw);

}  // namespace clinic_audit::php::lexemes
