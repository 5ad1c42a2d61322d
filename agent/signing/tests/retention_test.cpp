// Retention keeps the newest N report sets and never removes one the
// collector has not acknowledged (issue #8 item 6).
#include <gtest/gtest.h>

#include "retention.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

std::string stamp(int i) { return "20261122T1504" + std::to_string(10 + i) + "Z"; }

class Retention : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(reports_);
    for (int i = 1; i <= 6; ++i) {
      for (const char* ext : {"json", "xml", "json.p7s", "xml.p7s"})
        test::write_text(test::report_path(reports_, stamp(i), ext), "x");
    }
    test::write_text(reports_ / "unrelated.txt", "kept");
  }
  bool present(int i) const { return std::filesystem::exists(test::report_path(reports_, stamp(i), "json")); }
  test::TempDir dir_;
  std::filesystem::path reports_ = dir_ / "reports";
  std::filesystem::path spool_ = dir_ / "spool";
};

TEST_F(Retention, KeepsNewestNAndSparesUnacknowledged) {
  std::filesystem::create_directories(spool_);
  // Report 2 waits in the spool for the collector's acknowledgment.
  // Spool names: <sequence, 20 digits>-<report file name> (spool.hpp).
  test::write_text(spool_ / ("00000000000000000002-" + test::report_path(spool_, stamp(2), "json").filename().string()),
                   "x");
  const PruneResult result = prune_reports(reports_, 3, acknowledged_unless_spooled(spool_));
  EXPECT_FALSE(present(1));
  EXPECT_TRUE(present(2));
  EXPECT_FALSE(present(3));
  EXPECT_TRUE(present(4) && present(5) && present(6));
  EXPECT_EQ(result.removed.size(), 8u);  // two sets of four files
  EXPECT_FALSE(std::filesystem::exists(test::report_path(reports_, stamp(1), "xml.p7s")));
  ASSERT_EQ(result.kept_unacknowledged.size(), 1u);
  EXPECT_EQ(result.kept_unacknowledged[0], "clinic-audit-testhost-" + stamp(2));
  EXPECT_TRUE(std::filesystem::exists(reports_ / "unrelated.txt"));
}

TEST_F(Retention, NothingToDoUnderTheLimit) {
  EXPECT_TRUE(prune_reports(reports_, 6, [](const ReportSet&) { return true; }).removed.empty());
  EXPECT_TRUE(present(1));
}

TEST_F(Retention, NoSpoolDirectoryMeansEverythingAcknowledged) {
  prune_reports(reports_, 1, acknowledged_unless_spooled(spool_));
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(present(i)) << i;
  EXPECT_TRUE(present(6));
}

}  // namespace
}  // namespace clinic_audit::signing
