// `enroll` against a scripted collector on loopback (issue #12 item 3): key
// and CSR as keygen makes them, the pinned CA fingerprint, where the files go,
// and a clear error for each way it can go wrong.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "enroll.hpp"
#include "keygen.hpp"
#include "report_store.hpp"
#include "submit.hpp"
#include "test_peers.hpp"

namespace clinic_audit::delivery {
namespace {

using signing::test::quote;
using signing::test::read_text;
using signing::test::run_shell;
using signing::test::write_text;
using test::ScriptedReply;

class Enroll : public ::testing::Test {
 protected:
  // The collector's enrolment endpoint: the test CA signs the CSR.
  ScriptedReply answer(const test::ReceivedRequest& request) {
    const auto json = nlohmann::json::parse(request.body, nullptr, false);
    if (json.is_discarded() || json.value("token", "") != "good-token") {
      return {401, R"({"error":"unknown, expired or used-up token"})", {}, "", false};
    }
    const auto csr = dir_ / "received.csr";
    const auto crt = dir_ / "issued.crt";
    write_text(csr, json["csr_pem"].get<std::string>());
    subject_ = run_shell("openssl req -in " + quote(csr) + " -noout -subject").output;
    const auto signed_ = run_shell("openssl x509 -req -in " + quote(csr) + " -CA " + quote(pki_.ca.cert) + " -CAkey " +
                                   quote(pki_.ca.key) + " -CAcreateserial -days 30 -out " + quote(crt));
    if (signed_.exit_code != 0) return {500, R"({"error":"cannot sign"})", {}, "", false};
    const nlohmann::json body = {{"certificate_pem", read_text(crt)}, {"ca_pem", read_text(pki_.ca.cert)}};
    return {201, body.dump(), {}, "", false};
  }
  EnrollSettings settings(const std::string& url) const {
    EnrollSettings s;
    s.collector_url = url;
    s.token = "good-token";
    s.ca_fingerprint = pki_.ca_sha256;
    s.state_dir = dir_ / "state";
    s.key = dir_ / "etc" / "agent.key";
    s.cert = dir_ / "etc" / "agent.crt";
    s.ca = dir_ / "etc" / "ca.crt";
    s.step_timeout = std::chrono::seconds(3);
    return s;
  }
  int enroll(const EnrollSettings& s) {
    out_.str("");
    err_.str("");
    return run_enroll(s, out_, err_);
  }
  signing::test::TempDir dir_;
  test::TestPki pki_ = test::make_pki(dir_ / "pki", "region", /*agent=*/false);
  std::string subject_;
  std::ostringstream out_, err_;
};

TEST_F(Enroll, CreatesTheKeyStoresCertificateCaAndCollectorUrl) {
  test::ScriptedCollector collector(
      pki_, [&](const auto& r, std::size_t) { return answer(r); }, false);
  const auto s = settings(collector.url());
  ASSERT_EQ(enroll(s), 0) << err_.str();
  // Said from whether the key existed, not from keygen's (translatable) words.
  EXPECT_NE(out_.str().find("created signing key " + s.key.string()), std::string::npos) << out_.str();
  struct stat st {};
  ASSERT_EQ(::stat(s.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The CSR named the hostname and the machine-id, as keygen --csr does.
  EXPECT_NE(subject_.find("CN"), std::string::npos) << subject_;
  if (std::filesystem::exists("/etc/machine-id") && !signing::read_machine_id().empty()) {
    EXPECT_NE(subject_.find(signing::read_machine_id()), std::string::npos) << subject_;
  }
  // Stock OpenSSL agrees the stored certificate chains to the stored CA.
  const auto verified = run_shell("openssl verify -CAfile " + quote(s.ca) + " " + quote(s.cert));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_EQ(store::read_collector_record(s.state_dir), collector.url());
  EXPECT_EQ(collector.requests().front().target, "/api/v1/enroll");

  // Enrolled: a second enroll needs --force, which keeps the key.
  const std::string key_before = read_text(s.key);
  EXPECT_EQ(enroll(s), kExitDataError);
  EXPECT_NE(err_.str().find("--force"), std::string::npos) << err_.str();
  auto forced = s;
  forced.force = true;
  forced.ca_fingerprint.reset();  // ca.crt is trusted now
  ASSERT_EQ(enroll(forced), 0) << err_.str();
  EXPECT_EQ(read_text(s.key), key_before);
  EXPECT_EQ(out_.str().find("created signing key"), std::string::npos) << out_.str();
}

TEST_F(Enroll, WrongTokenIsRefusedClearly) {
  test::ScriptedCollector collector(
      pki_, [&](const auto& r, std::size_t) { return answer(r); }, false);
  auto s = settings(collector.url());
  s.token = "stale";
  EXPECT_EQ(enroll(s), kExitNoPermission);
  EXPECT_NE(err_.str().find("token"), std::string::npos) << err_.str();
  EXPECT_FALSE(std::filesystem::exists(s.cert));
  EXPECT_FALSE(store::read_collector_record(s.state_dir));
}

TEST_F(Enroll, FingerprintMismatchSendsNoToken) {
  test::ScriptedCollector collector(
      pki_, [&](const auto& r, std::size_t) { return answer(r); }, false);
  auto s = settings(collector.url());
  s.ca_fingerprint = std::string(64, 'a');
  EXPECT_EQ(enroll(s), kExitNoPermission);
  EXPECT_NE(err_.str().find("fingerprint"), std::string::npos) << err_.str();
  EXPECT_NE(err_.str().find("regional collector?"), std::string::npos) << err_.str();
  EXPECT_TRUE(collector.requests().empty()) << "the token went to an unverified server";
  EXPECT_FALSE(std::filesystem::exists(s.cert));
}

TEST_F(Enroll, ImpostorWithTheRealCaCertificateInItsChainIsRefused) {
  // A server presenting the genuine CA certificate (public) beside a leaf
  // of its own CA must not pass the pin.
  const test::TestPki impostor = test::make_pki(dir_ / "impostor", "impostor", false);
  const auto chained = dir_ / "impostor" / "chain.crt";
  write_text(chained, read_text(impostor.server_cert) + read_text(pki_.ca.cert));
  test::TestPki forged = impostor;
  forged.server_cert = chained;
  test::ScriptedCollector collector(
      forged, [&](const auto& r, std::size_t) { return answer(r); }, false);
  EXPECT_EQ(enroll(settings(collector.url())), kExitNoPermission);
  EXPECT_TRUE(collector.requests().empty());
}

TEST_F(Enroll, UnreachableCollectorSaysSo) {
  EXPECT_EQ(enroll(settings("https://127.0.0.1:" + std::to_string(test::closed_port()))), kExitTempFail);
  EXPECT_NE(err_.str().find("unreachable"), std::string::npos) << err_.str();
}

TEST_F(Enroll, BadUrlAndFingerprintAreUsageErrors) {
  auto s = settings("http://127.0.0.1:1");
  EXPECT_EQ(enroll(s), kExitDataError);
  EXPECT_NE(err_.str().find("https://"), std::string::npos);
  s = settings("https://127.0.0.1:1");
  s.ca_fingerprint = "12:34";
  EXPECT_EQ(enroll(s), kExitDataError);
  EXPECT_NE(err_.str().find("64 hex digits"), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit::delivery
