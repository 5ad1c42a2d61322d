#include <gtest/gtest.h>

#include <stdexcept>

#include "endpoint_spec.hpp"

namespace clinic_audit::reachability {
namespace {

TEST(EndpointSpec, PortListsAsTheSeedWritesThem) {
  EXPECT_EQ(parse_port_list("443,49152...65535"), (std::vector<PortRange>{{443, 443}, {49152, 65535}}));
  EXPECT_EQ(parse_port_list("49152-65535"), (std::vector<PortRange>{{49152, 65535}}));
  EXPECT_EQ(format_port_list(parse_port_list(" 443 , 49152-65535")), "443,49152-65535");
  EXPECT_THROW(parse_port_list("0"), std::invalid_argument);
  EXPECT_THROW(parse_port_list("65536"), std::invalid_argument);
  EXPECT_THROW(parse_port_list("500-400"), std::invalid_argument);
  EXPECT_THROW(parse_port_list(""), std::invalid_argument);
}

TEST(EndpointSpec, ServersWithTheSeedsPunctuation) {
  const auto server = parse_server("mp-hds.apizee.com (146.59.148.218 , 135.125.9.9)");
  EXPECT_EQ(server.name, "mp-hds.apizee.com");
  EXPECT_EQ(server.addresses, (std::vector<std::string>{"146.59.148.218", "135.125.9.9"}));
  const auto sfu = parse_server("::1");
  EXPECT_TRUE(sfu.name.empty());
  EXPECT_EQ(sfu.label(), "::1");
  EXPECT_THROW(parse_server("a.example b.example"), std::invalid_argument);
}

TEST(EndpointSpec, ProxyUrls) {
  const auto proxy = parse_proxy_url("http://alice:s%40cret@proxy.lan:3128/");
  EXPECT_EQ(proxy.host, "proxy.lan");
  EXPECT_EQ(proxy.port, 3128);
  EXPECT_EQ(proxy.authorization, "Basic YWxpY2U6c0BjcmV0");  // alice:s@cret
  EXPECT_EQ(proxy.display, "http://alice:***@proxy.lan:3128");
  EXPECT_EQ(parse_proxy_url("[::1]:8080").host, "::1");
  EXPECT_EQ(parse_proxy_url("10.0.0.1").port, 3128);
  EXPECT_THROW(parse_proxy_url("https://proxy.lan:3128"), std::invalid_argument);
  EXPECT_THROW(parse_proxy_url("http://:80"), std::invalid_argument);
}

}  // namespace
}  // namespace clinic_audit::reachability
