// Parameters of one check instance, as written in a policy's <param> elements
// after variable substitution. Check factories read them through this class so
// that a missing, malformed or unknown parameter becomes a numbered policy load
// error naming the policy file and line (exit 65), never a run-time surprise.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit {

// Thrown by a check factory for a bad parameter; `param` names it so that the
// loader can point at its line.
class ParamError : public std::runtime_error {
 public:
  ParamError(std::string param, const std::string& message) : std::runtime_error(message), param_(std::move(param)) {}
  const std::string& param() const { return param_; }

 private:
  std::string param_;
};

class Params {
 public:
  struct Value {
    std::string text;
    int line = 0;  // line of the <param> element in the policy file
  };

  void add(std::string name, std::string text, int line = 0);

  // Exactly one value; throws ParamError when absent or repeated.
  const std::string& required(std::string_view name) const;
  // Zero or one value.
  std::optional<std::string> optional(std::string_view name) const;
  std::string get_or(std::string_view name, std::string_view fallback) const;
  // Every value of a repeatable parameter, in policy order.
  std::vector<std::string> all(std::string_view name) const;
  // "true"/"false" (also yes/no, 1/0).
  bool flag(std::string_view name, bool fallback) const;
  std::int64_t integer(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  // Required enumerated value: one of `allowed`.
  std::string one_of(std::string_view name, const std::vector<std::string_view>& allowed,
                     std::optional<std::string_view> fallback = std::nullopt) const;

  bool has(std::string_view name) const;
  // Line of the first value of `name` (0 when unknown).
  int line_of(std::string_view name) const;
  // Names given in the policy that no accessor asked for: the loader reports
  // them as unknown parameters of the check type.
  std::vector<std::string> unread() const;
  const std::multimap<std::string, Value, std::less<>>& values() const { return values_; }

 private:
  void mark(std::string_view name) const;

  std::multimap<std::string, Value, std::less<>> values_;
  mutable std::set<std::string, std::less<>> read_;
};

}  // namespace clinic_audit
