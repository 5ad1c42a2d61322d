#include "same_run.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <tuple>

namespace clinic_audit::collector {
namespace {

auto fields(const ResultRow& r) {
  return std::tie(r.position, r.check_id, r.policy_id, r.type, r.title, r.severity, r.status, r.summary, r.remediation);
}

// Evidence as the two formats can both write it: the JSON report writes an
// absent value as null ("line": null) where the XML one leaves the
// attribute out, and XML has only text where JSON has numbers and booleans.
nlohmann::json comparable(const nlohmann::json& value) {
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, member] : value.items()) {
      if (!member.is_null()) out[key] = comparable(member);
    }
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(comparable(item));
    return out;
  }
  if (value.is_string()) return value;
  return value.dump();
}

bool same_evidence(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const auto left = nlohmann::json::parse(a, nullptr, false);
  const auto right = nlohmann::json::parse(b, nullptr, false);
  return !left.is_discarded() && !right.is_discarded() && comparable(left) == comparable(right);
}

auto counts(const ReportRow& r) {
  return std::tie(r.counts.pass, r.counts.fail, r.counts.error, r.counts.not_applicable, r.counts.waived,
                  r.counts.skipped);
}

}  // namespace

bool same_run_content(const ReportRow& stored, const std::vector<ResultRow>& stored_results,
                      const IncomingReport& incoming) {
  const ReportRow& in = incoming.row;
  if (stored.hostname != in.hostname || stored.started_at != in.started_at || stored.compliant != in.compliant ||
      counts(stored) != counts(in)) {
    return false;
  }
  return std::equal(stored_results.begin(), stored_results.end(), incoming.results.begin(), incoming.results.end(),
                    [](const ResultRow& a, const ResultRow& b) {
                      return fields(a) == fields(b) && same_evidence(a.evidence_json, b.evidence_json);
                    });
}

}  // namespace clinic_audit::collector
