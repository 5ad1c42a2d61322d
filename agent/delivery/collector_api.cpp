#include "collector_api.hpp"
#include "common/json_depth.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace clinic_audit::delivery {
namespace {

// The collector's answers nest 2 deep: deeper is not an answer.
nlohmann::json parse_answer_json(std::string_view body) {
  try {
    return nlohmann::json::parse(body, json_depth_guard(), false);
  } catch (const JsonTooDeep&) {
    return nlohmann::json(nlohmann::json::value_t::discarded);
  }
}

std::string random_boundary() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no randomness for a multipart boundary");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "clinic-audit-";
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0xF];
  }
  return out;
}

// A file name safe inside a quoted-string header parameter.
std::string header_safe(std::string_view name) {
  std::string out;
  for (char c : name) out += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '_' : c;
  return out;
}

std::string escape_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (out.size() >= 200) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      std::ostringstream hex;
      hex << "\\x" << std::hex << std::setw(2) << std::setfill('0') << static_cast<int>(byte);
      out += hex.str();
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

MultipartBody multipart_report(std::string_view report_name, std::string_view report, std::string_view signature) {
  std::string boundary = random_boundary();
  // 128 random bits cannot plausibly occur in the content; check anyway.
  while (report.find(boundary) != std::string_view::npos || signature.find(boundary) != std::string_view::npos) {
    boundary = random_boundary();
  }
  const std::string name = header_safe(report_name);
  std::string body;
  body.reserve(report.size() + signature.size() + 512);
  body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"report\"; filename=\"" + name +
          "\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  body += report;
  body += "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"signature\"; filename=\"" + name +
          ".p7s\"\r\nContent-Type: application/pkcs7-signature\r\n\r\n";
  body += signature;
  body += "\r\n--" + boundary + "--\r\n";
  return {"multipart/form-data; boundary=" + boundary, std::move(body)};
}

std::optional<IngestAnswer> parse_ingest_answer(int http_status, std::string_view body, std::string_view sent_report_id,
                                                std::uint64_t sent_sequence, std::string& why) {
  if (body.empty()) {
    why = "HTTP " + std::to_string(http_status) + " without a body: not an acknowledgment";
    return std::nullopt;
  }
  const auto json = parse_answer_json(body);
  if (json.is_discarded() || !json.is_object()) {
    why = "HTTP " + std::to_string(http_status) + " whose body is not a JSON object: " + escape_line(body);
    return std::nullopt;
  }
  IngestAnswer answer;
  const auto status = json.find("status");
  if (status == json.end() || !status->is_string()) {
    why = "HTTP " + std::to_string(http_status) + " without a \"status\"";
    return std::nullopt;
  }
  answer.status = status->get<std::string>();
  const bool stored = answer.status == "stored" && http_status == 201;
  const bool duplicate = answer.status == "duplicate" && (http_status == 200 || http_status == 201);
  if (!stored && !duplicate) {
    why = "HTTP " + std::to_string(http_status) + " with status \"" + escape_line(answer.status) + "\"";
    return std::nullopt;
  }
  // Both are in every acknowledgment (DESIGN §7): one without them could
  // be anybody's, and the report would leave the spool unconfirmed.
  const auto id = json.find("report_id");
  if (id == json.end() || json.find("sequence") == json.end() || json["sequence"].is_null()) {
    why = "HTTP " + std::to_string(http_status) + " without the \"report_id\" and \"sequence\" it acknowledges";
    return std::nullopt;
  }
  {
    if (!id->is_string() || id->get<std::string>() != sent_report_id) {
      why = "the acknowledgment names another report_id than the one sent (" + std::string(sent_report_id) + ")";
      return std::nullopt;
    }
    answer.report_id = id->get<std::string>();
  }
  if (auto sequence = json.find("sequence"); sequence != json.end()) {
    if (!sequence->is_number_unsigned() || sequence->get<std::uint64_t>() != sent_sequence) {
      why = "the acknowledgment names another sequence than the one sent (" + std::to_string(sent_sequence) + ")";
      return std::nullopt;
    }
    answer.sequence = sequence->get<std::uint64_t>();
  }
  if (auto chain = json.find("chain"); chain != json.end() && chain->is_string())
    answer.chain = chain->get<std::string>();
  if (auto anomalies = json.find("anomalies"); anomalies != json.end() && anomalies->is_array()) {
    for (const auto& anomaly : *anomalies) {
      if (!anomaly.is_object()) continue;
      const std::string kind = anomaly.value("kind", std::string("?"));
      const std::string detail =
          anomaly.contains("detail") && anomaly["detail"].is_string() ? anomaly["detail"].get<std::string>() : "";
      answer.anomalies.push_back(escape_line(kind + (detail.empty() ? "" : ": " + detail)));
    }
  }
  return answer;
}

std::string error_text(std::string_view body) {
  const auto json = parse_answer_json(body);
  if (!json.is_discarded() && json.is_object()) {
    if (auto error = json.find("error"); error != json.end() && error->is_string())
      return escape_line(error->get<std::string>());
  }
  return escape_line(body.substr(0, body.find('\n')));
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return std::chrono::seconds(999999999);
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110 §5.6.7).
  std::tm tm{};
  std::istringstream in{std::string(value)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  if (in.fail()) return std::nullopt;
  // In whole seconds of time_t: a date past 2262 (Sun, 06 Nov 3988 ...) does
  // not fit in system_clock's nanoseconds (found by fuzz_collector_answer);
  // the wait is capped like the delay-seconds form above.
  const std::time_t when = ::timegm(&tm);
  const std::time_t at = std::chrono::system_clock::to_time_t(now);
  if (when <= at) return std::chrono::seconds(0);
  return std::chrono::seconds(std::min<long long>(static_cast<long long>(when) - at, 999999999));
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                        std::mt19937_64& random) {
  long long ceiling = base.count();
  for (int i = 1; i < attempt && ceiling < cap.count(); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<long long>(cap.count()));
  std::uniform_int_distribution<long long> pick(0, std::max(0LL, ceiling));
  return std::chrono::milliseconds(pick(random));
}

}  // namespace clinic_audit::delivery
