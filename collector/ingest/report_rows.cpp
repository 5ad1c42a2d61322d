#include "report_rows.hpp"

namespace clinic_audit::collector {
namespace {

int count_of(const signing::ReportContent& content, const char* status) {
  const auto it = content.counts.find(status);
  return it == content.counts.end() ? 0 : it->second;
}

}  // namespace

void derive_rows(signing::ReportContent&& content, ReportRow& row, std::vector<ResultRow>& results) {
  row.report_id = std::move(content.report_id);
  row.machine_id = std::move(content.machine_id);
  row.hostname = std::move(content.hostname);
  row.sequence = content.sequence;
  row.previous_sha256 = std::move(content.previous_sha256);
  row.compliant = content.compliant;
  row.counts = {count_of(content, "pass"),           count_of(content, "fail"),   count_of(content, "error"),
                count_of(content, "not_applicable"), count_of(content, "waived"), count_of(content, "skipped")};
  int position = 0;
  results.clear();
  results.reserve(content.results.size());
  for (auto& result : content.results) {
    results.push_back({0, position++, std::move(result.check_id), std::move(result.policy_id), std::move(result.type),
                       std::move(result.title), std::move(result.severity), std::move(result.status),
                       std::move(result.summary), std::move(result.evidence_json), std::move(result.remediation)});
  }
}

}  // namespace clinic_audit::collector
