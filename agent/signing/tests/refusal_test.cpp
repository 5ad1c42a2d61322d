// Signing refuses, with a clear message and exit 65, a key others can read
// or write, a missing key, a certificate of another key, an expired
// certificate (issue #8 item 3); no unsigned report is left behind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign_report.hpp"
#include "signing_error.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

// The SigningError of loading, which must not quote the key.
SigningError refusal(const test::KeyPair& pair) {
  try {
    SigningIdentity::load(pair.key, pair.cert);
  } catch (const SigningError& error) {
    return error;
  }
  ADD_FAILURE() << "SigningIdentity::load accepted " << pair.key;
  return SigningError(0, "");
}

void expect_no_key_material(const std::string& message, const test::KeyPair& pair) {
  const std::string pem = test::read_text(pair.key);
  EXPECT_EQ(message.find("PRIVATE KEY"), std::string::npos) << message;
  // No line of the base64 body appears in the message.
  std::size_t start = pem.find('\n') + 1;
  const std::string first_line = pem.substr(start, pem.find('\n', start) - start);
  ASSERT_GT(first_line.size(), 16u);
  EXPECT_EQ(message.find(first_line.substr(0, 16)), std::string::npos) << message;
}

class KeyModeRefused : public ::testing::TestWithParam<unsigned> {};

TEST_P(KeyModeRefused, KeyReadableOrWritableByOthers) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  std::filesystem::permissions(pair.key, static_cast<std::filesystem::perms>(GetParam()));
  const SigningError error = refusal(pair);
  EXPECT_EQ(error.exit_code(), 65);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", GetParam());
  EXPECT_EQ(std::string(error.what()), "signing key " + pair.key.string() + " has mode " + mode +
                                           ": it must be readable and writable by its owner only; refusing to sign "
                                           "(fix: chmod 600 " +
                                           pair.key.string() + ")");
  expect_no_key_material(error.what(), pair);
}

INSTANTIATE_TEST_SUITE_P(Modes, KeyModeRefused, ::testing::Values(0640u, 0604u, 0666u, 0620u, 0602u), [](const auto& p) {
  return "mode_0" + std::to_string(p.param / 64) + std::to_string(p.param / 8 % 8) + std::to_string(p.param % 8);
});

TEST(Refusal, Mode0600And0400AreAccepted) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  EXPECT_NO_THROW(SigningIdentity::load(pair.key, pair.cert));
  std::filesystem::permissions(pair.key, std::filesystem::perms::owner_read);
  EXPECT_NO_THROW(SigningIdentity::load(pair.key, pair.cert));
}

TEST(Refusal, KeyNotOwnedByRootWhenRunningAsRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "ownership rule applies to root (DESIGN §5: key 0600 root)";
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  ASSERT_EQ(::chown(pair.key.c_str(), 1234, 1234), 0);
  const SigningError error = refusal(pair);
  EXPECT_EQ(error.exit_code(), 65);
  EXPECT_EQ(std::string(error.what()), "signing key " + pair.key.string() +
                                           " is owned by uid 1234, not root; refusing to sign (fix: chown root:root " +
                                           pair.key.string() + ")");
}

TEST(Refusal, MissingKey) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  std::filesystem::remove(pair.key);
  const SigningError error = refusal(pair);
  EXPECT_EQ(error.exit_code(), 65);
  EXPECT_EQ(std::string(error.what()), "signing key " + pair.key.string() +
                                           " not found: create it with `clinic-audit keygen`, or run with --no-sign");
}

TEST(Refusal, CertificateOfAnotherKey) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  const auto other = test::self_signed(dir.path(), "other");
  const SigningError error = refusal({pair.key, other.cert});
  EXPECT_EQ(error.exit_code(), 65);
  EXPECT_NE(std::string(error.what())
                .find("certificate " + other.cert.string() + " does not match the signing key " + pair.key.string()),
            std::string::npos)
      << error.what();
  expect_no_key_material(error.what(), pair);
}

TEST(Refusal, ExpiredCertificate) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  test::write_cert_with_validity(pair.key, pair.cert, -10 * 86400, -86400);
  const SigningError error = refusal(pair);
  EXPECT_EQ(error.exit_code(), 65);
  EXPECT_NE(std::string(error.what()).find("certificate " + pair.cert.string() + " expired on "), std::string::npos)
      << error.what();
  EXPECT_NE(std::string(error.what()).find("refusing to sign"), std::string::npos);
}

TEST(Refusal, CertificateNotYetValid) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  test::write_cert_with_validity(pair.key, pair.cert, 86400, 10 * 86400);
  EXPECT_NE(std::string(refusal(pair).what()).find("is not valid before"), std::string::npos);
}

TEST(Refusal, EncryptedKeyIsRefusedWithoutPrompting) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  const auto encrypted = dir / "encrypted.key";
  ASSERT_EQ(test::run_shell("openssl pkey -in " + test::quote(pair.key) + " -aes256 -passout pass:secret -out " +
                            test::quote(encrypted) + " && chmod 600 " + test::quote(encrypted))
                .exit_code,
            0);
  const SigningError error = refusal({encrypted, pair.cert});
  EXPECT_NE(std::string(error.what()).find("is protected by a passphrase"), std::string::npos) << error.what();
}

TEST(Refusal, FailedSignatureLeavesNoUnsignedReport) {
  test::TempDir dir;
  const auto pair = test::self_signed(dir.path(), "agent");
  const auto identity = SigningIdentity::load(pair.key, pair.cert);
  const auto json = test::report_path(dir.path(), "20261122T150405Z", "json");
  const auto xml = test::report_path(dir.path(), "20261122T150405Z", "xml");
  test::write_text(json, test::sample_report("json", 1, std::nullopt));
  test::write_text(xml, test::sample_report("xml", 1, std::nullopt));
  // The XML signature cannot be written: its name is taken by a directory.
  std::filesystem::create_directory(xml.string() + ".p7s");
  std::filesystem::create_directory(std::filesystem::path(xml.string() + ".p7s") / "x");
  try {
    sign_report_set(identity, {json, xml});
    FAIL() << "sign_report_set succeeded";
  } catch (const SigningError& error) {
    EXPECT_EQ(error.exit_code(), 73);
    EXPECT_NE(std::string(error.what()).find("cannot write " + xml.string() + ".p7s"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(json));
  EXPECT_FALSE(std::filesystem::exists(json.string() + ".p7s"));
  EXPECT_FALSE(std::filesystem::exists(xml));
}

}  // namespace
}  // namespace clinic_audit::signing
