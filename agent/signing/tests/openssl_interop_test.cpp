// Stock OpenSSL verifies every signature (DESIGN.md §6, issue #8 item 2):
// the exact `openssl cms -verify` command, for JSON and XML reports, ECDSA
// and RSA keys, self-signed and test-CA-issued certificates, and a chain.
#include <gtest/gtest.h>

#include <tuple>

#include "sign_report.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

using test::quote;

enum class Issuer { self_signed, test_ca };

class OpensslVerifies : public ::testing::TestWithParam<std::tuple<std::string, bool, Issuer>> {};

TEST_P(OpensslVerifies, DetachedDerSignatureWithSigningTimeAndCertificate) {
  const auto& [ext, rsa, issuer] = GetParam();
  test::TempDir dir;
  test::KeyPair pair;
  std::filesystem::path ca_file;
  if (issuer == Issuer::self_signed) {
    pair = test::self_signed(dir.path(), "agent", rsa);
    ca_file = pair.cert;
  } else {
    const auto ca = test::make_test_ca(dir.path(), "Regional CA");
    pair = test::ca_issued(dir.path(), "agent", ca, rsa);
    ca_file = ca.cert;
  }
  const auto identity = SigningIdentity::load(pair.key, pair.cert);
  const auto report = test::report_path(dir.path(), "20261122T150405Z", ext);
  test::write_text(report, test::sample_report(ext, 1, std::nullopt));
  write_signature(identity, report);

  const auto verified = test::openssl_cms_verify(report, ca_file);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("Verification successful"), std::string::npos) << verified.output;

  const auto printed = test::run_shell("openssl cms -cmsout -print -inform DER -in " + quote(report.string() + ".p7s"));
  EXPECT_NE(printed.output.find("signingTime"), std::string::npos);
  EXPECT_NE(printed.output.find("eContent: <ABSENT>"), std::string::npos) << "not detached";
  EXPECT_NE(printed.output.find("CN=testhost"), std::string::npos) << "signer certificate not embedded";
  EXPECT_NE(printed.output.find(rsa ? "rsaEncryption" : "id-ecPublicKey"), std::string::npos);

  // One changed byte and stock OpenSSL refuses too.
  std::string bytes = test::read_text(report);
  bytes[bytes.size() / 2] = bytes[bytes.size() / 2] == 'a' ? 'b' : 'a';
  test::write_text(report, bytes);
  EXPECT_NE(test::openssl_cms_verify(report, ca_file).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(FormatsKeysIssuers, OpensslVerifies,
                         ::testing::Combine(::testing::Values("json", "xml"), ::testing::Bool(),
                                            ::testing::Values(Issuer::self_signed, Issuer::test_ca)),
                         [](const auto& p) {
                           return std::get<0>(p.param) + (std::get<1>(p.param) ? "_rsa" : "_ecdsa") +
                                  (std::get<2>(p.param) == Issuer::self_signed ? "_self_signed" : "_test_ca");
                         });

TEST(OpensslVerifiesChain, IntermediateCaIsEmbeddedWhenConfigured) {
  test::TempDir dir;
  const auto root = test::make_test_ca(dir.path(), "Root CA");
  const auto intermediate = test::make_test_ca(dir.path(), "Intermediate CA", root);
  const auto pair = test::ca_issued(dir.path(), "agent", intermediate);
  const auto report = test::report_path(dir.path(), "20261122T150405Z", "json");
  test::write_text(report, test::sample_report("json", 1, std::nullopt));

  // Without the chain, the root alone cannot vouch for the agent.
  write_signature(SigningIdentity::load(pair.key, pair.cert), report);
  EXPECT_NE(test::openssl_cms_verify(report, root.cert).exit_code, 0);

  write_signature(SigningIdentity::load(pair.key, pair.cert, intermediate.cert), report);
  const auto verified = test::openssl_cms_verify(report, root.cert);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
}

}  // namespace
}  // namespace clinic_audit::signing
