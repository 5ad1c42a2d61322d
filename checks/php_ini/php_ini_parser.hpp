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

namespace clinic_audit::php {

struct IniEntry {
  std::string key;
  std::optional<std::string> offset;  // key[offset] = ...
  std::string value;
  int line = 0;                        // line of the key
  std::string section;                 // current [section] ("" before any)
  std::optional<std::string> special_section;  // "PATH=/var/www" when in such a section
  std::vector<std::string> unresolved;  // ${VAR} found neither in earlier directives nor in the lookup
  std::vector<std::string> unknown_constants;  // bare names PHP might replace by a constant's value
};

struct IniSyntaxError {
  int line = 0;
  std::string message;
};

struct IniFile {
  std::vector<IniEntry> entries;  // file order
  std::optional<IniSyntaxError> error;
};

// Resolves ${VAR} not set by an earlier entry of this file: the caller's
// earlier files, then the environment. nullopt: unknown (PHP yields "").
using IniVarLookup = std::function<std::optional<std::string>(std::string_view)>;

IniFile parse_php_ini(std::string_view text, const IniVarLookup& lookup = {});

}  // namespace clinic_audit::php
