#include "enroll_service.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <nlohmann/json.hpp>

#include "report_files.hpp"
#include "common/json_depth.hpp"

namespace clinic_audit::collector {

std::string token_hash(std::string_view secret) { return signing::sha256_hex(secret); }

std::string new_token_secret() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no randomness (RAND_bytes)");
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0, value = 0;
  for (unsigned char byte : bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(value >> bits) & 0x3F];
    }
  }
  if (bits > 0) out += kAlphabet[(value << (6 - bits)) & 0x3F];
  return out;
}

EnrollService::EnrollService(Storage& storage, std::shared_ptr<const CertificateAuthority> ca, int certificate_days,
                             std::function<std::time_t()> clock)
    : storage_(storage), ca_(std::move(ca)), certificate_days_(certificate_days), clock_(std::move(clock)) {}

namespace {

Answer token_refused(TokenRefusal refusal, const std::string& machine_id) {
  Answer answer = error_answer(401,
                               std::string("token_refused_") + (refusal == TokenRefusal::unknown   ? "unknown"
                                                                : refusal == TokenRefusal::expired ? "expired"
                                                                : refusal == TokenRefusal::revoked ? "revoked"
                                                                                                   : "used_up"),
                               std::string("enrolment refused: ") + to_string(refusal));
  answer.machine_id = machine_id;
  return answer;
}

}  // namespace

Answer EnrollService::enroll(std::string_view body) {
  if (!ca_)
    return error_answer(403, "enrolment_disabled",
                        "enrolment is disabled on this collector: ask regional IT to sign your CSR");
  // Unauthenticated input: nesting bounded while parsing (common/json_depth.hpp).
  nlohmann::json request;
  try {
    request = nlohmann::json::parse(body, json_depth_guard(), false);
  } catch (const JsonTooDeep&) {
    request = nlohmann::json(nlohmann::json::value_t::discarded);
  }
  if (!request.is_object() || !request.contains("token") || !request["token"].is_string() ||
      !request.contains("csr_pem") || !request["csr_pem"].is_string()) {
    return error_answer(400, "bad_request", "expected a JSON object {\"token\": string, \"csr_pem\": string}");
  }
  const std::string secret_hash = token_hash(request["token"].get<std::string>());
  const std::time_t now = clock_();
  // The token first (DESIGN §7: 401 for an unknown, expired or used-up
  // token, whatever the CSR): without a valid one the CSR is not even read.
  // Checked, not consumed: a CSR refused below does not spend a use.
  std::optional<TokenRefusal> refusal = TokenRefusal::unknown;
  for (const TokenRow& token : storage_.tokens()) {
    if (token.secret_sha256 == secret_hash) refusal = token_refusal(token, now);
  }
  if (refusal) return token_refused(*refusal, "");
  CsrSubject subject;
  try {
    ca_->check_csr(request["csr_pem"].get<std::string>(), subject);
  } catch (const CsrRefused& refused) {
    return error_answer(400, "bad_request", std::string("CSR refused: ") + refused.what());
  }
  // Consumed at last, atomically: of two enrolments racing for the last
  // use, one gets it and the other 401.
  const TokenGrant grant = storage_.consume_token(secret_hash, now);
  if (!grant.token) return token_refused(*grant.refusal, subject.machine_id);
  const std::string certificate = ca_->sign_csr(request["csr_pem"].get<std::string>(), certificate_days_, subject);
  storage_.record_enrolment(subject.machine_id, subject.hostname, grant.token->site, pem_fingerprint(certificate), now);
  Answer answer;
  answer.status = 201;
  answer.outcome = "enrolled";
  answer.machine_id = subject.machine_id;
  answer.body = nlohmann::json{{"certificate_pem", certificate}, {"ca_pem", ca_->ca_pem()}}.dump();
  return answer;
}

}  // namespace clinic_audit::collector
