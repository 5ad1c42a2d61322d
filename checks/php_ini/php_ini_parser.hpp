// Parser for PHP's INI syntax (php.ini, conf.d/*.ini, php-fpm pool files):
// text in, entries out, no I/O. Semantics follow PHP's own scanner and parser
// (Zend/zend_ini_scanner.l, zend_ini_parser.y; PHP manual "The configuration
// file"), checked against `php -n -c FILE` by the differential tests:
//   - `key = value`; keys are case-sensitive, surrounding blanks dropped;
//     `key[offset] = value` is an array entry (php-fpm's php_admin_value[...]);
//   - `;` starts a comment; `#` does NOT (PHP 7 removed it: "#x = 1" sets "#x");
//   - unquoted values end at `;` or the end of the line, trailing blanks
//     dropped, inner blanks kept; `"..."` keeps `;`, may span lines, expands
//     `${VAR}` and unescapes \" \\ \$ (other backslashes stay), blanks next to
//     the quotes are dropped; `'...'` is literal; adjacent pieces join;
//   - `${VAR}` is an earlier directive's value, else the environment;
//   - an unquoted value that is exactly the name of a constant PHP defines
//     before it reads its ini files becomes that constant's value
//     (php_constants.hpp); other names stay text;
//   - a UTF-8 byte order mark at the very start is skipped;
//   - a NUL byte is a label character in a key, is kept inside quotes, and
//     ends an unquoted value like an end of line (blanks before it kept)
//     without ending the line: what follows on that line is a new statement
//     (observed with php-cli 8.2: the file does not end there);
//   - true/on/yes give "1"; false/off/no/none/null give "" (alone only);
//   - `| & ^ ~ ! ( )` make an integer expression over atoi() of the operands
//     and the E_* constants;
//   - `[PATH=...]` / `[HOST=...]` sections (a name starting with PATH or HOST,
//     any case) hold per-directory/per-host values used only by CGI/FastCGI;
//     every later entry of the file belongs to such a section;
//   - a syntax error stops the file; entries before it stay in effect.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "php_constants.hpp"

namespace clinic_audit::php {

struct IniEntry {
  std::string key;
  std::optional<std::string> offset;  // key[offset] = ...
  std::string value;
  int line = 0;                                // line of the key
  std::string section;                         // current [section] ("" before any)
  std::optional<std::string> special_section;  // "PATH=/var/www" when in such a section
  std::vector<std::string> unresolved;         // ${VAR} found neither in earlier directives nor in the lookup
  // Constants PHP replaces by a value that depends on its exact build
  // (PHP_VERSION...): the value keeps the name.
  std::vector<std::string> unknown_constants;
};

struct IniSyntaxError {
  int line = 0;
  std::string message;
};

struct IniFile {
  std::vector<IniEntry> entries;  // file order
  std::optional<IniSyntaxError> error;
  // Set when the file was abandoned because evaluating it would exceed our
  // bounds (a ${...} expansion bomb): its entries cannot be trusted and the
  // check must say `error`, never judge from a part of the file.
  std::optional<IniSyntaxError> limit;
  std::size_t expanded_bytes = 0;  // bytes ${...} and constants added
};

// Resolves ${VAR} not set by an earlier entry of this file: the caller's
// earlier files, then the environment. nullopt: unknown (PHP yields "").
using IniVarLookup = std::function<std::optional<std::string>(std::string_view)>;

// A constant's value as PHP would substitute it; nullopt: not a constant.
using IniConstantLookup = std::function<std::optional<ConstantValue>(std::string_view)>;

struct IniParseOptions {
  IniVarLookup variables;
  IniConstantLookup constants;  // empty: startup_constant(name, {}) (no build known)
  // Bytes ${...} may add to the file's values in all; past it the file is
  // abandoned (IniFile::limit). PHP itself would grow without bound.
  std::size_t expansion_budget = kDefaultExpansionBudget;
  static constexpr std::size_t kDefaultExpansionBudget = 1024 * 1024;
};

IniFile parse_php_ini(std::string_view text, const IniVarLookup& lookup = {});
IniFile parse_php_ini(std::string_view text, const IniParseOptions& options);

}  // namespace clinic_audit::php
