// The API's pure parts: multipart bodies, acknowledgments, Retry-After,
// the backoff schedule, URLs and proxy selection.
#include <gtest/gtest.h>

#include <cstdlib>

#include "collector_api.hpp"
#include "endpoint.hpp"

namespace clinic_audit::delivery {
namespace {

using namespace std::chrono_literals;

TEST(CollectorApi, MultipartCarriesTheExactBytes) {
  const std::string report = "{\"a\":1}\r\n--not-a-boundary\r\n";
  const std::string signature("\x30\x82\x00\x00\r\n", 6);
  const auto body = multipart_report("r\"x.json", report, signature);
  const std::string boundary = body.content_type.substr(body.content_type.find("boundary=") + 9);
  EXPECT_NE(body.body.find("\r\n\r\n" + report + "\r\n--" + boundary + "\r\n"), std::string::npos);
  EXPECT_NE(body.body.find("\r\n\r\n" + signature + "\r\n--" + boundary + "--\r\n"), std::string::npos);
  EXPECT_NE(body.body.find("filename=\"r_x.json\""), std::string::npos);
}

TEST(CollectorApi, OnlyAValidAnswerAcknowledges) {
  std::string why;
  EXPECT_TRUE(
      parse_ingest_answer(201, R"({"status":"stored","report_id":"id","sequence":3,"chain":"ok"})", "id", 3, why));
  EXPECT_TRUE(parse_ingest_answer(200, R"({"status":"duplicate","report_id":"id","sequence":3})", "id", 3, why));
  // Without what it acknowledges, an answer acknowledges nothing.
  EXPECT_FALSE(parse_ingest_answer(201, R"({"status":"stored"})", "id", 3, why));
  EXPECT_NE(why.find("report_id"), std::string::npos) << why;
  EXPECT_FALSE(parse_ingest_answer(200, R"({"status":"duplicate","report_id":"id"})", "id", 3, why));
  EXPECT_FALSE(parse_ingest_answer(201, R"({"status":"stored","sequence":3})", "id", 3, why));
  EXPECT_FALSE(parse_ingest_answer(201, R"({"status":"stored","report_id":"id","sequence":null})", "id", 3, why));
  EXPECT_FALSE(parse_ingest_answer(200, R"({"status":"stored","report_id":"id"})", "id", 3, why));
  EXPECT_FALSE(parse_ingest_answer(201, R"({"status":"stored","report_id":"id","sequence":4})", "id", 3, why));
  EXPECT_FALSE(parse_ingest_answer(201, "", "id", 3, why));
  EXPECT_FALSE(parse_ingest_answer(201, "[1]", "id", 3, why));
  const auto flagged = parse_ingest_answer(
      201,
      R"({"status":"stored","report_id":"id","sequence":3,"chain":"anomaly","anomalies":[{"kind":"fork","detail":"seq 3 twice\u001b[2J"}]})",
      "id", 3, why);
  ASSERT_TRUE(flagged);
  ASSERT_EQ(flagged->anomalies.size(), 1u);
  EXPECT_EQ(flagged->anomalies[0], "fork: seq 3 twice\\x1b[2J");
}

// An answer nested past 64 levels is not an answer (nlohmann has no depth
// limit of its own; 64 KiB of '[' was a second of CPU under ASan).
TEST(CollectorApi, DeeplyNestedAnswerIsRefusedQuickly) {
  std::string why;
  const std::string deep = R"({"status":"stored","report_id":"id","x":)" + std::string(65000, '[');
  EXPECT_FALSE(parse_ingest_answer(201, deep, "id", 3, why));
  EXPECT_NE(why.find("not a JSON object"), std::string::npos) << why;
  const std::string shown = error_text(deep);  // the raw body, escaped and cut, as for any non-JSON answer
  EXPECT_FALSE(shown.empty());
  EXPECT_LE(shown.size(), 210u);
}

TEST(CollectorApi, RetryAfterSecondsAndHttpDate) {
  const auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(parse_retry_after("120", now), 120s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:50:37 GMT", now), 60s);
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:40:37 GMT", now), 0s);
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("", now));
  // Past what system_clock's nanoseconds hold (year 2262): capped, no overflow.
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 3988 08:49:37 GMT", now), 999999999s);
}

TEST(CollectorApi, FullJitterStaysUnderTheExponentialCeiling) {
  std::mt19937_64 random(42);
  for (int attempt = 1; attempt <= 20; ++attempt) {
    const auto ceiling = std::min<long long>(100LL << std::min(attempt - 1, 30), 5000);
    long long highest = 0;
    for (int i = 0; i < 200; ++i) {
      const auto delay = backoff_delay(attempt, 100ms, 5000ms, random).count();
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, ceiling);
      highest = std::max<long long>(highest, delay);
    }
    EXPECT_GT(highest, ceiling / 2) << "not spread over [0, ceiling] at attempt " << attempt;
  }
}

TEST(Endpoint, CollectorUrls) {
  const auto url = parse_collector_url("https://collector.example:8443/audit/");
  EXPECT_EQ(url.host, "collector.example");
  EXPECT_EQ(url.port, "8443");
  EXPECT_EQ(url.base_path, "/audit");
  EXPECT_EQ(parse_collector_url("https://[::1]").host, "::1");
  for (const char* bad : {"http://x", "https://", "https://u:p@x", "https://x:99999", "https://x/?a", "https://x y"}) {
    EXPECT_THROW(parse_collector_url(bad), std::invalid_argument) << bad;
  }
}

TEST(Endpoint, ProxyFromConfigurationOrEnvironmentUnlessNoProxy) {
  ::setenv("https_proxy", "http://user:p%40ss@127.0.0.1:3129", 1);
  ::unsetenv("no_proxy");
  ::unsetenv("NO_PROXY");
  auto proxy = choose_proxy(std::nullopt, "collector.example");
  ASSERT_TRUE(proxy);
  EXPECT_EQ(proxy->port, "3129");
  EXPECT_EQ(proxy->authorization, "Basic dXNlcjpwQHNz");  // base64("user:p@ss")
  EXPECT_EQ(proxy->text.find("user"), std::string::npos) << "credentials in messages";
  EXPECT_EQ(choose_proxy(std::string("http://10.0.0.1"), "x")->host, "10.0.0.1");
  ::setenv("no_proxy", "localhost, .example", 1);
  EXPECT_FALSE(choose_proxy(std::nullopt, "collector.example"));
  EXPECT_TRUE(choose_proxy(std::nullopt, "example.org"));
  ::unsetenv("no_proxy");
  ::unsetenv("https_proxy");
  EXPECT_FALSE(choose_proxy(std::nullopt, "collector.example"));
}

}  // namespace
}  // namespace clinic_audit::delivery
