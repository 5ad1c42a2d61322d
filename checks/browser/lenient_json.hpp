// A JSON reader that keeps the line of every value, with the two dialects the
// browsers read their policy files in:
//  - Chromium's config-dir policy loader (components/policy/core/common/
//    config_dir_policy_loader.cc, base::JSONReader with JSON_ALLOW_TRAILING_COMMAS):
//    `//` and `/* */` comments and trailing commas are accepted, a UTF-8 BOM
//    is skipped, a duplicate key keeps its last value. Checked against
//    Debian's chromium by tests/browser_oracle_test.cpp ("# x" is rejected,
//    so is a file that does not parse: Chromium then ignores the whole file).
//  - Firefox's policies.json (EnterprisePoliciesParent.sys.mjs reads it with
//    JSON.parse): strict RFC 8259, no comments, no trailing commas.
// Nesting is capped (Chromium's limit, base/json/json_parser.h: 200) so a
// hostile file cannot exhaust the stack.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace clinic_audit::browser {

struct JsonValue;
using JsonObject = std::vector<std::pair<std::string, JsonValue>>;  // file order; duplicates kept
using JsonArray = std::vector<JsonValue>;

struct JsonValue {
  enum class Kind { null, boolean, integer, real, string, array, object };
  Kind kind = Kind::null;
  bool boolean = false;
  std::int64_t integer = 0;  // Kind::integer: a literal without fraction/exponent
  double real = 0;
  std::string string;
  std::shared_ptr<JsonArray> array;    // Kind::array
  std::shared_ptr<JsonObject> object;  // Kind::object
  int line = 0;                        // 1-based line where the value starts

  // Last value of `key` in an object (JSON parsers keep the last duplicate); nullptr if absent.
  const JsonValue* find(std::string_view key) const;
  bool is_bool() const { return kind == Kind::boolean; }
  bool is_int() const { return kind == Kind::integer; }
  bool is_string() const { return kind == Kind::string; }
  bool is_array() const { return kind == Kind::array; }
  bool is_object() const { return kind == Kind::object; }
  // A short rendering for evidence ("false", "\"disable_non_proxied_udp\"", "[2 items]").
  std::string brief() const;
};

struct JsonDialect {
  bool comments = false;
  bool trailing_commas = false;
  static JsonDialect chromium() { return {true, true}; }
  static JsonDialect strict() { return {false, false}; }
};

class JsonError : public std::runtime_error {
 public:
  JsonError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

// Throws JsonError naming the line of the first problem.
JsonValue parse_json(std::string_view text, JsonDialect dialect);

}  // namespace clinic_audit::browser
