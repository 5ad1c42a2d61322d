// Which values stop systemd 252's parser (the differential test checks a
// case per kind against systemd-analyze; these pin the rules one by one).
#include "common/systemd/fatal_settings.hpp"

#include <gtest/gtest.h>

namespace clinic_audit::systemd {
namespace {

TEST(FatalSettings, FatalValues) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{{"ExecStart", "bin/x"},
                                                                                   {"ExecStartPre", "/bin/true \"open"},
                                                                                   {"ExecStop", "@"},
                                                                                   {"ExecReload", "/bin/kill%z"},
                                                                                   {"User", "a:b"},
                                                                                   {"User", "-1"},
                                                                                   {"User", "%z"},
                                                                                   {"Group", "4294967295"},
                                                                                   {"SupplementaryGroups", "ok b/d"},
                                                                                   {"WorkingDirectory", "var/www"},
                                                                                   {"RootDirectory", "srv"},
                                                                                   {"RootImage", "%z"},
                                                                                   {"AppArmorProfile", "%z"},
                                                                                   {"DynamicUser", ""},
                                                                                   {"DynamicUser", "maybe"}}) {
    EXPECT_TRUE(fatal_setting_error("Service", key, value)) << key << "=" << value;
  }
}

TEST(FatalSettings, AcceptedOrIgnoredValues) {
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{{"ExecStart", "x"},
                                                                                   {"ExecStart", "-bin/x"},
                                                                                   {"ExecStart", ""},
                                                                                   {"ExecStart", "/bin/echo %n %%"},
                                                                                   {"User", "in valid!"},
                                                                                   {"User", "0"},
                                                                                   {"User", ""},
                                                                                   {"WorkingDirectory", "~"},
                                                                                   {"WorkingDirectory", "-var/www"},
                                                                                   {"RootDirectory", ""},
                                                                                   {"PrivateTmp", "bogus"},
                                                                                   {"Type", "bogus"},
                                                                                   {"DynamicUser", "yes"},
                                                                                   {"SELinuxContext", "-%z"}}) {
    EXPECT_FALSE(fatal_setting_error("Service", key, value)) << key << "=" << value;
  }
  EXPECT_FALSE(fatal_setting_error("Unit", "ExecStart", "bin/x"));
}

}  // namespace
}  // namespace clinic_audit::systemd
