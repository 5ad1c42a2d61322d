// Issue #20 item 5: the chain is bound to the host. `clinic-audit verify`
// (and the collector, which shares verify_report/check_chain) refuses a
// report signed by another host's certificate from the same CA as a link of
// this host's chain, and a sequence that would overflow.
#include <gtest/gtest.h>

#include <sstream>

#include "keygen.hpp"
#include "report_files.hpp"
#include "sign_report.hpp"
#include "signing_test_support.hpp"
#include "verify.hpp"

namespace clinic_audit::signing {
namespace {

class ChainIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directory(reports_);
    ca_ = test::make_test_ca(dir_.path(), "region");
    own_ = test::ca_issued(dir_.path(), "own", ca_);
    // Another host of the same region: same CA, another machine-id.
    KeygenOptions options;
    options.key_path = dir_ / "other.key";
    options.cert_path = dir_ / "other.crt";
    options.csr_path = dir_ / "other.csr";
    options.hostname = "otherhost";
    options.machine_id = "ffffffffffffffffffffffffffffffff";
    std::ostringstream out, err;
    ASSERT_EQ(run_keygen(options, out, err), 0) << err.str();
    ASSERT_EQ(test::run_shell("openssl x509 -req -in " + test::quote(*options.csr_path) + " -CA " +
                              test::quote(ca_.cert) + " -CAkey " + test::quote(ca_.key) +
                              " -CAcreateserial -days 30 -copy_extensions copy -out " + test::quote(options.cert_path))
                  .exit_code,
              0);
  }

  int verify() {
    VerifyOptions options;
    options.inputs = {reports_};
    options.ca_file = ca_.cert;
    options.xsd = test::schema_dir() / "report.xsd";
    options.json_schema = test::schema_dir() / "report.schema.json";
    std::ostringstream out;
    const int code = run_verify(options, out);
    output_ = out.str();
    return code;
  }

  test::TempDir dir_;
  std::filesystem::path reports_ = dir_ / "reports";
  test::TestCa ca_;
  test::KeyPair own_;
  std::string output_;
};

TEST_F(ChainIdentity, AnotherHostsKeyCannotExtendTheChain) {
  const auto own = SigningIdentity::load(own_.key, own_.cert);
  const auto first = test::write_signed_set(own, reports_, "20261122T150401Z", 1, std::nullopt, {"json"});
  const std::string previous = sha256_hex(test::read_text(first[0]));
  ASSERT_EQ(verify(), 0) << output_;
  // Sequence 2, naming this host and chaining correctly, signed by the other host.
  const auto other = SigningIdentity::load(dir_ / "other.key", dir_ / "other.crt");
  test::write_signed_set(other, reports_, "20261122T150402Z", 2, previous, {"json"});
  EXPECT_EQ(verify(), 1) << output_;
  EXPECT_NE(output_.find("signed by another host"), std::string::npos) << output_;
  EXPECT_NE(output_.find("ffffffffffffffffffffffffffffffff"), std::string::npos) << output_;
}

TEST_F(ChainIdentity, ARenewedCertificateOfTheSameMachineKeepsTheChain) {
  const auto own = SigningIdentity::load(own_.key, own_.cert);
  const auto first = test::write_signed_set(own, reports_, "20261122T150401Z", 1, std::nullopt, {"json"});
  // A new key for the same machine-id (re-key), from the same CA.
  const auto renewed_pair = test::ca_issued(dir_.path(), "renewed", ca_);
  const auto renewed = SigningIdentity::load(renewed_pair.key, renewed_pair.cert);
  test::write_signed_set(renewed, reports_, "20261122T150402Z", 2, sha256_hex(test::read_text(first[0])), {"json"});
  EXPECT_EQ(verify(), 0) << output_;
}

TEST_F(ChainIdentity, SequenceOverflowIsNamed) {
  const auto own = SigningIdentity::load(own_.key, own_.cert);
  const auto first = test::write_signed_set(own, reports_, "20261122T150401Z", 18446744073709551615ULL,
                                            std::string(64, 'a'), {"json"});
  test::write_signed_set(own, reports_, "20261122T150402Z", 1, sha256_hex(test::read_text(first[0])), {"json"});
  EXPECT_EQ(verify(), 1) << output_;
  EXPECT_NE(output_.find("sequence overflow"), std::string::npos) << output_;
}

TEST(VerifyReportBytes, InMemoryWithTheCallersStore) {
  test::TempDir dir;
  const auto ca = test::make_test_ca(dir.path(), "region");
  const auto pair = test::ca_issued(dir.path(), "own", ca);
  const auto identity = SigningIdentity::load(pair.key, pair.cert);
  const std::string bytes = test::sample_report("json", 3, std::string(64, 'b'));
  const auto der = identity.sign_detached(bytes, "r.json");
  const std::string signature(der.begin(), der.end());
  const auto store = load_ca_store(ca.cert);
  const SchemaChecker schemas(test::schema_dir() / "report.xsd", test::schema_dir() / "report.schema.json");
  VerifiedReport verified =
      verify_report({bytes, signature, "report", false}, store.get(), schemas, ExpiryAt::now, std::time(nullptr), true);
  EXPECT_TRUE(verified.ok()) << verified.problems.front();
  ASSERT_TRUE(verified.content);
  EXPECT_EQ(verified.content->sequence, 3U);
  EXPECT_EQ(verified.signature.signer_machine_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(verified.sha256, sha256_hex(bytes));
  // One byte changed: the signature problem, not a certificate problem.
  std::string changed = bytes;
  changed[changed.find("manual")] = 'M';
  verified = verify_report({changed, signature, "report", false}, store.get(), schemas, ExpiryAt::now,
                           std::time(nullptr), true);
  EXPECT_FALSE(verified.ok());
  EXPECT_FALSE(verified.signature.certificate_problem);
  // Another CA: a certificate problem.
  const auto other_ca = test::make_test_ca(dir.path(), "elsewhere");
  const auto other_store = load_ca_store(other_ca.cert);
  verified = verify_report({bytes, signature, "report", false}, other_store.get(), schemas, ExpiryAt::now,
                           std::time(nullptr), true);
  EXPECT_TRUE(verified.signature.certificate_problem);
}

}  // namespace
}  // namespace clinic_audit::signing
