// check_signature() compares the report's digest with the signed
// messageDigest itself and lets CMS_verify check only the signature value
// over the signed attributes (CMS_NO_CONTENT_VERIFY, signature_check.cpp).
// Stock `openssl cms -verify` (DESIGN §6) is the oracle: every damaged
// signature or report it refuses is refused here too, and the intact one
// passes both.
#include <gtest/gtest.h>

#include <ctime>

#include "identity.hpp"
#include "signature_check.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

struct Case {
  std::string report, signature;
};

TEST(SignatureValue, DamagedSignaturesAreRefusedAsOpensslRefusesThem) {
  const test::TempDir dir;
  const test::TestCa ca = test::make_test_ca(dir.path(), "ca");
  const test::KeyPair agent = test::ca_issued(dir.path(), "agent", ca);
  const std::string report = test::sample_report("json", 1, std::nullopt);
  const auto der = SigningIdentity::load(agent.key, agent.cert).sign_detached(report, "r.json");
  const std::string signature(der.begin(), der.end());
  const X509StorePtr store = load_ca_store(ca.cert);

  std::vector<Case> cases = {{report, signature}};
  // The SignerInfo is at the end of the DER: signed attributes (content
  // type, signing time, messageDigest, signingCertificateV2, content
  // hints), the algorithm and the signature value. One bit flipped in each
  // of its last 200 bytes, every third byte.
  for (std::size_t back = 1; back <= 200 && back < signature.size(); back += 3) {
    std::string damaged = signature;
    damaged[damaged.size() - back] = static_cast<char>(damaged[damaged.size() - back] ^ 0x04);
    cases.push_back({report, damaged});
  }
  std::string altered = report;
  altered[20] = static_cast<char>(altered[20] ^ 0x01);
  cases.push_back({altered, signature});

  std::size_t refused = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto path = dir.path() / "r.json";
    test::write_text(path, cases[i].report);
    test::write_text(dir.path() / "r.json.p7s", cases[i].signature);
    const bool openssl_accepts = test::openssl_cms_verify(path, ca.cert).exit_code == 0;
    const SignatureFindings ours = check_signature({"r.json", cases[i].report, cases[i].signature, nullptr, false},
                                                   store.get(), ExpiryAt::now, std::time(nullptr));
    if (!openssl_accepts) {
      ++refused;
      EXPECT_FALSE(ours.problems.empty()) << "case " << i << ": openssl refuses, check_signature accepts";
    }
    if (i == 0) {
      EXPECT_TRUE(openssl_accepts);
      EXPECT_TRUE(ours.problems.empty()) << ours.problems.front();
    }
  }
  // Nearly every flipped bit breaks the signature for openssl too.
  EXPECT_GT(refused, cases.size() / 2);
}

}  // namespace
}  // namespace clinic_audit::signing
