// The multipart/form-data parser against what stock curl sends (captured by
// a loopback listener in the test) and hand-made edge cases.
#include <gtest/gtest.h>

#include "multipart.hpp"

namespace clinic_audit::collector {
namespace {

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(form_boundary("multipart/form-data; boundary=------------------------abc123"),
            "------------------------abc123");
  EXPECT_EQ(form_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b\""), "a b");
  EXPECT_THROW(form_boundary("application/json"), MultipartError);
  EXPECT_THROW(form_boundary("multipart/form-data"), MultipartError);
  EXPECT_THROW(form_boundary("multipart/form-data; boundary=" + std::string(71, 'x')), MultipartError);
  EXPECT_THROW(form_boundary("multipart/form-data; boundary=\"unterminated"), MultipartError);
}

TEST(Multipart, PartsWithBinaryBodies) {
  const std::string binary("\x30\x82\r\n--notit\0\xff", 12);
  const std::string body = "preamble\r\n--B\r\nContent-Disposition: form-data; name=\"report\"; filename=\"r.json\"\r\n"
                           "Content-Type: application/octet-stream\r\n\r\n{\"a\":1}\r\n--B\r\n"
                           "Content-Disposition: form-data; name=\"signature\"; filename=\"r.json.p7s\"\r\n\r\n" +
                           binary + "\r\n--B--\r\n";
  const auto parts = parse_multipart(body, "B");
  ASSERT_EQ(parts.size(), 2U);
  EXPECT_EQ(parts[0].name, "report");
  EXPECT_EQ(parts[0].filename, "r.json");
  EXPECT_EQ(parts[0].body, "{\"a\":1}");
  EXPECT_EQ(parts[1].body, binary);
}

// A part whose header block ends right at the next delimiter is empty
// (RFC 2046 §5.1.1); it was read as everything up to the end of the body.
TEST(Multipart, EmptyPartIsEmptyNotTheRestOfTheBody) {
  const std::string body = "--B\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n--B\r\n"
                           "Content-Disposition: form-data; name=\"signature\"\r\n\r\nSIG\r\n--B--\r\n";
  const auto parts = parse_multipart(body, "B");
  ASSERT_EQ(parts.size(), 2U);
  EXPECT_EQ(parts[0].name, "report");
  EXPECT_EQ(parts[0].body, "");
  EXPECT_EQ(parts[1].body, "SIG");
  // With the blank line of its own (three CRLF): empty too.
  const std::string spaced = "--B\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n\r\n--B--\r\n";
  const auto one = parse_multipart(spaced, "B");
  ASSERT_EQ(one.size(), 1U);
  EXPECT_EQ(one[0].body, "");
}

TEST(Multipart, MalformedBodiesAreErrors) {
  const std::string head = "--B\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\nxx";
  EXPECT_THROW(parse_multipart(head, "B"), MultipartError);  // no closing delimiter
  EXPECT_THROW(parse_multipart("no boundary here", "B"), MultipartError);
  EXPECT_THROW(parse_multipart("--B\r\n\r\nbody\r\n--B--", "B"), MultipartError);  // no name
  EXPECT_THROW(parse_multipart("--B\r\nContent-Disposition: attachment; name=\"r\"\r\n\r\nx\r\n--B--", "B"),
               MultipartError);
  EXPECT_THROW(parse_multipart("--Bjunk", "B"), MultipartError);
  std::string many;
  for (int i = 0; i < 10; ++i) many += "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
  EXPECT_THROW(parse_multipart(many + "--B--", "B"), MultipartError);
  EXPECT_TRUE(parse_multipart("--B--", "B").empty());
}

}  // namespace
}  // namespace clinic_audit::collector
