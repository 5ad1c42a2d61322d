#include "php_ini/apache_php_values.hpp"

#include <gtest/gtest.h>

namespace clinic_audit::php {
namespace {

TEST(ApachePhpValues, DirectivesCommentsAndContinuations) {
  const auto v = parse_apache_php_values(
      "<VirtualHost *:80>\n  # php_admin_value sys_temp_dir /no\n  PHP_Admin_Value sys_temp_dir \"/srv/tmp\"\n"
      "  php_value memory_limit \\\n    256M\n</VirtualHost>\n");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].directive, "php_admin_value");
  EXPECT_EQ(v[0].name, "sys_temp_dir");
  EXPECT_EQ(v[0].value, "/srv/tmp");
  EXPECT_EQ(v[0].line, 3);
  EXPECT_EQ(v[1].value, "256M");
  EXPECT_EQ(v[1].line, 4);
}

}  // namespace
}  // namespace clinic_audit::php
