#include <gtest/gtest.h>

#include <set>

#include "csv.hpp"
#include "html.hpp"
#include "language.hpp"
#include "login.hpp"
#include "messages.hpp"
#include "passwords.hpp"
#include "throttle.hpp"
#include "tokens.hpp"
#include "web.hpp"

namespace clinic_audit::dashboard {
namespace {

TEST(Html, TextAndAttributesAreEscaped) {
  Html h;
  h.element("td", "<script>alert('x')</script>&", {{"title", "\"><img src=x onerror=alert(1)>"}});
  EXPECT_EQ(
      h.str(),
      "<td title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</td>");
  EXPECT_EQ(escape_html(std::string("a\0b", 3)), "a\xEF\xBF\xBD"
                                                 "b");
}

TEST(Html, UrlEncodingKeepsOnlyUnreserved) { EXPECT_EQ(url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9"); }

TEST(Csv, QuotesAndDefusesFormulas) {
  EXPECT_EQ(csv_row({"plain", "a,b", "say \"hi\"", "line\nbreak"}),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\"\r\n");
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("+1"), "'+1");
  EXPECT_EQ(csv_field("-cmd"), "'-cmd");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
}

TEST(Language, AcceptLanguageWithQualities) {
  EXPECT_EQ(lang_from_accept_language(""), Lang::fr);
  EXPECT_EQ(lang_from_accept_language("en-GB,en;q=0.9"), Lang::en);
  EXPECT_EQ(lang_from_accept_language("fr-FR,fr;q=0.9,en;q=0.8"), Lang::fr);
  EXPECT_EQ(lang_from_accept_language("en;q=0.5, fr;q=0.7"), Lang::fr);
  EXPECT_EQ(lang_from_accept_language("de, en;q=0.3"), Lang::en);
  EXPECT_EQ(lang_from_accept_language("de"), Lang::fr);
  EXPECT_EQ(lang_from_accept_language("english"), Lang::fr);
}

TEST(Messages, EveryKeyHasBothLanguagesOnce) {
  std::set<std::string_view> keys;
  for (const auto& message : all_messages()) {
    EXPECT_TRUE(keys.insert(message.key).second) << "duplicate key " << message.key;
    EXPECT_FALSE(message.fr.empty()) << message.key;
    EXPECT_FALSE(message.en.empty()) << message.key;
  }
  EXPECT_EQ(tr(Lang::fr, "nav.fleet"), "Parc");
  EXPECT_EQ(tr(Lang::en, "nav.fleet"), "Fleet");
}

TEST(Passwords, Argon2idHashesVerifyAndRefuseOthers) {
  const Argon2Params quick{1024, 1, 1};
  const auto hash = hash_password("correct horse battery", quick);
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=1024,t=1,p=1$", 0), 0U) << hash;
  EXPECT_TRUE(verify_password("correct horse battery", hash));
  EXPECT_FALSE(verify_password("correct horse batterY", hash));
  EXPECT_FALSE(verify_password("x", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
  EXPECT_FALSE(verify_password("x", "plain"));
  EXPECT_NE(hash_password("same password here", quick), hash_password("same password here", quick));
  EXPECT_TRUE(password_problem("short").size() > 0);
  EXPECT_TRUE(password_problem("éééééééééééé").empty());  // 12 characters, 24 bytes
  EXPECT_FALSE(password_problem(std::string("twelve chars\0", 13)).empty());
}

TEST(Tokens, RandomDigestAndCsrf) {
  const auto a = random_token();
  EXPECT_EQ(a.size(), 43U);
  EXPECT_NE(a, random_token());
  EXPECT_EQ(token_digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(csrf_for_session(a), token_digest(a));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

TEST(Throttle, DelaysAfterFreeFailuresAndForgetsOnSuccess) {
  LoginThrottle throttle;
  const auto t0 = LoginThrottle::Clock::now();
  for (int i = 0; i < LoginThrottle::kFreeFailures; ++i) {
    EXPECT_EQ(throttle.wait_for("u", t0).count(), 0);
    throttle.failed("u", t0);
  }
  EXPECT_GT(throttle.wait_for("u", t0).count(), 0);
  throttle.failed("u", t0);
  EXPECT_GE(throttle.wait_for("u", t0).count(), 2);
  EXPECT_EQ(throttle.wait_for("u", t0 + std::chrono::seconds(3)).count(), 0);
  EXPECT_EQ(throttle.wait_for("other", t0).count(), 0);
  throttle.succeeded("u");
  EXPECT_EQ(throttle.wait_for("u", t0).count(), 0);
}

TEST(Web, TargetsFormsCookiesDates) {
  const auto t = parse_target("/hosts?q=a+b%26&policy=apicrypt-v1&bad=%zz");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->path, "/hosts");
  EXPECT_EQ(param(t->query, "q"), "a b&");
  EXPECT_EQ(param(t->query, "bad"), "%zz");
  EXPECT_FALSE(parse_target("http://evil/"));
  EXPECT_FALSE(parse_target("/a/%2e%2e/b"));
  EXPECT_FALSE(parse_target("/a%00b"));
  EXPECT_FALSE(parse_target("/%ff"));
  WebRequest request;
  request.headers["cookie"] = "a=1; ca_session=tok; b=2";
  EXPECT_EQ(cookie(request, "ca_session"), "tok");
  EXPECT_FALSE(cookie(request, "missing"));
  EXPECT_EQ(parse_day("2026-02-28"), 1772236800);
  EXPECT_FALSE(parse_day("2026-02-30"));
  EXPECT_FALSE(parse_day("26-02-28"));
  EXPECT_EQ(format_day(1772236800 + 3600), "2026-02-28");
  EXPECT_EQ(format_time(1772236800 + 3660), "2026-02-28 01:01 UTC");
}

TEST(Login, NextStaysOnThisSite) {
  EXPECT_EQ(safe_next("/hosts?q=x"), "/hosts?q=x");
  EXPECT_EQ(safe_next("//evil.example/"), "/fleet");
  EXPECT_EQ(safe_next("/\\evil.example/"), "/fleet");
  EXPECT_EQ(safe_next("https://evil.example/"), "/fleet");
  EXPECT_EQ(safe_next("/login"), "/fleet");
  EXPECT_EQ(safe_next("/a\nb"), "/fleet");
  EXPECT_EQ(safe_next(""), "/fleet");
}

}  // namespace
}  // namespace clinic_audit::dashboard
