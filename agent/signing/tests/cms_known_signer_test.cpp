// The collector's shortcut for the TLS client certificate
// (cms_known_signer.hpp): the signature decoded without the embedded
// certificate, which is put back already decoded, must be the very same
// CMS, and check_signature must find exactly what it finds without it.
#include "cms_known_signer.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstdio>

#include "identity.hpp"
#include "report_files.hpp"
#include "signature_check.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

X509Ptr load_cert(const std::filesystem::path& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "r"), std::fclose);
  return X509Ptr(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
}

std::string der_of(CMS_ContentInfo* cms) {
  unsigned char* der = nullptr;
  const int length = i2d_CMS_ContentInfo(cms, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

// The verified chain the TLS handshake hands over: leaf, then anchor.
KnownSigner known_from(X509* leaf, X509* anchor) {
  CertStackPtr chain(sk_X509_new_null());
  X509_up_ref(leaf);
  sk_X509_push(chain.get(), leaf);
  X509_up_ref(anchor);
  sk_X509_push(chain.get(), anchor);
  return known_signer_of(leaf, chain.get());
}

struct Signed {
  test::TempDir dir;
  test::TestCa ca = test::make_test_ca(dir.path(), "ca");
  test::KeyPair agent = test::ca_issued(dir.path(), "agent", ca);
  test::KeyPair other = test::ca_issued(dir.path(), "other", ca);
  X509Ptr agent_cert = load_cert(agent.cert);
  X509Ptr other_cert = load_cert(other.cert);
  X509Ptr ca_cert = load_cert(ca.cert);
  std::string report = test::sample_report("json", 1, std::nullopt);
  std::string signature;
  Signed() {
    const auto der = SigningIdentity::load(agent.key, agent.cert).sign_detached(report, "r.json");
    signature.assign(der.begin(), der.end());
  }
};

TEST(CmsKnownSigner, StrippedAndPutBackIsTheSameSignatureByteForByte) {
  const Signed s;
  const KnownSigner known = known_from(s.agent_cert.get(), s.ca_cert.get());
  ASSERT_TRUE(known.verified_by_anchor);
  const auto stripped = without_embedded_certificate(s.signature, known.der);
  ASSERT_TRUE(stripped);
  EXPECT_LT(stripped->size() + known.der.size(), s.signature.size() + 16);
  const unsigned char* in = reinterpret_cast<const unsigned char*>(stripped->data());
  CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &in, static_cast<long>(stripped->size())));
  ASSERT_TRUE(cms);
  CertStackPtr none(CMS_get1_certs(cms.get()));
  EXPECT_EQ(none ? sk_X509_num(none.get()) : 0, 0);
  ASSERT_EQ(CMS_add1_cert(cms.get(), s.agent_cert.get()), 1);
  EXPECT_EQ(der_of(cms.get()), s.signature);
}

TEST(CmsKnownSigner, AnythingButExactlyThatCertificateIsLeftAsItCame) {
  const Signed s;
  const KnownSigner other = known_from(s.other_cert.get(), s.ca_cert.get());
  EXPECT_FALSE(without_embedded_certificate(s.signature, other.der));
  const KnownSigner known = known_from(s.agent_cert.get(), s.ca_cert.get());
  EXPECT_FALSE(without_embedded_certificate(s.signature, ""));
  for (std::size_t cut = 0; cut < s.signature.size(); ++cut) {
    EXPECT_FALSE(without_embedded_certificate(s.signature.substr(0, cut), known.der)) << cut;
  }
  EXPECT_FALSE(without_embedded_certificate(s.signature + '\0', known.der));
  for (std::size_t i = 0; i < s.signature.size(); i += 7) {
    std::string flipped = s.signature;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
    (void)without_embedded_certificate(flipped, known.der);  // no crash, no overread (ASan)
  }
}

TEST(CmsKnownSigner, ChainOfThreeOrSelfSignedIsNotTakenAsVerified) {
  const Signed s;
  CertStackPtr alone(sk_X509_new_null());
  X509_up_ref(s.agent_cert.get());
  sk_X509_push(alone.get(), s.agent_cert.get());
  EXPECT_FALSE(known_signer_of(s.agent_cert.get(), alone.get()).verified_by_anchor);
  EXPECT_FALSE(known_signer_of(s.agent_cert.get(), nullptr).verified_by_anchor);
}

void expect_same(const SignatureFindings& a, const SignatureFindings& b) {
  EXPECT_EQ(a.problems, b.problems);
  EXPECT_EQ(a.notes, b.notes);
  EXPECT_EQ(a.signer, b.signer);
  EXPECT_EQ(a.signing_time, b.signing_time);
  EXPECT_EQ(a.signer_machine_id, b.signer_machine_id);
  EXPECT_EQ(a.signer_fingerprint, b.signer_fingerprint);
  EXPECT_EQ(a.certificate_problem, b.certificate_problem);
  EXPECT_EQ(a.signer_certificate == nullptr, b.signer_certificate == nullptr);
}

TEST(CmsKnownSigner, CheckSignatureFindsTheSameWithAndWithoutIt) {
  const Signed s;
  const X509StorePtr store = load_ca_store(s.ca.cert);
  const test::TempDir other_dir;
  const test::TestCa stranger = test::make_test_ca(other_dir.path(), "stranger");
  const X509StorePtr wrong_store = load_ca_store(stranger.cert);
  const KnownSigner agent = known_from(s.agent_cert.get(), s.ca_cert.get());
  const KnownSigner other = known_from(s.other_cert.get(), s.ca_cert.get());
  const std::time_t now = std::time(nullptr);
  std::string altered = s.report;
  altered[10] = altered[10] == 'x' ? 'y' : 'x';
  struct Case {
    std::string_view bytes;
    X509_STORE* store;
    std::time_t at;
  };
  const Case cases[] = {{s.report, store.get(), now},
                        {altered, store.get(), now},
                        {s.report, wrong_store.get(), now},
                        {s.report, store.get(), now + 400L * 86400 * 30},  // past every notAfter
                        {s.report, store.get(), now - 86400L * 400}};      // before every notBefore
  for (const Case& c : cases) {
    for (const KnownSigner* known : {&agent, &other}) {
      SignatureInput plain{"r.json", c.bytes, s.signature, nullptr, false};
      SignatureInput with = plain;
      with.known_signer = known;
      const SignatureFindings expected = check_signature(plain, c.store, ExpiryAt::now, c.at);
      const SignatureFindings found = check_signature(with, c.store, ExpiryAt::now, c.at);
      expect_same(expected, found);
      if (expected.signer_certificate && found.signer_certificate) {
        EXPECT_EQ(X509_cmp(expected.signer_certificate.get(), found.signer_certificate.get()), 0);
      }
    }
  }
}

// SignatureInput::content_sha256 (the collector's digest of the bytes, which
// it stores anyway) in place of hashing them again: the same findings.
TEST(CmsKnownSigner, GivenContentSha256FindsTheSameAsHashing) {
  const Signed s;
  const X509StorePtr store = load_ca_store(s.ca.cert);
  const KnownSigner agent = known_from(s.agent_cert.get(), s.ca_cert.get());
  const std::time_t now = std::time(nullptr);
  std::string altered = s.report;
  altered[10] = altered[10] == 'x' ? 'y' : 'x';
  std::size_t problems = 0;
  for (const std::string_view bytes : {std::string_view(s.report), std::string_view(altered)}) {
    for (const KnownSigner* known : {static_cast<const KnownSigner*>(nullptr), &agent}) {
      SignatureInput plain{"r.json", bytes, s.signature, nullptr, false, known};
      const std::string digest = sha256_hex(bytes);
      SignatureInput with = plain;
      with.content_sha256 = digest;
      const SignatureFindings expected = check_signature(plain, store.get(), ExpiryAt::now, now);
      expect_same(expected, check_signature(with, store.get(), ExpiryAt::now, now));
      problems += expected.problems.size();
    }
  }
  EXPECT_EQ(problems, 2U);  // the altered bytes, with and without the known signer
}

}  // namespace
}  // namespace clinic_audit::signing
