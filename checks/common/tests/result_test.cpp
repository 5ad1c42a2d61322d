// Result vocabulary: names round-trip, factories set the status.
#include "result.hpp"

#include <gtest/gtest.h>

namespace clinic_audit {
namespace {

TEST(Result, StatusNamesRoundTrip) {
  const std::vector<std::pair<Status, std::string_view>> all{{Status::pass, "pass"},
                                                             {Status::fail, "fail"},
                                                             {Status::error, "error"},
                                                             {Status::not_applicable, "not_applicable"},
                                                             {Status::waived, "waived"},
                                                             {Status::skipped, "skipped"}};
  for (const auto& [status, name] : all) {
    EXPECT_EQ(to_string(status), name);
    EXPECT_EQ(parse_status(name), status) << name;
  }
  EXPECT_EQ(parse_status("PASS"), std::nullopt);
  EXPECT_EQ(parse_status(""), std::nullopt);
  EXPECT_EQ(parse_status("ok"), std::nullopt);
}

TEST(Result, SeverityNamesRoundTrip) {
  const std::vector<std::pair<Severity, std::string_view>> all{{Severity::critical, "critical"},
                                                               {Severity::high, "high"},
                                                               {Severity::medium, "medium"},
                                                               {Severity::low, "low"},
                                                               {Severity::info, "info"}};
  for (const auto& [severity, name] : all) {
    EXPECT_EQ(to_string(severity), name);
    EXPECT_EQ(parse_severity(name), severity) << name;
  }
  EXPECT_EQ(parse_severity("warning"), std::nullopt);
}

TEST(Result, Factories) {
  const Evidence e{"/etc/x", 3, "mode=0666", "mode=0644"};
  const Outcome pass = Outcome::pass("ok", {e});
  EXPECT_EQ(pass.status, Status::pass);
  EXPECT_EQ(pass.summary, "ok");
  EXPECT_EQ(pass.evidence, std::vector<Evidence>{e});
  EXPECT_EQ(pass.remediation, "");
  EXPECT_EQ(Outcome::fail("f").status, Status::fail);
  EXPECT_EQ(Outcome::error("e").status, Status::error);
  EXPECT_EQ(Outcome::not_applicable("n").status, Status::not_applicable);
  const Outcome skipped = Outcome::skipped("offline");
  EXPECT_EQ(skipped.status, Status::skipped);
  EXPECT_EQ(skipped.summary, "offline");
  EXPECT_TRUE(skipped.evidence.empty());
  // A default outcome is an error, never a silent pass.
  EXPECT_EQ(Outcome{}.status, Status::error);
  EXPECT_NE(e, (Evidence{"/etc/x", std::nullopt, "mode=0666", "mode=0644"}));
}

}  // namespace
}  // namespace clinic_audit
