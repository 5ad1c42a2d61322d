// HTTP framing from hostile clients (issue #11 "Bad input": "server stays
// up"), sent byte for byte over TLS by a small Python client, since curl
// and Beast's own client only write well-formed requests:
//  - an endless chunk-size line: refused once it passes the read buffer's
//    bound, the collector's memory does not follow what the client sends;
//  - a Transfer-Encoding that does not end in chunked (RFC 9112 §6.3): 400
//    and close, never a second request smuggled in the body;
//  - HTTP/1.1 without Host (RFC 9112 §3.2): 400;
//  - HEAD: GET's Content-Length, no body (RFC 9110 §9.3.2);
//  - an absolute-form target (RFC 9112 §3.2.2): routed as its path;
//  - accept(2) out of descriptors: the collector waits and tries again,
//    it does not spin;
//  - a login name with a line feed does not forge a log line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "sanitized_build.hpp"
#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

// Sanitizer builds (ASan+UBSan, TSan): their allocators' RSS says nothing
// of the collector's buffers, and see OutOfDescriptors... below.
constexpr bool kSanitized = clinic_audit::test::kSanitizedBuild;

// raw.py PORT CA MODE: sends MODE's bytes, prints what came back.
constexpr const char* kRawClient = R"PY(
import socket, ssl, sys
port, ca, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection(('127.0.0.1', port), timeout=10), server_hostname='localhost')
smuggled = b'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'
requests = {
    'te-gzip': b'POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n' + smuggled,
    'te-other-and-length': b'GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: %d\r\n\r\n'
        % len(smuggled) + smuggled,
    'no-host': b'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n',
    'two-hosts': b'GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n',
    'http10-no-host': b'GET /healthz HTTP/1.0\r\n\r\n',
    'head': b'HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'get': b'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'absolute': b'GET https://127.0.0.1/healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
}
sent = 0
try:
    if mode == 'endless-chunk-line':
        s.sendall(b'POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;x=')
        block = b'a' * 65536
        while sent < (8 << 20):
            s.sendall(block)
            sent += len(block)
    else:
        s.sendall(requests[mode])
except OSError:
    pass
answer = b''
try:
    while True:
        data = s.recv(65536)
        if not data:
            break
        answer += data
except OSError:
    pass
print('sent %d' % sent)
sys.stdout.write(answer.decode('latin-1'))
)PY";

class CollectorHttpFraming : public testing::Test {
 protected:
  void SetUp() override {
    collector_ = std::make_unique<Collector>("<timeouts header-ms=\"3000\" body-ms=\"5000\" idle-ms=\"5000\"/>");
    write_file(collector_->dir() / "raw.py", kRawClient);
  }
  void TearDown() override {
    ASSERT_TRUE(collector_->alive()) << collector_->log();
    EXPECT_EQ(collector_->curl(quote(collector_->url("/healthz"))).status, 200);
  }
  std::string raw(const std::string& mode) {
    return sh("timeout 30 python3 " + quote(collector_->dir() / "raw.py") + " " + std::to_string(collector_->port()) +
              " " + quote(collector_->ca_cert()) + " " + mode)
        .output;
  }
  static int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }
  std::string pid() const { return std::to_string(collector_->pid()); }
  long rss_kib() const {
    std::ifstream status("/proc/" + pid() + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
  }
  double cpu_seconds() const {
    std::ifstream stat("/proc/" + pid() + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime (proc(5))
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }

  std::unique_ptr<Collector> collector_;
};

TEST_F(CollectorHttpFraming, EndlessChunkLineIsRefusedAndMemoryStaysBounded) {
  const long before = rss_kib();
  ASSERT_GT(before, 0);
  const std::string answer = raw("endless-chunk-line");
  EXPECT_NE(answer.find("HTTP/1.1 400"), std::string::npos) << answer;
  EXPECT_NE(answer.find("256 KiB"), std::string::npos) << answer;
  // Before the bound the collector held every byte sent (8 MiB here).
  // ASan's quarantine and TSan's shadow grow RSS by themselves (8 MB seen).
  if (!kSanitized) {
    EXPECT_LT(rss_kib() - before, 4 * 1024) << "RSS grew from " << before << " KiB";
  }
}

TEST_F(CollectorHttpFraming, TransferEncodingNotEndingInChunkedIsRefusedNothingSmuggled) {
  for (const char* mode : {"te-gzip", "te-other-and-length"}) {
    const std::string answer = raw(mode);
    EXPECT_EQ(count(answer, "HTTP/1.1 "), 1) << mode << ": " << answer;
    EXPECT_NE(answer.find("HTTP/1.1 400"), std::string::npos) << mode << ": " << answer;
    EXPECT_NE(answer.find("Transfer-Encoding"), std::string::npos) << mode << ": " << answer;
    EXPECT_EQ(answer.find("# TYPE"), std::string::npos) << mode << ": the smuggled /metrics was answered";
  }
}

TEST_F(CollectorHttpFraming, Http11RequestNeedsExactlyOneHost) {
  EXPECT_NE(raw("no-host").find("HTTP/1.1 400"), std::string::npos);
  EXPECT_NE(raw("two-hosts").find("HTTP/1.1 400"), std::string::npos);
  // HTTP/1.0 has no Host requirement.
  EXPECT_NE(raw("http10-no-host").find(" 200 "), std::string::npos);
}

TEST_F(CollectorHttpFraming, HeadAnswersTheContentLengthOfGetWithoutBody) {
  const std::string get = raw("get");
  const std::string head = raw("head");
  const auto length = [](const std::string& answer) {
    const auto at = answer.find("Content-Length: ");
    return at == std::string::npos ? std::string("none") : answer.substr(at + 16, answer.find('\r', at) - at - 16);
  };
  ASSERT_NE(length(get), "none") << get;
  EXPECT_NE(length(get), "0") << get;
  EXPECT_EQ(length(head), length(get)) << head;
  EXPECT_EQ(head.substr(head.find("\r\n\r\n") + 4), "") << head;
}

TEST_F(CollectorHttpFraming, AbsoluteFormTargetIsServedAsItsPath) {
  const std::string answer = raw("absolute");
  EXPECT_NE(answer.find("HTTP/1.1 200"), std::string::npos) << answer;
  EXPECT_NE(answer.find("\"ok\""), std::string::npos) << answer;
}

// A failed dashboard login logs the name typed: a line feed in it forged a
// whole log line (an ingest that never happened). It is logged escaped.
TEST_F(CollectorHttpFraming, LoginNameCannotForgeALogLine) {
  const std::string jar = quote(collector_->dir() / "cookies");
  const std::string page =
      sh("curl -sS --cacert " + quote(collector_->ca_cert()) + " -c " + jar + " " + quote(collector_->url("/login")))
          .output;
  const std::string field = "name=\"csrf\" value=\"";
  const auto at = page.find(field);
  ASSERT_NE(at, std::string::npos) << page;
  const auto value = at + field.size();
  const std::string csrf = page.substr(value, page.find('"', value) - value);
  const Shell posted =
      sh("curl -sS -o /dev/null --cacert " + quote(collector_->ca_cert()) + " -b " + jar + " --data-urlencode " +
         quote("csrf=" + csrf) + " --data-urlencode password=x" + " --data-urlencode " +
         quote("user=bob\nFORGED 201 stored host=deadbeef") + " " + quote(collector_->url("/login")));
  ASSERT_EQ(posted.exit_code, 0) << posted.output;
  const std::string log = collector_->log();
  EXPECT_NE(log.find("failed login for user 'bob\\nFORGED"), std::string::npos) << log;
  EXPECT_EQ(log.find("\nFORGED"), std::string::npos) << log;
}

TEST_F(CollectorHttpFraming, OutOfDescriptorsTheAcceptLoopWaitsInsteadOfSpinning) {
  if (sh("command -v prlimit").exit_code != 0) GTEST_SKIP() << "prlimit (util-linux) not installed";
  // Under ASan+UBSan the collector, out of descriptors, stopped on a UBSan
  // vptr report inside Asio's strand bookkeeping (std::_Sp_counted_ptr of a
  // strand_impl), not yet understood: an open finding of the closing note.
  // The dev build runs this test.
  if (kSanitized) GTEST_SKIP() << "out of descriptors under a sanitizer: see the comment above";
  const std::string process = pid();
  ASSERT_FALSE(process.empty());
  // A descriptor limit (the soft one: raising a hard limit again needs
  // CAP_SYS_RESOURCE) below <limits connections> (1000 by default).
  ASSERT_EQ(sh("prlimit --pid " + process + " --nofile=48:").exit_code, 0);
  const std::string holder =
      "import socket, sys, time\n"
      "held = []\n"
      "for _ in range(80):\n"
      "    try: held.append(socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2))\n"
      "    except OSError: pass\n"
      "time.sleep(2.5)\n";
  write_file(collector_->dir() / "hold.py", holder);
  const double before = cpu_seconds();
  sh("timeout 20 python3 " + quote(collector_->dir() / "hold.py") + " " + std::to_string(collector_->port()));
  const double spent = cpu_seconds() - before;
  // Spinning, both I/O threads took a full core each for the 2.5 s.
  EXPECT_LT(spent, 1.0) << "collector CPU while out of descriptors: " << spent << " s";
  EXPECT_NE(collector_->log().find("cannot accept connections"), std::string::npos) << collector_->log();
  ASSERT_EQ(sh("prlimit --pid " + process + " --nofile=1024:").exit_code, 0);
}

}  // namespace
}  // namespace clinic_audit::collector::test
