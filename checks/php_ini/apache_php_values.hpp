// php_admin_value / php_value / php_admin_flag / php_flag lines of Apache
// configuration files, which override php.ini for mod_php (PHP manual, "How
// to change configuration settings": "Apache configuration files"). Text in,
// directives out, no I/O. Apache syntax (httpd docs, "Configuration Files"):
// '#' starts a comment line, a trailing '\' continues the line, directive
// names are case-insensitive, arguments may be double-quoted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::php {

struct ApachePhpValue {
  std::string directive;  // lower-cased: php_admin_value, php_value, php_admin_flag, php_flag
  std::string name;       // the ini directive
  std::string value;
  int line = 0;
};

std::vector<ApachePhpValue> parse_apache_php_values(std::string_view text);

}  // namespace clinic_audit::php
