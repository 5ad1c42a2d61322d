#include "params.hpp"
#include "i18n.hpp"

#include <charconv>

namespace clinic_audit {

void Params::add(std::string name, std::string text, int line) {
  values_.emplace(std::move(name), Value{std::move(text), line});
}

void Params::mark(std::string_view name) const { read_.emplace(name); }

bool Params::has(std::string_view name) const {
  mark(name);
  return values_.find(name) != values_.end();
}

int Params::line_of(std::string_view name) const {
  auto it = values_.find(name);
  return it == values_.end() ? 0 : it->second.line;
}

const std::string& Params::required(std::string_view name) const {
  mark(name);
  auto [first, last] = values_.equal_range(name);
  if (first == last) {
    throw ParamError(std::string(name), tr("missing required parameter '{0}'", name));
  }
  if (std::next(first) != last) {
    throw ParamError(std::string(name), tr("parameter '{0}' given more than once", name));
  }
  return first->second.text;
}

std::optional<std::string> Params::optional(std::string_view name) const {
  mark(name);
  auto [first, last] = values_.equal_range(name);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) {
    throw ParamError(std::string(name), tr("parameter '{0}' given more than once", name));
  }
  return first->second.text;
}

std::string Params::get_or(std::string_view name, std::string_view fallback) const {
  auto value = optional(name);
  return value ? *value : std::string(fallback);
}

std::vector<std::string> Params::all(std::string_view name) const {
  mark(name);
  std::vector<std::string> out;
  auto [first, last] = values_.equal_range(name);
  for (auto it = first; it != last; ++it) out.push_back(it->second.text);
  return out;
}

bool Params::flag(std::string_view name, bool fallback) const {
  auto value = optional(name);
  if (!value) return fallback;
  if (*value == "true" || *value == "yes" || *value == "1") return true;
  if (*value == "false" || *value == "no" || *value == "0") return false;
  throw ParamError(std::string(name), tr("parameter '{0}' must be true or false, not '{1}'", name, *value));
}

std::int64_t Params::integer(std::string_view name, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
  auto value = optional(name);
  if (!value) return fallback;
  std::int64_t parsed = 0;
  const char* begin = value->data();
  const char* end = begin + value->size();
  auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (ec != std::errc{} || ptr != end || parsed < min || parsed > max) {
    throw ParamError(std::string(name),
                     tr("parameter '{0}' must be an integer from {1} to {2}, not '{3}'", name, min, max, *value));
  }
  return parsed;
}

std::string Params::one_of(std::string_view name, const std::vector<std::string_view>& allowed,
                           std::optional<std::string_view> fallback) const {
  auto value = optional(name);
  if (!value) {
    if (fallback) return std::string(*fallback);
    throw ParamError(std::string(name), tr("missing required parameter '{0}'", name));
  }
  for (auto candidate : allowed) {
    if (candidate == *value) return *value;
  }
  std::string list;
  for (auto candidate : allowed) {
    if (!list.empty()) list += ", ";
    list += candidate;
  }
  throw ParamError(std::string(name), tr("parameter '{0}' must be one of {1}, not '{2}'", name, list, *value));
}

std::vector<std::string> Params::unread() const {
  std::vector<std::string> out;
  for (auto it = values_.begin(); it != values_.end(); it = values_.upper_bound(it->first)) {
    if (read_.find(it->first) == read_.end()) out.push_back(it->first);
  }
  return out;
}

}  // namespace clinic_audit
