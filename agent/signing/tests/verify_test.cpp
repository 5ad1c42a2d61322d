// `clinic-audit verify` names each tampering precisely and exits 0 only when
// everything holds (issue #8 item 5).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "report_files.hpp"
#include "sign_report.hpp"
#include "signing_test_support.hpp"
#include "verify.hpp"

namespace clinic_audit::signing {
namespace {

std::string stamp(int i) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "20261122T1504%02dZ", i);
  return buffer;
}

class Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    pair_ = test::self_signed(dir_.path(), "agent");
    std::filesystem::create_directory(reports_);
  }
  SigningIdentity identity() const { return SigningIdentity::load(pair_.key, pair_.cert); }

  // Sets 1..n, each chained to the JSON report of the one before.
  void chain(int n) {
    const auto id = identity();
    std::optional<std::string> previous;
    for (int i = 1; i <= n; ++i) {
      sets_.push_back(test::write_signed_set(id, reports_, stamp(i), static_cast<std::uint64_t>(i), previous));
      previous = sha256_hex(test::read_text(sets_.back()[0]));
    }
  }

  int verify(std::vector<std::filesystem::path> inputs, std::optional<std::filesystem::path> ca = std::nullopt,
             ExpiryAt at = ExpiryAt::signing_time, std::time_t now = 0) {
    VerifyOptions options;
    options.inputs = std::move(inputs);
    options.ca_file = ca ? *ca : pair_.cert;
    options.xsd = test::schema_dir() / "report.xsd";
    options.json_schema = test::schema_dir() / "report.schema.json";
    options.expiry_at = at;
    options.now = now;
    std::ostringstream out;
    const int code = run_verify(options, out);
    output_ = out.str();
    return code;
  }
  bool said(const std::string& text) const { return output_.find(text) != std::string::npos; }

  test::TempDir dir_;
  std::filesystem::path reports_ = dir_ / "reports";
  test::KeyPair pair_;
  std::vector<std::vector<std::filesystem::path>> sets_;
  std::string output_;
};

TEST_F(Verify, IntactChainHolds) {
  chain(3);
  EXPECT_EQ(verify({reports_}), 0) << output_;
  EXPECT_TRUE(said("verified 6 report file(s): signatures, certificate chain, schema, sequence and hash chain hold"));
  EXPECT_TRUE(said("ok   " + sets_[1][1].filename().string() + ": signed by "));
}

TEST_F(Verify, ByteChanged) {
  chain(2);
  std::string bytes = test::read_text(sets_[0][0]);
  bytes[bytes.find("manual")] = 'M';
  test::write_text(sets_[0][0], bytes);
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL " + sets_[0][0].filename().string() + ": report altered after signing: its SHA-256 is " +
                   sha256_hex(bytes)))
      << output_;
  EXPECT_TRUE(said("(at least one byte changed)"));
}

TEST_F(Verify, WrongCa) {
  chain(1);
  const auto stranger = test::make_test_ca(dir_.path(), "Other Region CA");
  EXPECT_EQ(verify({reports_}, stranger.cert), 1);
  EXPECT_TRUE(said("FAIL " + sets_[0][0].filename().string() + ": wrong CA: the signing certificate")) << output_;
  EXPECT_TRUE(said("does not chain to the given CA"));
}

TEST_F(Verify, CertificateOfAnotherCaIssuedAgent) {
  const auto ca = test::make_test_ca(dir_.path(), "Regional CA");
  const auto other_ca = test::make_test_ca(dir_.path(), "Rogue CA");
  pair_ = test::ca_issued(dir_.path(), "issued", other_ca);
  chain(1);
  EXPECT_EQ(verify({reports_}, ca.cert), 1);
  EXPECT_TRUE(said("wrong CA")) << output_;
  EXPECT_TRUE(said("issued by \"CN=Rogue CA,O=Test Region\"")) << output_;
  EXPECT_EQ(verify({reports_}, other_ca.cert), 0) << output_;
}

TEST_F(Verify, IntermediateCaEmbeddedInTheSignature) {
  const auto root = test::make_test_ca(dir_.path(), "Root CA");
  const auto intermediate = test::make_test_ca(dir_.path(), "Intermediate CA", root);
  pair_ = test::ca_issued(dir_.path(), "issued", intermediate);
  test::write_signed_set(SigningIdentity::load(pair_.key, pair_.cert, intermediate.cert), reports_, stamp(1), 1,
                         std::nullopt);
  EXPECT_EQ(verify({reports_}, root.cert), 0) << output_;
  // The intermediate alone is not a trust anchor for this library either.
  EXPECT_EQ(verify({reports_}, intermediate.cert), 1);
  EXPECT_TRUE(said("wrong CA")) << output_;
}

TEST_F(Verify, CertificateExpiredWhenSigned) {
  // The agent refuses such a key; an attacker with stock OpenSSL does not.
  test::write_cert_with_validity(pair_.key, pair_.cert, -10 * 86400, -86400);
  const auto report = test::report_path(reports_, stamp(1), "json");
  test::write_text(report, test::sample_report("json", 1, std::nullopt));
  ASSERT_EQ(test::run_shell("openssl cms -sign -binary -outform DER -md sha256 -signer " + test::quote(pair_.cert) +
                            " -inkey " + test::quote(pair_.key) + " -in " + test::quote(report) + " -out " +
                            test::quote(report.string() + ".p7s"))
                .exit_code,
            0);
  EXPECT_EQ(verify({report}), 1);
  EXPECT_TRUE(
      said("FAIL " + report.filename().string() + ": expired certificate: certificate \"CN=testhost\" expired on "))
      << output_;
  EXPECT_TRUE(said(", before the report was signed (")) << output_;
}

TEST_F(Verify, CertificateExpiredSinceIsANoteUnlessCheckedAtNow) {
  chain(1);
  const std::time_t in_ten_years = std::time(nullptr) + 10L * 365 * 86400;
  EXPECT_EQ(verify({reports_}, std::nullopt, ExpiryAt::signing_time, in_ten_years), 0) << output_;
  EXPECT_TRUE(said("certificate expired since, on "));
  EXPECT_EQ(verify({reports_}, std::nullopt, ExpiryAt::now, in_ten_years), 1);
  EXPECT_TRUE(said("expired certificate")) << output_;
}

TEST_F(Verify, SignatureOfAnotherReport) {
  chain(2);
  std::filesystem::copy_file(sets_[0][0].string() + ".p7s", sets_[1][0].string() + ".p7s",
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL " + sets_[1][0].filename().string() + ": signature of another report: " +
                   sets_[1][0].filename().string() + ".p7s signs " + sets_[0][0].filename().string()))
      << output_;
  // Verified alone, the signed attributes still name the report it was made for.
  EXPECT_EQ(verify({sets_[1][0]}), 1);
  EXPECT_TRUE(said(".p7s was made for " + sets_[0][0].filename().string())) << output_;
}

TEST_F(Verify, GapInSequence) {
  chain(3);
  for (const auto& file : sets_[1]) {
    std::filesystem::remove(file);
    std::filesystem::remove(file.string() + ".p7s");
  }
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL chain: gap in sequence: report(s) 2 missing between clinic-audit-testhost-" + stamp(1) +
                   " and clinic-audit-testhost-" + stamp(3)))
      << output_;
}

TEST_F(Verify, NumberSkippedByAnInterruptedRunIsNotAGap) {
  const auto id = identity();
  const auto first = test::write_signed_set(id, reports_, stamp(1), 1, std::nullopt);
  test::write_signed_set(id, reports_, stamp(3), 3, sha256_hex(test::read_text(first[0])));
  EXPECT_EQ(verify({reports_}), 0) << output_;
  EXPECT_TRUE(said("note chain: sequence 2 skipped by the agent")) << output_;
}

TEST_F(Verify, ReplayedReport) {
  chain(2);
  // An old report presented again under a newer name.
  for (const auto& file : sets_[0]) {
    const std::string ext = file.extension() == ".json" ? "json" : "xml";
    const auto copy = test::report_path(reports_, stamp(9), ext);
    std::filesystem::copy_file(file, copy);
    std::filesystem::copy_file(file.string() + ".p7s", copy.string() + ".p7s");
  }
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL chain: replayed report: clinic-audit-testhost-" + stamp(9) +
                   " is a copy of clinic-audit-testhost-" + stamp(1)))
      << output_;
  EXPECT_TRUE(said("renamed report: clinic-audit-testhost-" + stamp(9) + ".json was signed as clinic-audit-testhost-" +
                   stamp(1) + ".json"));
}

TEST_F(Verify, ForkedChain) {
  chain(2);
  // A second, validly signed report 2 after the same report 1.
  test::write_signed_set(identity(), reports_, stamp(5), 2, sha256_hex(test::read_text(sets_[0][0])));
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL chain: forked chain: clinic-audit-testhost-" + stamp(2) + " and clinic-audit-testhost-" +
                   stamp(5) + " both carry sequence 2, after the same report"))
      << output_;
}

TEST_F(Verify, ForkedChainFollowingAnOlderReport) {
  chain(3);
  // Report 4 chains to report 2 instead of report 3.
  test::write_signed_set(identity(), reports_, stamp(4), 4, sha256_hex(test::read_text(sets_[1][0])));
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL chain: forked chain: clinic-audit-testhost-" + stamp(4) +
                   " (sequence 4) follows clinic-audit-testhost-" + stamp(2) + " (sequence 2)"))
      << output_;
}

TEST_F(Verify, HashChainBroken) {
  chain(1);
  test::write_signed_set(identity(), reports_, stamp(2), 2, std::string(64, 'a'));
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL chain: hash chain broken: previous_sha256 of clinic-audit-testhost-" + stamp(2) +
                   " (sequence 2) is not the SHA-256 of clinic-audit-testhost-" + stamp(1)))
      << output_;
}

TEST_F(Verify, ChainRestarted) {
  chain(1);
  test::write_signed_set(identity(), reports_, stamp(2), 2, std::nullopt);
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("chain restarted")) << output_;
}

TEST_F(Verify, MissingSignatureAndMissingReport) {
  chain(2);
  std::filesystem::remove(sets_[0][1].string() + ".p7s");
  std::filesystem::remove(sets_[1][1]);
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL " + sets_[0][1].filename().string() + ": unsigned: " + sets_[0][1].filename().string() +
                   ".p7s is missing"))
      << output_;
  EXPECT_TRUE(said("FAIL " + sets_[1][1].filename().string() + ".p7s: signature without its report")) << output_;
}

TEST_F(Verify, SchemaViolationsInValidlySignedReports) {
  const auto id = identity();
  const auto json = test::report_path(reports_, stamp(1), "json");
  auto document = nlohmann::json::parse(test::sample_report("json", 1, std::nullopt));
  document.erase("summary");
  test::write_text(json, document.dump(2));
  const auto xml = test::report_path(reports_, stamp(1), "xml");
  std::string text = test::sample_report("xml", 1, std::nullopt);
  text.replace(text.find("trigger=\"manual\""), 16, "trigger=\"sometimes\"");
  test::write_text(xml, text);
  sign_report_set(id, {json, xml});
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("FAIL " + json.filename().string() + ": schema: ")) << output_;
  EXPECT_TRUE(said("FAIL " + xml.filename().string() + ": schema: line ")) << output_;
  EXPECT_TRUE(said("sometimes")) << output_;
}

TEST_F(Verify, JsonAndXmlOfOneRunMustAgree) {
  const auto id = identity();
  const auto json = test::report_path(reports_, stamp(1), "json");
  const auto xml = test::report_path(reports_, stamp(1), "xml");
  test::write_text(json, test::sample_report("json", 1, std::nullopt));
  test::write_text(xml, test::sample_report("xml", 2, std::nullopt));
  sign_report_set(id, {json, xml});
  EXPECT_EQ(verify({reports_}), 1);
  EXPECT_TRUE(said("disagrees with " + json.filename().string())) << output_;
}

TEST_F(Verify, UsageErrors) {
  chain(1);
  VerifyOptions options;
  options.inputs = {reports_};
  std::ostringstream out;
  EXPECT_EQ(run_verify(options, out), 64);
  EXPECT_NE(out.str().find("pass --ca FILE"), std::string::npos);
  EXPECT_EQ(verify({dir_ / "nothing-here.json"}), 64);
  EXPECT_TRUE(said("no such file or directory"));
  EXPECT_EQ(verify({reports_}, dir_ / "no-ca.crt"), 65);
}

}  // namespace
}  // namespace clinic_audit::signing
