#include "render_nagios.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "i18n.hpp"
#include "output_text.hpp"

namespace clinic_audit {
namespace {

constexpr std::size_t kMaxIdsOnFirstLine = 10;

std::string_view state_name(NagiosState state) {
  switch (state) {
    case NagiosState::ok: return "OK";
    case NagiosState::warning: return "WARNING";
    case NagiosState::critical: return "CRITICAL";
    case NagiosState::unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

// '|' separates text from perfdata and a newline ends the status line
// (guidelines §"Plugin Output"): neither may come from report content.
std::string plugin_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|') {
      out += "\xC2\xA6";  // U+00A6 BROKEN BAR
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string id_list(const std::vector<const ResultRecord*>& results) {
  std::string out;
  for (std::size_t i = 0; i < results.size() && i < kMaxIdsOnFirstLine; ++i) {
    if (i > 0) out += ", ";
    out += plugin_text(results[i]->check_id);
  }
  if (results.size() > kMaxIdsOnFirstLine) out += tr(" and {0} more", results.size() - kMaxIdsOnFirstLine);
  return out;
}

// Results of `status`, most severe first (Severity's order), ties in report order.
std::vector<const ResultRecord*> with_status(const Report& report, Status status) {
  std::vector<const ResultRecord*> out;
  for (const auto& result : report.results) {
    if (result.status == status) out.push_back(&result);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const ResultRecord* a, const ResultRecord* b) { return a->severity < b->severity; });
  return out;
}

}  // namespace

NagiosState nagios_state(const Report& report) {
  bool any_fail = false;
  bool any_error = false;
  for (const auto& result : report.results) {
    if (result.status == Status::fail) {
      if (result.severity == Severity::critical || result.severity == Severity::high) return NagiosState::critical;
      any_fail = true;
    }
    if (result.status == Status::error) any_error = true;
  }
  if (any_fail) return NagiosState::warning;
  if (any_error) return NagiosState::unknown;
  return NagiosState::ok;
}

int nagios_exit_code(const Report& report) { return static_cast<int>(nagios_state(report)); }

std::string render_nagios(const Report& input) {
  const Report report = report_output::normalized_for_output(report_output::escaped_for_terminal(input));
  const auto fails = with_status(report, Status::fail);
  const auto errors = with_status(report, Status::error);

  std::string text;
  if (!fails.empty()) text = trn("{0} failed: {1}", "{0} failed: {1}", fails.size(), fails.size(), id_list(fails));
  if (!errors.empty()) {
    if (!text.empty()) text += "; ";
    text += trn("{0} error: {1}", "{0} errors: {1}", errors.size(), errors.size(), id_list(errors));
  }
  if (text.empty()) {
    const auto counts = report.counts();
    text = trn("{0} check, {1} passed, compliant", "{0} checks, {1} passed, compliant", report.results.size(),
               report.results.size(), counts.at(Status::pass));
  }

  // Perfdata (guidelines §"Performance data"): 'label'=value[UOM];[warn];[crit];[min];[max],
  // space separated; no thresholds, since the state is not a threshold on a count.
  const std::size_t total = report.results.size();
  std::string perfdata;
  for (const auto& [status, count] : report.counts()) {
    perfdata += fmt::format("'{}'={};;;0;{} ", to_string(status), count, total);
  }
  perfdata += fmt::format("'duration'={:.3f}s;;;0;", report.run.duration_seconds);

  std::string out = fmt::format("CLINIC-AUDIT {} - {} | {}\n", state_name(nagios_state(report)), text, perfdata);
  // Long output (one line per problem), shown by Nagios 3+ and Centreon.
  for (const auto* result : fails) {
    out += fmt::format("FAIL [{}] {}: {}\n", to_string(result->severity), plugin_text(result->check_id),
                       plugin_text(result->summary));
  }
  for (const auto* result : errors) {
    out += fmt::format("ERROR [{}] {}: {}\n", to_string(result->severity), plugin_text(result->check_id),
                       plugin_text(result->summary));
  }
  return out;
}

}  // namespace clinic_audit
