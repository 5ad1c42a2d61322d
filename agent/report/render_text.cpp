#include "render_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "i18n.hpp"
#include "output_text.hpp"

namespace clinic_audit {
namespace {

using report_output::display_width;

// ECMA-48 SGR sequences.
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBoldRed = "\x1b[1;31m";
constexpr std::string_view kMagenta = "\x1b[35m";
constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kCyan = "\x1b[36m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kBold = "\x1b[1m";

std::string_view status_colour(Status status) {
  switch (status) {
    case Status::fail: return kBoldRed;
    case Status::error: return kMagenta;
    case Status::pass: return kGreen;
    case Status::waived: return kCyan;
    case Status::not_applicable:
    case Status::skipped: return kDim;
  }
  return kDim;
}

int group(Status status) {
  if (status == Status::fail) return 0;
  if (status == Status::error) return 1;
  return 2;
}

// Short upper-case labels keep the first column narrow and easy to scan.
std::string label(Status status) {
  switch (status) {
    case Status::pass: return _("PASS");
    case Status::fail: return _("FAIL");
    case Status::error: return _("ERROR");
    case Status::not_applicable: return _("N/A");
    case Status::waived: return _("WAIVED");
    case Status::skipped: return _("SKIPPED");
  }
  return _("ERROR");
}

// A count of one status in the totals line (the machine formats keep to_string()).
std::string status_count(Status status, int count) {
  const auto n = static_cast<unsigned long>(count);
  switch (status) {
    case Status::pass: return trn("{0} pass", "{0} pass", n, count);
    case Status::fail: return trn("{0} fail", "{0} fail", n, count);
    case Status::error: return trn("{0} error", "{0} error", n, count);
    case Status::not_applicable: return trn("{0} not_applicable", "{0} not_applicable", n, count);
    case Status::waived: return trn("{0} waived", "{0} waived", n, count);
    case Status::skipped: return trn("{0} skipped", "{0} skipped", n, count);
  }
  return trn("{0} error", "{0} error", n, count);
}

}  // namespace

std::string severity_word(Severity severity) {
  switch (severity) {
    case Severity::critical: return _("critical");
    case Severity::high: return _("high");
    case Severity::medium: return _("medium");
    case Severity::low: return _("low");
    case Severity::info: return _("info");
  }
  return _("info");
}

namespace {

// Where a variable's value came from (VariableRecord::origin is a fixed
// English value in the machine formats).
std::string origin_word(const std::string& origin) {
  if (origin == "discovered") return _("discovered");
  if (origin == "site configuration") return _("site configuration");
  if (origin == "policy default") return _("policy default");
  return origin;
}

// A table cell is one line: line breaks and tabs become spaces.
std::string cell(std::string_view text) {
  std::string out(text);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return out;
}

std::string pad(const std::string& text, std::size_t width) {
  const std::size_t used = display_width(text);
  return text + std::string(used < width ? width - used : 0, ' ');
}

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string operator()(std::string_view sgr, const std::string& text) const {
    if (!color_) return text;
    return fmt::format("{}{}{}", sgr, text, kReset);
  }

 private:
  bool color_;
};

// Multi-line text under a row: each line indented, CR/CRLF read as breaks,
// trailing breaks dropped.
void indented(std::string& out, std::string_view label, std::string_view text, std::size_t indent) {
  std::string normalized;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      normalized += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      normalized += text[i];
    }
  }
  while (!normalized.empty() && normalized.back() == '\n') normalized.pop_back();
  const std::string margin(indent, ' ');
  std::string prefix = std::string(label);
  const std::string continuation(display_width(label), ' ');
  std::size_t start = 0;
  while (start <= normalized.size()) {
    std::size_t end = normalized.find('\n', start);
    if (end == std::string::npos) end = normalized.size();
    out += fmt::format("{}{}{}\n", margin, prefix, std::string_view(normalized).substr(start, end - start));
    prefix = continuation;
    start = end + 1;
  }
}

// The labels of the lines under a row, padded to one width (in characters)
// so that their values line up in every language.
struct DetailLabels {
  std::string at, observed, expected, fix, next, waiver;
  DetailLabels() {
    std::array<std::string*, 6> all{&at, &observed, &expected, &fix, &next, &waiver};
    at = _("at:");
    observed = _("observed:");
    expected = _("expected:");
    fix = _("fix:");
    next = _("next:");
    waiver = _("waiver:");
    std::size_t width = 0;
    for (const auto* text : all) width = std::max(width, display_width(*text));
    for (auto* text : all) *text = pad(*text, width + 1);
  }
};

}  // namespace

std::string render_text(const Report& input, bool color) {
  const Report report = report_output::normalized_for_output(report_output::escaped_for_terminal(input));
  const Painter paint(color);

  std::vector<const ResultRecord*> rows;
  for (const auto& result : report.results) rows.push_back(&result);
  std::stable_sort(rows.begin(), rows.end(), [](const ResultRecord* a, const ResultRecord* b) {
    if (group(a->status) != group(b->status)) return group(a->status) < group(b->status);
    if (group(a->status) < 2) return a->severity < b->severity;
    return false;
  });

  const std::array<std::string, 5> headers{_("STATUS"), _("SEVERITY"), _("POLICY"), _("CHECK"), _("SUMMARY")};
  // Widths in characters, not bytes: "ÉCHEC" is 5 columns, 6 bytes.
  std::array<std::size_t, 4> widths{};
  for (std::size_t i = 0; i < widths.size(); ++i) widths[i] = display_width(headers[i]);
  for (const auto* row : rows) {
    widths[0] = std::max(widths[0], display_width(label(row->status)));
    widths[1] = std::max(widths[1], display_width(severity_word(row->severity)));
    widths[2] = std::max(widths[2], display_width(cell(row->policy_id)));
    widths[3] = std::max(widths[3], display_width(cell(row->check_id)));
  }
  const std::size_t detail_indent = widths[0] + 2;
  const DetailLabels labels;

  std::string out;
  out += paint(kBold, tr("clinic-audit {0} on {1}", report.agent_version, cell(report.host.hostname)));
  out += fmt::format(" ({})\n", cell(report.host.os_release));
  out += tr("run {0} .. {1}, trigger {2}, root {3}", report.run.started_at, report.run.finished_at,
            cell(report.run.trigger), cell(report.run.root)) +
         '\n';
  // Where each variable's value came from (issue #17), once per name and value.
  std::vector<std::string> seen;
  for (const auto& variable : report.variables) {
    std::string line = tr("variable {0} = {1} ({2}: {3})", cell(variable.name), cell(variable.value),
                          origin_word(variable.origin), cell(variable.source));
    if (std::find(seen.begin(), seen.end(), line) != seen.end()) continue;
    seen.push_back(line);
    out += line + '\n';
    for (const auto& other : variable.other_sources) {
      if (other.rejected_because.empty()) continue;
      out += "  " +
             tr("not used: {0} from {1} ({2})", cell(other.value), cell(other.source), cell(other.rejected_because)) +
             '\n';
    }
  }
  out += '\n';

  out += paint(kBold, fmt::format("{}  {}  {}  {}  {}", pad(headers[0], widths[0]), pad(headers[1], widths[1]),
                                  pad(headers[2], widths[2]), pad(headers[3], widths[3]), headers[4]));
  out += '\n';
  for (const auto* row : rows) {
    out += paint(status_colour(row->status), pad(label(row->status), widths[0]));
    out += fmt::format("  {}  {}  {}  {}\n", pad(severity_word(row->severity), widths[1]),
                       pad(cell(row->policy_id), widths[2]), pad(cell(row->check_id), widths[3]), cell(row->summary));
    if (row->status == Status::fail || row->status == Status::error) {
      for (const auto& item : row->evidence) {
        std::string where = item.path.empty() ? std::string(_("(no file)")) : item.path;
        if (item.line) where += fmt::format(":{}", *item.line);
        indented(out, labels.at, where, detail_indent);
        indented(out, labels.observed, item.observed, detail_indent);
        indented(out, labels.expected, item.expected, detail_indent);
      }
    }
    if (row->status == Status::fail && !row->remediation.empty()) {
      indented(out, labels.fix, row->remediation, detail_indent);
    }
    if (row->status == Status::error && !row->remediation.empty()) {
      indented(out, labels.next, row->remediation, detail_indent);
    }
    if (row->status == Status::fail && !row->remediation_commands.empty()) {
      // One command per line, nothing else on it: the block can be copied
      // and pasted into a root shell as a whole.
      indented(out, _("run as root (copy these lines):"), "", detail_indent);
      for (const auto& command : row->remediation_commands) out += std::string(detail_indent + 2, ' ') + command + "\n";
    }
    if (row->waiver_reason) indented(out, labels.waiver, *row->waiver_reason, detail_indent);
  }

  const auto counts = report.counts();
  std::string totals = trn("{0} check:", "{0} checks:", report.results.size(), report.results.size());
  bool first = true;
  for (const auto& [status, count] : counts) {
    totals += fmt::format("{} {}", first ? "" : ",", status_count(status, count));
    first = false;
  }
  out += '\n' + totals + " - ";
  out += report.compliant() ? paint(kGreen, _("COMPLIANT")) : paint(kBoldRed, _("NOT COMPLIANT"));
  out += '\n';
  return out;
}

}  // namespace clinic_audit
