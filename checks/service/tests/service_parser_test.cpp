#include "service/service_parser.hpp"

#include <gtest/gtest.h>

namespace clinic_audit::service {
namespace {

TEST(ServiceParser, InstallListsAccumulateAndReset) {
  const auto unit = systemd::parse_unit_file(
      "[Service]\nWantedBy=ignored.target\n[Install]\nWantedBy=a.target b.target\nWantedBy=\nWantedBy=c.target\n"
      "Alias=x.service\nRequiredBy=d.target\n");
  const auto info = parse_install_section(unit);
  EXPECT_EQ(info.wanted_by, std::vector<std::string>{"c.target"});
  EXPECT_EQ(info.required_by, std::vector<std::string>{"d.target"});
  EXPECT_EQ(info.aliases, std::vector<std::string>{"x.service"});
  EXPECT_TRUE(parse_install_section(systemd::parse_unit_file("[Service]\nExecStart=/bin/true\n")).empty());
}

TEST(ServiceParser, SysvStartLinks) {
  EXPECT_EQ(sysv_start_link_service("S01compagnonApicrypt"), "compagnonApicrypt");
  EXPECT_FALSE(sysv_start_link_service("K01compagnonApicrypt"));
  EXPECT_FALSE(sysv_start_link_service("Sxycompagnon"));
  EXPECT_FALSE(sysv_start_link_service("S01"));
}

}  // namespace
}  // namespace clinic_audit::service
