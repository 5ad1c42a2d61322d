// libFuzzer target: what a collector (or anything posing as one) sends the
// agent back, and the URL forms `enroll`/`submit` accept (issue #12 "bad
// input"): the ingest answer, an error body, Retry-After, the collector and
// proxy URLs, spool file names. Never a crash; an acknowledgment only for the
// report actually sent.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "collector_api.hpp"
#include "endpoint.hpp"
#include "spool.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace clinic_audit::delivery;
  std::string why;
  for (int status : {200, 201}) {
    if (auto answer = parse_ingest_answer(status, text, "id-1", 7, why)) {
      if (!answer->report_id.empty() && answer->report_id != "id-1") __builtin_trap();
      if (answer->sequence && *answer->sequence != 7) __builtin_trap();
    } else if (why.empty()) {
      __builtin_trap();
    }
  }
  if (error_text(text).size() > 210) __builtin_trap();
  if (auto wait = parse_retry_after(text, std::chrono::system_clock::from_time_t(1700000000));
      wait && wait->count() < 0) {
    __builtin_trap();
  }
  try {
    const auto url = parse_collector_url(text);
    if (url.host.empty() || url.port.empty()) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  try {
    const auto proxy = parse_proxy_url(text);
    if (proxy.host.empty() || proxy.text.find('@') != std::string::npos) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  (void)clinic_audit::store::parse_spool_name(text);
  return 0;
}
