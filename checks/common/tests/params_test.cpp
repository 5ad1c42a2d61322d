// Params: the accessors check factories use, and the errors they raise.
#include "params.hpp"

#include <gtest/gtest.h>

namespace clinic_audit {
namespace {

// Expects `fn` to throw ParamError for `param` with exactly `message`.
template <typename Fn>
void expect_param_error(Fn fn, const std::string& param, const std::string& message) {
  try {
    fn();
    ADD_FAILURE() << "no ParamError (expected: " << message << ")";
  } catch (const ParamError& e) {
    EXPECT_EQ(e.param(), param);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(Params, RequiredOptionalAndGetOr) {
  Params p;
  p.add("path", "/etc/passwd", 12);
  p.add("twice", "a", 13);
  p.add("twice", "b", 14);
  EXPECT_EQ(p.required("path"), "/etc/passwd");
  EXPECT_EQ(p.optional("path"), std::optional<std::string>("/etc/passwd"));
  EXPECT_EQ(p.optional("none"), std::nullopt);
  EXPECT_EQ(p.get_or("none", "fallback"), "fallback");
  EXPECT_EQ(p.get_or("path", "fallback"), "/etc/passwd");
  expect_param_error([&] { p.required("none"); }, "none", "missing required parameter 'none'");
  expect_param_error([&] { p.required("twice"); }, "twice", "parameter 'twice' given more than once");
  expect_param_error([&] { p.optional("twice"); }, "twice", "parameter 'twice' given more than once");
  EXPECT_EQ(p.line_of("path"), 12);
  EXPECT_EQ(p.line_of("twice"), 13);
  EXPECT_EQ(p.line_of("none"), 0);
}

TEST(Params, EmptyValueIsAValue) {
  Params p;
  p.add("x", "");
  EXPECT_EQ(p.required("x"), "");
  EXPECT_EQ(p.get_or("x", "fallback"), "");
}

TEST(Params, AllKeepsPolicyOrder) {
  Params p;
  p.add("arg", "-v");
  p.add("other", "z");
  p.add("arg", "--host");
  p.add("arg", "localhost");
  EXPECT_EQ(p.all("arg"), (std::vector<std::string>{"-v", "--host", "localhost"}));
  EXPECT_TRUE(p.all("none").empty());
}

TEST(Params, Flag) {
  Params p;
  for (const char* t : {"true", "yes", "1"}) p.add(std::string("t_") + t, t);
  for (const char* f : {"false", "no", "0"}) p.add(std::string("f_") + f, f);
  p.add("bad", "TRUE");
  p.add("empty", "");
  for (const char* t : {"t_true", "t_yes", "t_1"}) EXPECT_TRUE(p.flag(t, false)) << t;
  for (const char* f : {"f_false", "f_no", "f_0"}) EXPECT_FALSE(p.flag(f, true)) << f;
  EXPECT_TRUE(p.flag("absent", true));
  EXPECT_FALSE(p.flag("absent", false));
  expect_param_error([&] { p.flag("bad", false); }, "bad", "parameter 'bad' must be true or false, not 'TRUE'");
  expect_param_error([&] { p.flag("empty", false); }, "empty", "parameter 'empty' must be true or false, not ''");
}

TEST(Params, Integer) {
  Params p;
  p.add("ok", "30");
  p.add("min", "1");
  p.add("max", "3600");
  p.add("low", "0");
  p.add("high", "3601");
  p.add("neg", "-5");
  p.add("junk", "30s");
  p.add("plus", "+3");
  p.add("space", " 3");
  p.add("huge", "99999999999999999999");
  p.add("empty", "");
  EXPECT_EQ(p.integer("ok", 0, 1, 3600), 30);
  EXPECT_EQ(p.integer("min", 0, 1, 3600), 1);
  EXPECT_EQ(p.integer("max", 0, 1, 3600), 3600);
  EXPECT_EQ(p.integer("absent", 42, 1, 3600), 42);
  EXPECT_EQ(p.integer("neg", 0, -10, 10), -5);
  for (const char* bad : {"low", "high", "junk", "plus", "space", "huge", "empty"}) {
    Params::Value v = p.values().find(bad)->second;
    expect_param_error([&] { p.integer(bad, 0, 1, 3600); }, bad,
                       "parameter '" + std::string(bad) + "' must be an integer from 1 to 3600, not '" + v.text + "'");
  }
}

TEST(Params, OneOf) {
  Params p;
  p.add("type", "directory");
  p.add("bad", "dir");
  EXPECT_EQ(p.one_of("type", {"file", "directory", "any"}), "directory");
  EXPECT_EQ(p.one_of("absent", {"file", "any"}, "any"), "any");
  expect_param_error([&] { p.one_of("absent", {"file", "any"}); }, "absent", "missing required parameter 'absent'");
  expect_param_error(
      [&] {
        p.one_of("bad", {"file", "directory", "any"});
      },
      "bad", "parameter 'bad' must be one of file, directory, any, not 'dir'");
}

TEST(Params, UnreadNamesWhatNoAccessorAskedFor) {
  Params p;
  p.add("path", "/x");
  p.add("typo_param", "1");
  p.add("arg", "a");
  p.add("arg", "b");
  p.add("checked", "y");
  EXPECT_EQ(p.unread(), (std::vector<std::string>{"arg", "checked", "path", "typo_param"}));
  (void)p.required("path");
  (void)p.all("arg");
  EXPECT_TRUE(p.has("checked"));
  EXPECT_FALSE(p.has("absent"));
  EXPECT_EQ(p.unread(), (std::vector<std::string>{"typo_param"}));
  // A failing accessor still counts as read: the error is about the value.
  Params q;
  q.add("flag", "maybe");
  EXPECT_THROW(q.flag("flag", false), ParamError);
  EXPECT_TRUE(q.unread().empty());
}

}  // namespace
}  // namespace clinic_audit
