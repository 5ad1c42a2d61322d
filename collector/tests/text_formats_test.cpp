// Texts the collector reads from users and writes for spreadsheets: RFC 3339
// times and dates (`export --at`, `token create --expires`, a report's
// run.started_at) and CSV cells.
#include <gtest/gtest.h>

#include "export.hpp"
#include "report_content.hpp"

namespace clinic_audit::collector {
namespace {

// A day that does not exist in its month is refused, not rolled over into
// the next one by timegm (2026-11-31 read as 2026-12-01).
TEST(TextFormats, Rfc3339TimesNameDaysThatExist) {
  EXPECT_TRUE(signing::parse_rfc3339("2026-11-30T23:59:59Z"));
  EXPECT_TRUE(signing::parse_rfc3339("2024-02-29T00:00:00Z"));  // leap year
  EXPECT_TRUE(signing::parse_rfc3339("2000-02-29T00:00:00Z"));  // divisible by 400
  EXPECT_TRUE(signing::parse_rfc3339("2026-12-31T12:00:00+01:00"));
  for (const char* impossible : {"2026-11-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
                                 "2026-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-06-31T00:00:00Z",
                                 "2026-09-31T00:00:00Z", "2026-12-32T00:00:00Z", "2026-00-10T00:00:00Z"}) {
    EXPECT_FALSE(signing::parse_rfc3339(impossible)) << impossible;
  }
}

// OWASP CSV injection: a cell starting = + - @ TAB or CR is prefixed with '
// (and quoted) in `export --format csv`, as in the dashboard's exports.
TEST(TextFormats, CsvCellsNeverStartAFormula) {
  EXPECT_EQ(csv_field("=1+1"), "\"'=1+1\"");
  EXPECT_EQ(csv_field("-2"), "\"'-2\"");
  EXPECT_EQ(csv_field("@SUM(A1)"), "\"'@SUM(A1)\"");
  EXPECT_EQ(csv_field("\t=1+1"), "\"'\t=1+1\"");
  EXPECT_EQ(csv_field("\r=2+2"), "\"'\r=2+2\"");
  EXPECT_EQ(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
  EXPECT_EQ(csv_field("plain"), "plain");
}

}  // namespace
}  // namespace clinic_audit::collector
