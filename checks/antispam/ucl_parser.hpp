// The subset of UCL (libucl, the configuration language of rspamd) that
// rspamd's local.d/override.d files use: "key = value;", "key value",
// "key { ... }", "section \"name\" { ... }", arrays "[ ... ]", double- and
// single-quoted strings, heredocs (<<EOD ... EOD), '#' and nested /* */
// comments, and macros such as .include(params) "file" (recorded, not
// followed: the caller decides). Pure; nesting is capped so hostile input
// cannot exhaust the stack.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace clinic_audit::antispam {

struct UclMember;

struct UclValue {
  enum class Kind { scalar, object, array };
  Kind kind = Kind::scalar;
  std::string text;     // scalar text, quotes removed
  bool quoted = false;  // scalar came from a quoted string
  int line = 0;
  std::vector<UclMember> members;  // object, in file order (duplicates kept)
  std::vector<UclValue> items;     // array

  // Last member named `key` (later definitions override earlier ones).
  const UclValue* get(std::string_view key) const;
  // Scalar text of member `key`, lower-cased for booleans; "" when absent.
  std::string scalar(std::string_view key) const;
  // true/yes/on (UCL booleans).
  bool truthy() const;
};

struct UclMember {
  std::string key;
  UclValue value;
};

struct UclMacro {
  std::string name;    // "include", "priority", ...
  std::string params;  // text inside the parentheses
  std::string argument;
  int line = 0;
};

struct UclDocument {
  UclValue root;  // an object
  std::vector<UclMacro> macros;
  std::vector<Evidence> issues;  // syntax errors, with file and line
};

UclDocument parse_ucl(std::string_view text, const std::string& file);

}  // namespace clinic_audit::antispam
