// Bad input (issue #11 "Bad input"): each gives a clear error, nothing is
// stored that should not be, the server stays up, every earlier acknowledged
// report is still there and `verify` passes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

const std::string kMachineA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kMachineB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

class CollectorBadInput : public testing::Test {
 protected:
  void SetUp() override {
    collector_ = std::make_unique<Collector>("<timeouts header-ms=\"1500\" body-ms=\"3000\" idle-ms=\"3000\"/>");
    agent_ = collector_->issue("cab-a", kMachineA);
    first_ = collector_->make_report(agent_, seq(1));
    ASSERT_EQ(collector_->submit(first_, &agent_).status, 201);
    acknowledged_ = 1;
  }

  // After each bad input: still up, still serving, nothing lost, verify passes.
  void TearDown() override {
    ASSERT_TRUE(collector_->alive()) << collector_->log();
    EXPECT_EQ(collector_->stored_reports(), acknowledged_);
    const auto again = collector_->submit(first_, &agent_);
    EXPECT_EQ(again.status, 200) << again.body;
    std::string output;
    EXPECT_TRUE(collector_->verify_passes(&output)) << output;
  }

  void expect_refused(const Collector::Response& response, int status, const std::string& words) {
    EXPECT_EQ(response.status, status) << response.body;
    const auto body = nlohmann::json::parse(response.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << response.body;
    ASSERT_TRUE(body.contains("error")) << response.body;
    EXPECT_NE(body["error"].get<std::string>().find(words), std::string::npos) << response.body;
  }

  Collector::Response post_raw(const std::string& content_type, const std::string& body_file) {
    return collector_->curl("--cert " + quote(agent_.cert) + " --key " + quote(agent_.key) + " -H " +
                            quote("Content-Type: " + content_type) + " --data-binary @" + quote(body_file) + " " +
                            quote(collector_->url("/api/v1/reports")));
  }

  std::unique_ptr<Collector> collector_;
  AgentIdentity agent_;
  SignedReport first_;
  std::size_t acknowledged_ = 0;
};

TEST_F(CollectorBadInput, NoClientCertificate) {
  const SignedReport two = collector_->make_report(agent_, seq(2, first_.sha256));
  expect_refused(collector_->submit(two, nullptr), 403, "client certificate");
}

TEST_F(CollectorBadInput, CertificateFromAnotherCa) {
  const auto other = collector_->dir() / "other";
  std::filesystem::create_directories(other);
  const Shell ca = sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                      quote(other / "ca.key") + " -out " + quote(other / "ca.crt") +
                      " -subj '/CN=Another region' -days 30 -addext basicConstraints=critical,CA:TRUE");
  ASSERT_EQ(ca.exit_code, 0) << ca.output;
  const AgentIdentity stranger =
      collector_->issue_with_validity("stranger", kMachineA, -60, 86400, other / "ca.crt", other / "ca.key");
  const SignedReport two = collector_->make_report(stranger, seq(2, first_.sha256));
  expect_refused(collector_->submit(two, &stranger), 403, "does not verify against the regional CA");
}

TEST_F(CollectorBadInput, ExpiredCertificate) {
  const AgentIdentity expired =
      collector_->issue_with_validity("expired", kMachineA, -7200, -3600, collector_->ca_cert(), collector_->ca_key());
  const SignedReport two =
      collector_->sign_bytes(expired, read_file(collector_->make_report(agent_, seq(2, first_.sha256)).report), "json",
                             std::time(nullptr) - 5000);
  expect_refused(collector_->submit(two, &expired), 403, "expired");
}

TEST_F(CollectorBadInput, NotYetValidCertificate) {
  const AgentIdentity future =
      collector_->issue_with_validity("future", kMachineA, 3600, 7200, collector_->ca_cert(), collector_->ca_key());
  const SignedReport two =
      collector_->sign_bytes(future, read_file(collector_->make_report(agent_, seq(2, first_.sha256)).report), "json",
                             std::time(nullptr) + 4000);
  expect_refused(collector_->submit(two, &future), 403, "not yet valid");
}

TEST_F(CollectorBadInput, ValidCertificateSubmittingAnotherHostsReport) {
  const AgentIdentity other = collector_->issue("cab-b", kMachineB);
  // A's key signs a report naming B's machine-id.
  const SignedReport forged = collector_->make_report(agent_, seq(1).with_machine_id(kMachineB));
  expect_refused(collector_->submit(forged, &agent_), 403, "signed by another host");
  // B's signed report sent over A's connection.
  const SignedReport theirs = collector_->make_report(other, seq(1));
  expect_refused(collector_->submit(theirs, &agent_), 403, "not by the client certificate");
}

TEST_F(CollectorBadInput, SignatureOverOtherBytes) {
  const SignedReport two = collector_->make_report(agent_, seq(2, first_.sha256));
  std::string bytes = read_file(two.report);
  bytes[bytes.find("timer")] = 'T';
  write_file(two.report, bytes);
  expect_refused(collector_->submit(two, &agent_), 422, "signature does not verify");
}

TEST_F(CollectorBadInput, TruncatedMultipart) {
  const SignedReport two = collector_->make_report(agent_, seq(2, first_.sha256));
  const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n" + read_file(two.report) +
                           "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"signature\"\r\n\r\n" +
                           read_file(two.signature).substr(0, 100);
  write_file(collector_->dir() / "truncated", body);
  expect_refused(post_raw("multipart/form-data; boundary=XyZ", (collector_->dir() / "truncated").string()), 400,
                 "truncated");
}

TEST_F(CollectorBadInput, MissingPart) {
  const SignedReport two = collector_->make_report(agent_, seq(2, first_.sha256));
  const auto response =
      collector_->curl("--cert " + quote(agent_.cert) + " --key " + quote(agent_.key) + " -F report=@" +
                       quote(two.report) + " " + quote(collector_->url("/api/v1/reports")));
  expect_refused(response, 400, "\"signature\" is missing");
}

TEST_F(CollectorBadInput, FiveMebibyteBody) {
  const SignedReport two = collector_->make_report(agent_, seq(2, first_.sha256));
  write_file(collector_->dir() / "big", std::string(5 * 1024 * 1024, 'x'));
  const auto response = collector_->curl("--cert " + quote(agent_.cert) + " --key " + quote(agent_.key) +
                                         " -F report=@" + quote(collector_->dir() / "big") + " -F signature=@" +
                                         quote(two.signature) + " " + quote(collector_->url("/api/v1/reports")));
  expect_refused(response, 413, "over 4194304 bytes");
}

TEST_F(CollectorBadInput, MalformedJsonAndXmlInsideAValidSignature) {
  const SignedReport json =
      collector_->sign_bytes(agent_, "{\"schema\": \"clinic-audit/report/1\", \"report_id\": ", "json");
  expect_refused(collector_->submit(json, &agent_), 400, "malformed report");
  const SignedReport xml = collector_->sign_bytes(agent_, "<report xmlns=\"urn:clinic-audit:report:1\"><host", "xml");
  expect_refused(collector_->submit(xml, &agent_), 400, "malformed report");
  const SignedReport neither = collector_->sign_bytes(agent_, "just text\n", "txt");
  expect_refused(collector_->submit(neither, &agent_), 400, "neither a JSON nor an XML report");
}

// nlohmann's parser has no depth limit: 3 MiB of '[' before any
// authentication (the enrolment endpoint), or inside a valid signature,
// cost seconds of CPU. Refused while parsing (common/json_depth.hpp).
TEST_F(CollectorBadInput, JsonNestedBeyondSixtyFourLevels) {
  write_file(collector_->dir() / "deep", std::string(3 * 1024 * 1024, '['));
  const auto start = std::chrono::steady_clock::now();
  const auto enrol =
      collector_->curl("-H 'Content-Type: application/json' --data-binary @" + quote(collector_->dir() / "deep") + " " +
                       quote(collector_->url("/api/v1/enroll")));
  expect_refused(enrol, 400, "expected a JSON object");
  const SignedReport deep = collector_->sign_bytes(agent_, std::string(100000, '['), "json");
  expect_refused(collector_->submit(deep, &agent_), 400, "malformed report");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(CollectorBadInput, ReportWithAFutureDate) {
  const SignedReport two =
      collector_->make_report(agent_, seq(2, first_.sha256).with_started_at("2099-01-01T00:00:00Z"));
  expect_refused(collector_->submit(two, &agent_), 400, "in the future");
}

TEST_F(CollectorBadInput, SequenceOverflow) {
  const SignedReport two = collector_->make_report(agent_, seq(18446744073709551615ULL, first_.sha256));
  expect_refused(collector_->submit(two, &agent_), 400, "sequence overflow");
}

TEST_F(CollectorBadInput, SqlMetacharactersAndTenKilobyteStringsAreStoredVerbatim) {
  const std::string hostile = "'); DROP TABLE reports; -- \" \\ %s %n ${x} `id` " + std::string(10 * 1024, 'Z');
  const SignedReport two =
      collector_->make_report(agent_, seq(2, first_.sha256).with_filler(hostile).with_id("x'); DROP TABLE hosts;--"));
  const auto response = collector_->submit(two, &agent_);
  // The report_id is not a UUID: the JSON Schema refuses it.
  EXPECT_EQ(response.status, 400) << response.body;
  const SignedReport three = collector_->make_report(agent_, seq(2, first_.sha256).with_filler(hostile));
  const auto stored = collector_->submit(three, &agent_);
  ASSERT_EQ(stored.status, 201) << stored.body;
  ++acknowledged_;
  const Shell exported = collector_->cli("export --format json");
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  const auto rows = nlohmann::json::parse(exported.output);
  bool found = false;
  for (const auto& row : rows) found = found || row["summary"].get<std::string>().find(hostile) != std::string::npos;
  EXPECT_TRUE(found);
}

TEST_F(CollectorBadInput, InvalidUtf8) {
  std::string bytes = read_file(collector_->make_report(agent_, seq(2, first_.sha256)).report);
  bytes.replace(bytes.find("Debian"), 2, "\xC3\x28");
  expect_refused(collector_->submit(collector_->sign_bytes(agent_, bytes, "json"), &agent_), 400, "malformed report");
}

TEST_F(CollectorBadInput, SlowClientIsCutAtTheHeaderDeadline) {
  // One byte a second; the header deadline is 1.5 s.
  const std::string script =
      "import socket, ssl, time, sys\n"
      "ctx = ssl.create_default_context(cafile=sys.argv[2])\n"
      "s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', int(sys.argv[1]))), server_hostname='localhost')\n"
      "start = time.time()\n"
      "try:\n"
      "    for c in b'POST /api/v1/reports HTTP/1.1\\r\\nHost: x\\r\\n':\n"
      "        s.send(bytes([c])); time.sleep(1)\n"
      "    print('never cut')\n"
      "except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):\n"
      "    print('cut after %.0f s' % (time.time() - start))\n";
  write_file(collector_->dir() / "slow.py", script);
  const Shell slow = sh("timeout 20 python3 " + quote(collector_->dir() / "slow.py") + " " +
                        std::to_string(collector_->port()) + " " + quote(collector_->ca_cert()));
  EXPECT_NE(slow.output.find("cut after"), std::string::npos) << slow.output;
  EXPECT_NE(collector_->log().find("not received within its deadline"), std::string::npos);
}

TEST_F(CollectorBadInput, FiveHundredConnectionsHeldOpen) {
  const std::string script = "import socket, sys, time\n"
                             "held = [socket.create_connection(('127.0.0.1', int(sys.argv[1]))) for _ in range(500)]\n"
                             "print('holding', len(held)); sys.stdout.flush()\n"
                             "time.sleep(float(sys.argv[2]))\n";
  write_file(collector_->dir() / "hold.py", script);
  const std::string holder =
      "python3 " + quote(collector_->dir() / "hold.py") + " " + std::to_string(collector_->port());
  sh(holder + " 6 > " + quote(collector_->dir() / "hold.out") + " 2>&1 &");
  for (int i = 0; i < 100 && read_file(collector_->dir() / "hold.out").find("holding") == std::string::npos; ++i)
    usleep(50000);
  ASSERT_NE(read_file(collector_->dir() / "hold.out").find("holding 500"), std::string::npos);
  // While they are held, a real agent is served.
  const SignedReport two = collector_->make_report(agent_, seq(2, first_.sha256));
  const auto response = collector_->submit(two, &agent_);
  EXPECT_EQ(response.status, 201) << response.body;
  if (response.status == 201) ++acknowledged_;
}

}  // namespace
}  // namespace clinic_audit::collector::test
