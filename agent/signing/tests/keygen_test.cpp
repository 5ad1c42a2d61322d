// `clinic-audit keygen` (issue #8 item 1): key algorithm and mode, subject,
// self-signed certificate or CSR, no overwrite without --force.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "keygen.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

using test::quote;
using test::run_shell;

KeygenOptions options_in(const test::TempDir& dir) {
  KeygenOptions options;
  options.key_path = dir / "etc/agent.key";
  options.cert_path = dir / "etc/agent.crt";
  options.hostname = "cabinet-12";
  options.machine_id = "0123456789abcdef0123456789abcdef";
  return options;
}

TEST(Keygen, EcdsaKeyIs0600OwnedByCallerWithSelfSignedCertificate) {
  test::TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(run_keygen(options_in(dir), out, err), 0) << err.str();
  struct stat st {};
  ASSERT_EQ(::stat((dir / "etc/agent.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  const auto key = run_shell("openssl pkey -in " + quote(dir / "etc/agent.key") + " -noout -text");
  EXPECT_NE(key.output.find("NIST CURVE: P-256"), std::string::npos) << key.output;
  const auto cert =
      run_shell("openssl x509 -in " + quote(dir / "etc/agent.crt") + " -noout -subject -ext subjectAltName");
  EXPECT_NE(cert.output.find("CN = cabinet-12"), std::string::npos) << cert.output;
  EXPECT_NE(cert.output.find("serialNumber = 0123456789abcdef0123456789abcdef"), std::string::npos) << cert.output;
  EXPECT_NE(cert.output.find("DNS:cabinet-12"), std::string::npos) << cert.output;
  EXPECT_NE(out.str().find("ECDSA P-256"), std::string::npos);
  // The certificate belongs to the key and serves as its own trust anchor.
  EXPECT_NO_THROW(SigningIdentity::load(dir / "etc/agent.key", dir / "etc/agent.crt"));
  EXPECT_EQ(run_shell("openssl verify -CAfile " + quote(dir / "etc/agent.crt") + " " + quote(dir / "etc/agent.crt"))
                .exit_code,
            0);
}

TEST(Keygen, RsaOnRequest) {
  test::TempDir dir;
  auto options = options_in(dir);
  options.algorithm = KeygenOptions::Algorithm::rsa;
  options.rsa_bits = 2048;
  std::ostringstream out, err;
  ASSERT_EQ(run_keygen(options, out, err), 0) << err.str();
  const auto key = run_shell("openssl pkey -in " + quote(options.key_path) + " -noout -text");
  EXPECT_NE(key.output.find("Private-Key: (2048 bit"), std::string::npos) << key.output;
}

TEST(Keygen, RsaBelow2048IsAUsageError) {
  test::TempDir dir;
  auto options = options_in(dir);
  options.algorithm = KeygenOptions::Algorithm::rsa;
  options.rsa_bits = 1024;
  std::ostringstream out, err;
  EXPECT_EQ(run_keygen(options, out, err), 64);
  EXPECT_NE(err.str().find("2048"), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(options.key_path));
}

TEST(Keygen, NeverOverwritesAKeyWithoutForce) {
  test::TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(run_keygen(options_in(dir), out, err), 0);
  const std::string before = test::read_text(dir / "etc/agent.key");
  EXPECT_EQ(run_keygen(options_in(dir), out, err), 65);
  EXPECT_NE(err.str().find("already exists; not overwriting it. Pass --force"), std::string::npos) << err.str();
  EXPECT_EQ(test::read_text(dir / "etc/agent.key"), before);

  auto forced = options_in(dir);
  forced.force = true;
  ASSERT_EQ(run_keygen(forced, out, err), 0);
  EXPECT_NE(test::read_text(dir / "etc/agent.key"), before);
  EXPECT_NO_THROW(SigningIdentity::load(dir / "etc/agent.key", dir / "etc/agent.crt"));
}

TEST(Keygen, CsrNamesHostAndMachineIdAndReusesTheExistingKey) {
  test::TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(run_keygen(options_in(dir), out, err), 0);
  const std::string key_before = test::read_text(dir / "etc/agent.key");
  auto options = options_in(dir);
  options.csr_path = dir / "agent.csr";
  ASSERT_EQ(run_keygen(options, out, err), 0) << err.str();
  EXPECT_EQ(test::read_text(dir / "etc/agent.key"), key_before);
  const auto csr = run_shell("openssl req -in " + quote(dir / "agent.csr") + " -verify -noout -subject");
  EXPECT_EQ(csr.exit_code, 0) << csr.output;
  EXPECT_NE(csr.output.find("CN = cabinet-12"), std::string::npos) << csr.output;
  EXPECT_NE(csr.output.find("serialNumber = 0123456789abcdef0123456789abcdef"), std::string::npos) << csr.output;
  // Same public key in the CSR and the key file.
  const auto from_csr = run_shell("openssl req -in " + quote(dir / "agent.csr") + " -noout -pubkey");
  const auto from_key = run_shell("openssl pkey -in " + quote(dir / "etc/agent.key") + " -pubout");
  EXPECT_EQ(from_csr.output, from_key.output);
  // The CSR is not overwritten either.
  EXPECT_EQ(run_keygen(options, out, err), 65);
}

TEST(Keygen, CsrOnAFreshMachineCreatesKeyButNoCertificate) {
  test::TempDir dir;
  auto options = options_in(dir);
  options.csr_path = dir / "agent.csr";
  std::ostringstream out, err;
  ASSERT_EQ(run_keygen(options, out, err), 0) << err.str();
  EXPECT_TRUE(std::filesystem::exists(options.key_path));
  EXPECT_TRUE(std::filesystem::exists(dir / "agent.csr"));
  EXPECT_FALSE(std::filesystem::exists(options.cert_path));
  EXPECT_NE(out.str().find("have the regional CA sign it"), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit::signing
