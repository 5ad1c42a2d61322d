// Report names, primaries, and the content-hints attribute.
#include <gtest/gtest.h>

#include "content_hints.hpp"
#include "report_content.hpp"
#include "report_files.hpp"

namespace clinic_audit::signing {
namespace {

TEST(ReportNames, ParsesEveryFormatAndDottedHostnames) {
  const auto junit = parse_report_name("clinic-audit-cab.example.org-20261122T150405Z.junit.xml");
  ASSERT_TRUE(junit);
  EXPECT_EQ(junit->hostname, "cab.example.org");
  EXPECT_EQ(junit->timestamp, "20261122T150405Z");
  EXPECT_EQ(junit->ext, "junit.xml");
  EXPECT_EQ(junit->stem, "clinic-audit-cab.example.org-20261122T150405Z");
  for (const char* ext : {"json", "xml", "txt", "nagios.txt", "prom"}) {
    const auto parsed = parse_report_name(std::string("clinic-audit-h-20261122T150405Z.") + ext);
    ASSERT_TRUE(parsed) << ext;
    EXPECT_EQ(parsed->ext, ext);
  }
  EXPECT_FALSE(parse_report_name("clinic-audit-h-20261122T150405Z.json.p7s"));
  EXPECT_FALSE(parse_report_name("clinic-audit-h-2026112T150405Z.json"));
  EXPECT_FALSE(parse_report_name("other-h-20261122T150405Z.json"));
}

TEST(ReportNames, PrimaryIsJsonElseFirstWritten) {
  EXPECT_EQ(choose_primary({"a.txt", "a.xml", "a.json"}), "a.json");
  EXPECT_EQ(choose_primary({"a.xml", "a.txt"}), "a.xml");
  EXPECT_EQ(choose_primary({"a.prom"}), "a.prom");
}

TEST(ContentHints, RoundTripsLongAndShortNames) {
  for (const std::string& name : {std::string("r.json"), std::string(300, 'n')}) {
    EXPECT_EQ(decode_content_hints(encode_content_hints(name)), name);
  }
  EXPECT_FALSE(decode_content_hints(std::string("\x30\x05\x0c\x09", 4)));
  EXPECT_EQ(encode_content_hints("a"), std::string("\x30\x0e\x0c\x01"
                                                   "a"
                                                   "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01",
                                                   16));
}

// The collector reads report bodies from the network: JSON nested past 64
// levels is refused before nlohmann builds it (64 KiB of '[' took over a second
// under ASan, found by a deep-nesting input to fuzz_report_content).
TEST(ReportContent, JsonNestedBeyond64LevelsIsRefused) {
  try {
    (void)parse_report_content(std::string(65000, '['), ReportFormat::json);
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 64"), std::string::npos) << e.what();
  }
  std::string deep =
      R"({"report_id":"r","host":{"hostname":"h","machine_id":"m"},"run":{"started_at":"x","sequence":1,)"
      R"("previous_sha256":null},"results":[{"check_id":"c","status":"pass","evidence":[)";
  for (int i = 0; i < 50; ++i) deep += "[";
  for (int i = 0; i < 50; ++i) deep += "]";
  deep += "]}]}";
  EXPECT_EQ(parse_report_content(deep, ReportFormat::json).results.size(), 1U);  // 55 levels still read
}

}  // namespace
}  // namespace clinic_audit::signing
