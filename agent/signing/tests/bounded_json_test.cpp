// parse_bounded_json (the collector's report parse) against what it
// replaces, nlohmann::json::parse with json_depth_guard(): on every input
// the same document, or the same exception (type and message).
#include "bounded_json.hpp"
#include "compact_json.hpp"
#include "fast_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

#include "common/json_depth.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

// The document with the type of every value (dump() and == do not tell an
// unsigned 5 from a signed 5, nor 1.0 from 1).
void describe(const json& value, std::string& out) {
  out += std::to_string(static_cast<int>(value.type()));
  switch (value.type()) {
    case json::value_t::object:
      out += '{';
      for (const auto& [key, member] : value.items()) {
        out += json(key).dump() + ':';
        describe(member, out);
        out += ',';
      }
      out += '}';
      return;
    case json::value_t::array:
      out += '[';
      for (const json& item : value) {
        describe(item, out);
        out += ',';
      }
      out += ']';
      return;
    default: out += value.dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// "ok <typed document>" or "<exception type>: <what>".
template <class Parse>
std::string outcome(Parse parse, const std::string& bytes) {
  try {
    std::string text = "ok ";
    describe(parse(bytes), text);
    return text;
  } catch (const std::exception& error) {
    return std::string(typeid(error).name()) + ": " + error.what();
  }
}

std::string guarded(const std::string& bytes) {
  return outcome([](const std::string& b) { return json::parse(b, json_depth_guard()); }, bytes);
}
std::string bounded(const std::string& bytes) {
  return outcome([](const std::string& b) { return parse_bounded_json(b); }, bytes);
}

std::string nested(int depth, const std::string& open, const std::string& inner, const std::string& close) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += open;
  text += inner;
  for (int i = 0; i < depth; ++i) text += close;
  return text;
}

TEST(BoundedJson, SameAsTheCallbackGuardAroundTheDepthLimit) {
  std::size_t too_deep = 0, accepted = 0;
  for (int depth = kMaxJsonDepth - 2; depth <= kMaxJsonDepth + 3; ++depth) {
    for (const char* inner : {"", "1", "\"x\"", "null", "[]", "{}", "{\"k\":1}", "[1,", "tru"}) {
      for (const auto& [open, close] : std::vector<std::pair<std::string, std::string>>{
               {"[", "]"}, {"{\"a\":", "}"}, {"[{\"a\":", "}]"}, {"{\"a\":[", "]}"}}) {
        const std::string text = nested(depth, open, inner, close);
        const std::string expected = guarded(text);
        EXPECT_EQ(bounded(text), expected) << "depth " << depth << " inner " << inner << " open " << open;
        if (expected.find("nested deeper") != std::string::npos) ++too_deep;
        if (expected.starts_with("ok ")) ++accepted;
      }
    }
  }
  // Both sides of the limit were reached.
  EXPECT_GT(too_deep, 50U);
  EXPECT_GT(accepted, 20U);
}

TEST(BoundedJson, SameOnMalformedAndCornerInputs) {
  const std::vector<std::string> inputs = {
      "",
      " ",
      "{",
      "}",
      "[1,2",
      "{\"a\" 1}",
      "{\"a\":1,}",
      "[1,]",
      "01",
      "1e999",
      "-1e999",
      "18446744073709551616",
      "-9223372036854775809",
      "1.0",
      "-0",
      "\"\\ud800\"",
      "\"\\udc00\\ud800\"",
      "\"\\u00e9\"",
      "\"\xC3\x28\"",
      "\"\xF0\x9F\x98\x80\"",
      "\"a\tb\"",
      "{\"a\":1,\"a\":2}",
      "[1] x",
      "[1] ",
      "{}{}",
      "nul",
      "true false",
      "\xEF\xBB\xBF{}",
      "/* c */ {}",
      "[\"\\x\"]",
      std::string("[\"a\0b\"]", 7),
      "{\"\":\"\"}",
      nested(200, "[", "", "]") + "garbage",
      "[" + nested(70, "[", "", "]"),
      "[1e5, 2E-3, 3.5e+2, -0.0]",
      "[0, -0, 5, -5, 123456789012345678, -123456789012345678, 1234567890123456789, 12345678901234567890]",
      "[1e308, 2.2250738585072014e-308, 0e0, -0e-0, 0.1, 1E+2, 5e-324, 1.7976931348623157e308]",
      "1e-310",
      "1e-400",
      "1e+",
      "1.e2",
      ".5",
      "-",
      "-a",
      "1ee2",
      "[0.30000000000000004, 123456.789e-3, 9007199254740993.0]",
      "\"\\u00e9\\u20AC\\ud83d\\ude00\\u0000\\/\\b\\f\\n\\r\\t\"",
      "\"\\ud83d\"",
      "\"\\ud83d\\u0041\"",
      "\"\\ude00\"",
      "\"\\u12\"",
      "\"\\uZZZZ\"",
      "{\"a\":{\"b\":[true,false,null]},\"c\":\"\"}",
      "tru",
      "nulll",
      "[true,]",
      "{,}",
      "{\"a\"}",
      "{\"a\":}",
      "[1 2]",
      "\"\x7F\"",
      "\"\xE2\x82\xAC\"",
      "\"\xC3\"",
      "  {} \t\r\n"};
  for (const std::string& text : inputs) EXPECT_EQ(bounded(text), guarded(text)) << text;
}

TEST(BoundedJson, SameOnMutationsOfARealReport) {
  const std::string report = test::sample_report("json", 3, std::string(64, 'a'));
  ASSERT_TRUE(guarded(report).starts_with("ok "));
  EXPECT_EQ(bounded(report), guarded(report));
  std::mt19937 random(20261130);  // fixed: the same inputs every run
  const std::string alphabet = "{}[]\":,\\ 0-1e.tnfu\x80\xC3\xFF";
  // The fast reader takes the report itself (else it saves nothing).
  EXPECT_TRUE(parse_json_fast(report).has_value());
  std::size_t differed_from_original = 0, read_fast = 0;
  for (int i = 0; i < 1200; ++i) {
    std::string text = report;
    const std::size_t at = random() % text.size();
    const char c = alphabet[random() % alphabet.size()];
    switch (i % 3) {
      case 0: text[at] = c; break;
      case 1: text.insert(at, 1, c); break;
      default: text.erase(at, 1 + random() % 8); break;
    }
    const std::string expected = guarded(text);
    if (!expected.starts_with("ok ")) ++differed_from_original;
    if (parse_json_fast(text)) ++read_fast;
    ASSERT_EQ(bounded(text), expected) << "mutation " << i << " at byte " << at;
    if (expected.starts_with("ok ")) {
      const json document = json::parse(text);
      ASSERT_EQ(compact_json(document), document.dump()) << "mutation " << i;
    }
  }
  EXPECT_GT(differed_from_original, 200U);  // the mutations reached the error paths
  EXPECT_GT(read_fast, 200U);               // and the fast reader's accept path
}

// compact_json against dump(): the same text, or the same exception.
std::string dumped(const json& value) {
  try {
    return value.dump();
  } catch (const std::exception& error) {
    return std::string("throws ") + error.what();
  }
}
std::string compacted(const json& value) {
  try {
    return compact_json(value);
  } catch (const std::exception& error) {
    return std::string("throws ") + error.what();
  }
}

TEST(CompactJson, SameAsDump) {
  std::string every_byte;
  for (int c = 1; c < 0x80; ++c) every_byte += static_cast<char>(c);
  std::vector<json> values = {json::object(),
                              json::array(),
                              nullptr,
                              true,
                              false,
                              0,
                              -1,
                              1U,
                              -9223372036854775807 - 1,
                              18446744073709551615U,
                              0.0,
                              -0.0,
                              1.5,
                              1e300,
                              3.0,
                              1e-7,
                              every_byte,
                              "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                              "a/b\\c\"d\x7F",
                              json::parse(test::sample_report("json", 7, std::nullopt))};
  // Invalid UTF-8 (dump throws type_error 316): lone continuation, overlong,
  // surrogate, beyond U+10FFFF, cut short at the end and in the middle.
  for (const char* bad : {"\x80", "\xC0\xAF", "\xC1\xBF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80",
                          "ab\xE2\x82", "\xE2\x82x", "\xF0\x9F\x98", "\xFF"}) {
    values.emplace_back(std::string("ok ") + bad);
    values.push_back(json{{"k", json::array({1, std::string(bad)})}});
    values.push_back(json{{std::string(bad), 1}});
  }
  std::size_t threw = 0;
  for (const json& value : values) {
    const std::string expected = dumped(value);
    if (expected.starts_with("throws ")) ++threw;
    EXPECT_EQ(compacted(value), expected) << expected;
    const json nested{{"evidence", json::array({value, {{"x", value}}})}};
    EXPECT_EQ(compacted(nested), dumped(nested));
  }
  EXPECT_EQ(threw, 30U);  // every invalid string, in all three places
}

}  // namespace
}  // namespace clinic_audit::signing
