// The PHP constants a php.ini value can name. PHP parses its ini files in
// php_module_startup() before any extension starts, so only the constants the
// core registers first exist then (main/main.c php_register_..., Zend's
// zend_register_standard_constants()): E_*, PHP_VERSION, PHP_EOL,
// ZEND_THREAD_SAFE... An unquoted value that is exactly one such name
// (zend_ini_parser.y: TC_CONSTANT -> zend_ini_get_constant() ->
// zend_get_constant()) is replaced by the constant's value as a string
// (false -> "", true -> "1"); any other name stays text. Found by asking
// php-cli 8.2 itself (tests: PhpIniConstants.*).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::php {

// What we know of the PHP build that reads the file (Debian's packages).
struct PhpBuild {
  std::string version;  // "8.2" ("" when unknown)
  std::string sapi;     // cli | fpm | apache2 | cgi ("" when unknown)
};

struct ConstantValue {
  std::string value;
  // True when the value depends on the exact PHP build (its release number,
  // its binary path...), which a file audit cannot see: `value` is then the
  // constant's name, what we show, not what PHP would use.
  bool build_specific = false;
};

// nullopt: not a constant PHP knows while reading ini files (left as text).
std::optional<ConstantValue> startup_constant(std::string_view name, const PhpBuild& build);

}  // namespace clinic_audit::php
