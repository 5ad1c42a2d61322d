#include "result.hpp"

#include <array>
#include <utility>

namespace clinic_audit {
namespace {
constexpr std::array<std::pair<Status, std::string_view>, 6> kStatusNames{{
    {Status::pass, "pass"},
    {Status::fail, "fail"},
    {Status::error, "error"},
    {Status::not_applicable, "not_applicable"},
    {Status::waived, "waived"},
    {Status::skipped, "skipped"},
}};
constexpr std::array<std::pair<Severity, std::string_view>, 5> kSeverityNames{{
    {Severity::critical, "critical"},
    {Severity::high, "high"},
    {Severity::medium, "medium"},
    {Severity::low, "low"},
    {Severity::info, "info"},
}};
}  // namespace

std::string_view to_string(Status status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "error";
}

std::string_view to_string(Severity severity) {
  for (const auto& [value, name] : kSeverityNames) {
    if (value == severity) return name;
  }
  return "info";
}

std::optional<Status> parse_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (const auto& [value, name] : kSeverityNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

Outcome Outcome::pass(std::string summary, std::vector<Evidence> evidence) {
  return {Status::pass, std::move(summary), std::move(evidence), {}, {}};
}
Outcome Outcome::fail(std::string summary, std::vector<Evidence> evidence) {
  return {Status::fail, std::move(summary), std::move(evidence), {}, {}};
}
Outcome Outcome::error(std::string summary, std::vector<Evidence> evidence) {
  return {Status::error, std::move(summary), std::move(evidence), {}, {}};
}
Outcome Outcome::not_applicable(std::string summary, std::vector<Evidence> evidence) {
  return {Status::not_applicable, std::move(summary), std::move(evidence), {}, {}};
}
Outcome Outcome::skipped(std::string summary) { return {Status::skipped, std::move(summary), {}, {}, {}}; }

}  // namespace clinic_audit
