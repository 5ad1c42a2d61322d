#include "ingest_service.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "chain_check.hpp"
#include "multipart.hpp"
#include "report_rows.hpp"
#include "signature_check.hpp"
#include "verify.hpp"

namespace clinic_audit::collector {
namespace {

using nlohmann::json;

// A report is at most a few MiB; a limit per part keeps the signature small.
constexpr std::size_t kMaxSignatureBytes = 256 * 1024;
// A run may not have started after it reached us, beyond clock skew.
constexpr std::int64_t kClockSkewSeconds = 300;

std::string first_line(const std::vector<std::string>& problems) {
  std::string text;
  for (const auto& problem : problems) text += (text.empty() ? "" : "; ") + problem;
  return text.size() > 2000 ? text.substr(0, 2000) + "..." : text;
}

Answer success(const IngestResult& result) {
  json anomalies = json::array();
  for (const auto& anomaly : result.anomalies) {
    // A gap that a later report resolved is history, not this report's state.
    if (anomaly.resolved_at && anomaly.kind == "gap") continue;
    anomalies.push_back({{"kind", anomaly.kind}, {"detail", anomaly.detail}});
  }
  const bool stored = result.status == IngestStatus::stored;
  json body{{"status", stored ? "stored" : "duplicate"},
            {"report_id", result.row.report_id},
            {"sequence", result.row.sequence},
            {"chain", result.row.chain},
            {"anomalies", anomalies}};
  Answer answer;
  answer.status = stored ? 201 : 200;
  answer.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  answer.outcome = stored ? "stored" : "duplicate";
  answer.machine_id = result.row.machine_id;
  answer.report_id = result.row.report_id;
  if (stored) {
    for (const auto& anomaly : result.anomalies) answer.anomaly_kinds.push_back(anomaly.kind);
  }
  return answer;
}

}  // namespace

Answer error_answer(int status, const std::string& outcome, const std::string& message) {
  Answer answer;
  answer.status = status;
  answer.outcome = outcome;
  answer.body = json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return answer;
}

Judgement judge_chain(const ChainHistory& history, const IncomingReport& incoming) {
  signing::HostChainState state;
  state.known_host = history.known_host;
  state.current_fingerprint = history.current_fingerprint;
  for (const auto& link : history.links) {
    state.links.push_back({link.report_id, link.sequence, link.previous_sha256, link.sha256, link.signer_fingerprint});
  }
  for (const auto& key : history.keys)
    state.keys.push_back({key.fingerprint, key.origin == "enrolment", key.first_seen});
  for (const auto& gap : history.open_gaps)
    state.open_gaps.push_back({gap.id, gap.seq_from.value_or(0), gap.seq_to.value_or(0)});
  const ReportRow& in = incoming.row;
  const signing::ChainVerdict verdict =
      signing::judge_next(state, {in.report_id, in.sequence, in.previous_sha256, in.sha256, in.signer_fingerprint});
  Judgement judgement;
  judgement.becomes_current_key = verdict.becomes_current_key;
  for (const auto& anomaly : verdict.anomalies) {
    judgement.anomalies.push_back({anomaly.kind, anomaly.detail, anomaly.seq_from, anomaly.seq_to});
  }
  for (const auto& fill : verdict.gap_fills) {
    GapUpdate update{fill.gap_id, fill.resolution, {}};
    for (const auto& rest : fill.remaining)
      update.remaining.push_back({rest.kind, rest.detail, rest.seq_from, rest.seq_to});
    judgement.gap_updates.push_back(std::move(update));
  }
  return judgement;
}

IngestService::IngestService(Storage& storage, X509_STORE* ca_store, const signing::SchemaChecker& schemas,
                             std::function<std::time_t()> clock)
    : storage_(storage), ca_store_(ca_store), schemas_(schemas), clock_(std::move(clock)) {}

IngestService::Checked IngestService::check(std::string_view content_type, std::string_view body,
                                            const ClientCertificate& client) {
  // The TLS client certificate first: without it nothing else matters.
  if (client.certificate == nullptr) {
    return error_answer(403, "forbidden",
                        "a client certificate issued by the regional CA is required (curl --cert --key)");
  }
  if (!client.chain_verified) {
    return error_answer(403, "forbidden",
                        "the client certificate does not verify against the regional CA: " + client.chain_error);
  }
  std::string_view report_bytes, signature_der;
  try {
    const std::string boundary = form_boundary(content_type);
    bool have_report = false, have_signature = false;
    for (const FormPart& part : parse_multipart(body, boundary)) {
      if (part.name == "report" && !have_report) {
        report_bytes = part.body;
        have_report = true;
      } else if (part.name == "signature" && !have_signature) {
        signature_der = part.body;
        have_signature = true;
      } else {
        throw MultipartError("unexpected or repeated part \"" + part.name.substr(0, 64) + "\"");
      }
    }
    if (!have_report) throw MultipartError("the part \"report\" is missing");
    if (!have_signature) throw MultipartError("the part \"signature\" is missing");
  } catch (const MultipartError& error) {
    return error_answer(400, "bad_request", error.what());
  }
  if (signature_der.size() > kMaxSignatureBytes)
    return error_answer(400, "bad_request", "the signature part is over 256 KiB");

  const std::time_t now = clock_();
  // ExpiryAt::now: the certificate must be valid when the report arrives.
  signing::VerifiedReport verified =
      signing::verify_report({report_bytes, signature_der, "report", false, client.known.get()}, ca_store_, schemas_,
                             signing::ExpiryAt::now, now, true);
  const auto& signature = verified.signature;
  if (!signature.problems.empty() && !signature.certificate_problem) {
    return error_answer(422, "bad_signature", "signature does not verify: " + first_line(signature.problems));
  }
  if (signature.signer_certificate == nullptr) return error_answer(422, "bad_signature", "no signer certificate");
  if (X509_cmp(signature.signer_certificate.get(), client.certificate) != 0) {
    return error_answer(403, "forbidden",
                        "the report is signed by \"" + signature.signer +
                            "\", not by the client certificate of this connection");
  }
  if (signature.certificate_problem) {
    return error_answer(403, "forbidden", "signer certificate refused: " + first_line(signature.problems));
  }
  if (!verified.format_problems.empty() || !verified.schema_problems.empty()) {
    std::vector<std::string> problems = verified.format_problems;
    problems.insert(problems.end(), verified.schema_problems.begin(), verified.schema_problems.end());
    return error_answer(400, "bad_request", "malformed report: " + first_line(problems));
  }
  if (!verified.identity_problems.empty())
    return error_answer(403, "forbidden", first_line(verified.identity_problems));
  // Its strings are moved into the report to store: `verified` ends here.
  signing::ReportContent& content = *verified.content;
  const auto started = signing::parse_rfc3339(content.started_at);
  if (!started) return error_answer(400, "bad_request", "run.started_at is not an RFC 3339 time");
  if (*started > static_cast<std::int64_t>(now) + kClockSkewSeconds) {
    return error_answer(400, "bad_request",
                        "run.started_at " + content.started_at.substr(0, 40) +
                            " is in the future (check the agent's clock)");
  }

  auto checked = std::make_shared<IncomingReport>();
  IncomingReport& incoming = *checked;
  ReportRow& row = incoming.row;
  row.sha256 = std::move(verified.sha256);
  row.started_at = *started;
  row.format = to_string(content.format);
  row.signer_fingerprint = signature.signer_fingerprint;
  row.signer_subject = signature.signer;
  derive_rows(std::move(content), row, incoming.results);
  incoming.blob = {std::string(report_bytes), std::string(signature_der)};
  return Checked{std::move(checked), now};
}

Answer IngestService::answer_of(std::optional<IngestResult> result, std::exception_ptr error, const ReportRow& row) {
  if (!error) return success(*result);
  try {
    std::rethrow_exception(error);
  } catch (const StorageUnavailable& unavailable) {
    spdlog::warn("storage unavailable: {}", unavailable.what());
    Answer answer = error_answer(503, "unavailable", "storage busy, retry later");
    answer.retry_after = 5;
    answer.machine_id = row.machine_id;
    answer.report_id = row.report_id;
    return answer;
  } catch (const std::exception& other) {
    spdlog::error("internal error on reports: {}", other.what());
  } catch (...) {
    spdlog::error("internal error on reports: unknown exception");
  }
  Answer answer = error_answer(500, "error", "internal error (see the collector's log)");
  answer.machine_id = row.machine_id;
  answer.report_id = row.report_id;
  return answer;
}

Answer IngestService::ingest(std::string_view content_type, std::string_view body, const ClientCertificate& client) {
  Checked checked = check(content_type, body, client);
  if (checked.refused) return std::move(*checked.refused);
  std::optional<IngestResult> result;
  std::exception_ptr error;
  try {
    result = storage_.ingest(*checked.incoming, judge_chain, checked.now);
  } catch (...) {
    error = std::current_exception();
  }
  return answer_of(std::move(result), error, checked.incoming->row);
}

void IngestService::ingest_async(std::string_view content_type, std::string_view body, const ClientCertificate& client,
                                 std::function<void(Answer)> done) {
  Checked checked;
  try {
    checked = check(content_type, body, client);
  } catch (...) {
    done(answer_of(std::nullopt, std::current_exception(), ReportRow{}));
    return;
  }
  if (checked.refused) {
    done(std::move(*checked.refused));
    return;
  }
  std::shared_ptr<const IncomingReport> incoming = checked.incoming;
  storage_.ingest_async(incoming, judge_chain, checked.now,
                        [incoming, done = std::move(done)](std::optional<IngestResult> result,
                                                           std::exception_ptr error) {
                          done(answer_of(std::move(result), error, incoming->row));
                        });
}

}  // namespace clinic_audit::collector
