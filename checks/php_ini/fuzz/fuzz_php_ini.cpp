// libFuzzer target for the PHP INI parser and the Apache php_value parser
// (checks/php_ini): any bytes must parse without crash or hang; entries and
// the syntax error must point at lines that exist; ${...} and constants
// never grow the values past the expansion budget.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "php_ini/apache_php_values.hpp"
#include "php_ini/php_ini_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOME") return std::string("/root");
    return std::nullopt;
  };
  const auto ini = clinic_audit::php::parse_php_ini(text, lookup);
  std::size_t lines = 1;
  for (char c : text) lines += (c == '\n' || c == '\r') ? 1 : 0;
  for (const auto& e : ini.entries) {
    if (e.line < 1 || static_cast<std::size_t>(e.line) > lines) std::abort();
  }
  if (ini.error && (ini.error->line < 1 || static_cast<std::size_t>(ini.error->line) > lines + 1)) std::abort();
  // With a build known and a small ${...} budget (issue #20 item 4): the
  // expansion never exceeds what was granted, whatever the input.
  clinic_audit::php::IniParseOptions options;
  options.variables = lookup;
  const clinic_audit::php::PhpBuild build{"8.2", "fpm"};
  options.constants = [&build](std::string_view name) { return clinic_audit::php::startup_constant(name, build); };
  options.expansion_budget = 4096;
  const auto bounded = clinic_audit::php::parse_php_ini(text, options);
  std::size_t values = 0;
  for (const auto& e : bounded.entries) values += e.value.size();
  if (!bounded.limit && bounded.expanded_bytes > options.expansion_budget) std::abort();
  if (values > size + options.expansion_budget + 64) std::abort();
  (void)clinic_audit::php::parse_apache_php_values(text);
  return 0;
}
