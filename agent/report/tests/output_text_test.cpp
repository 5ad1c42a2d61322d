// The text policy every renderer relies on (output_text.hpp) and the
// RFC 3339 reader behind the metrics timestamp.
#include <gtest/gtest.h>

#include "output_text.hpp"
#include "rfc3339.hpp"

namespace clinic_audit::report_output {
namespace {

const std::string R(kReplacement);

TEST(ValidText, KeepsWellFormedTextAndAllowedWhitespace) {
  const std::string text = "é 日本 🏥 <&\"'>\t\r\n \\ |";
  EXPECT_EQ(valid_text(text), text);
}

// Unicode 15 §3.9, Table 3-8: one U+FFFD per maximal subpart.
TEST(ValidText, ReplacesIllFormedSequencesPerMaximalSubpart) {
  EXPECT_EQ(valid_text("a\xff"
                       "b"),
            "a" + R + "b");
  EXPECT_EQ(valid_text("\xe2\x82"), R);  // truncated 3-byte sequence: one subpart
  EXPECT_EQ(valid_text("\xe2\x82"
                       "A"),
            R + "A");
  EXPECT_EQ(valid_text("\xc0\xaf"), R + R);                  // overlong: C0 is never a lead
  EXPECT_EQ(valid_text("\xed\xa0\x80"), R + R + R);          // UTF-16 surrogate D800
  EXPECT_EQ(valid_text("\xf4\x90\x80\x80"), R + R + R + R);  // above U+10FFFF
  EXPECT_EQ(valid_text("\xf0\x9f\x8f"), R);                  // truncated emoji
  EXPECT_EQ(valid_text("\x80\xbf"), R + R);                  // lone continuation bytes
  EXPECT_EQ(valid_text("\xc3\x28"), R + "(");
}

TEST(ValidText, ReplacesControlsXmlOrTerminalsWouldMisread) {
  EXPECT_EQ(valid_text(std::string("a\0b", 3)), "a" + R + "b");
  EXPECT_EQ(valid_text("\x1b[31m"), R + "[31m");  // ESC
  EXPECT_EQ(valid_text("\x07\x7f"), R + R);       // BEL, DEL
  EXPECT_EQ(valid_text("\xc2\x9b"
                       "31m"),
            R + "31m");                                      // C1 CSI
  EXPECT_EQ(valid_text("\xef\xbf\xbe\xef\xbf\xbf"), R + R);  // U+FFFE, U+FFFF
  EXPECT_EQ(valid_text("\xef\xbf\xbd"), R);                  // U+FFFD itself is fine
}

TEST(NormalizedForOutput, CleansEveryStringAndClampsNumbers) {
  Report report;
  report.host.hostname = "h\xff";
  report.run.previous_sha256 = "\x01";
  report.run.duration_seconds = -1;
  ResultRecord result;
  result.check_id = "c\xfe";
  result.duration_ms = -5;
  result.waiver_reason = "w\x1b";
  result.evidence = {{"p\xff", 0, "o\xff", "e\xff"}, {"", -3, "", ""}, {"", 9, "", ""}};
  report.results.push_back(result);
  const Report out = normalized_for_output(report);
  EXPECT_EQ(out.host.hostname, "h" + R);
  EXPECT_EQ(out.run.previous_sha256, R);
  EXPECT_EQ(out.run.duration_seconds, 0);
  const auto& r = out.results.at(0);
  EXPECT_EQ(r.check_id, "c" + R);
  EXPECT_EQ(r.duration_ms, 0);
  EXPECT_EQ(r.waiver_reason, "w" + R);
  EXPECT_EQ(r.evidence[0].path, "p" + R);
  EXPECT_EQ(r.evidence[0].observed, "o" + R);
  EXPECT_EQ(r.evidence[0].expected, "e" + R);
  EXPECT_FALSE(r.evidence[0].line.has_value());
  EXPECT_FALSE(r.evidence[1].line.has_value());
  EXPECT_EQ(r.evidence[2].line, 9);
}

TEST(DisplayWidth, CountsCodePoints) {
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width("médical"), 7u);
  EXPECT_EQ(display_width("🏥"), 1u);
}

TEST(UnixSeconds, ReadsRfc3339) {
  EXPECT_EQ(unix_seconds("1970-01-01T00:00:00Z"), 0.0);
  EXPECT_EQ(unix_seconds("2026-11-22T15:04:05Z"), 1795359845.0);
  EXPECT_EQ(unix_seconds("2026-11-22T15:04:05.250Z"), 1795359845.25);
  EXPECT_EQ(unix_seconds("2026-11-22T16:04:05+01:00"), 1795359845.0);
  EXPECT_EQ(unix_seconds("2026-11-22t15:04:05z"), 1795359845.0);
  EXPECT_EQ(unix_seconds("2000-02-29T00:00:00Z"), 951782400.0);
}

TEST(UnixSeconds, RejectsMalformed) {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T15:04:05", "2026-02-30T00:00:00Z", "2026-11-22T24:00:00Z",
                          "2026-11-22T15:04:05.Z", "2026-11-22T15:04:05Zjunk", "2026-11-22 15:04:05Z",
                          "2026-11-22T15:04:05+0100", "abcd-11-22T15:04:05Z"}) {
    EXPECT_FALSE(unix_seconds(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace clinic_audit::report_output
