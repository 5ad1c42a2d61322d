// Absolute-form request targets routed as their path (RFC 9112 §3.2.2).
#include <gtest/gtest.h>

#include "request_target.hpp"

namespace clinic_audit::collector {
namespace {

TEST(RequestTarget, AbsoluteFormBecomesItsPathOtherFormsStayAsTheyAre) {
  EXPECT_EQ(origin_form("https://127.0.0.1:8443/api/v1/reports"), "/api/v1/reports");
  EXPECT_EQ(origin_form("HTTP://collector.example/healthz?x=1"), "/healthz?x=1");
  EXPECT_EQ(origin_form("https://collector.example"), "/");
  EXPECT_EQ(origin_form("https://collector.example?q"), "/?q");
  EXPECT_EQ(origin_form("/fleet?site=a"), "/fleet?site=a");
  EXPECT_EQ(origin_form("*"), "*");
  EXPECT_EQ(origin_form("collector.example:443"), "collector.example:443");
  EXPECT_EQ(origin_form("ftp://x/y"), "ftp://x/y");
}

}  // namespace
}  // namespace clinic_audit::collector
