#include "submit.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "i18n.hpp"
#include "collector_api.hpp"
#include "crash_point.hpp"
#include "https_client.hpp"
#include "identity.hpp"
#include "atomic_file.hpp"
#include "signature_check.hpp"
#include "signature_renewal.hpp"
#include "report_store.hpp"
#include "signing_error.hpp"
#include "spool.hpp"
#include "spool_check.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::delivery {
namespace {

using Clock = std::chrono::steady_clock;

// flock(2) on a file of the state directory. submit.lock keeps two submits
// apart; state.lock (the chain's, chain_state.hpp) is taken around each
// change of the spool so that a run's spool recovery never sees a half-done
// removal or rejection.
class FileLock {
 public:
  FileLock(const std::filesystem::path& path, bool wait) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
      throw signing::SigningError(kExitCantCreate, tr("cannot open {0}: {1}", path.string(), i18n::error_text(errno)));
    while (::flock(fd_, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
      if (errno == EINTR) continue;
      ::close(std::exchange(fd_, -1));
      if (errno == EWOULDBLOCK) return;
      throw signing::SigningError(kExitCantCreate, tr("cannot lock {0}: {1}", path.string(), i18n::error_text(errno)));
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::mt19937_64 seeded_random() {
  std::uint64_t seed = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof seed) != 1)
    seed = static_cast<std::uint64_t>(::getpid());
  return std::mt19937_64(seed);
}

enum class Outcome { delivered, rejected, retry, stop_temp, stop_untrusted, stop_config };

struct Attempt {
  Outcome outcome;
  std::string message;
  std::optional<std::chrono::seconds> retry_after;
  bool duplicate = false;      // the collector had it already (a resend after a lost answer)
  bool chain_flagged = false;  // stored, with a chain anomaly the collector names (logged as a warning)
};

// What one answer of the collector means for the report sent.
Attempt judge(const HttpResponse& response, const SpooledReport& report, const std::string& name) {
  const int status = response.status;
  if (status == 200 || status == 201) {
    std::string why;
    const auto answer = parse_ingest_answer(status, response.body, report.report_id, report.sequence, why);
    if (!answer) return {Outcome::retry, tr("the collector answered {0}; kept in the spool", why), std::nullopt};
    // answer->status ("stored", "duplicate") and the anomaly kinds are the
    // API's enum values (DESIGN §7): shown as they are, in either language.
    std::string message = tr("{0}: {1} (sequence {2})", name, answer->status, report.sequence);
    const bool flagged = answer->chain == "anomaly" || !answer->anomalies.empty();
    if (flagged) {
      message += tr("; the collector flagged the chain:");
      for (const auto& anomaly : answer->anomalies) message += " [" + anomaly + "]";
    }
    return {Outcome::delivered, message, std::nullopt, answer->status == "duplicate", flagged};
  }
  const std::string said = response.body.empty() ? "" : ": " + error_text(response.body);
  if (status == 503 || status == 429) {
    std::optional<std::chrono::seconds> wait;
    if (response.retry_after) wait = parse_retry_after(*response.retry_after, std::chrono::system_clock::now());
    return {Outcome::retry, tr("the collector is busy (HTTP {0}){1}", status, said), wait};
  }
  if (status == 400 || status == 413 || status == 422) {
    return {Outcome::rejected, tr("the collector refused it (HTTP {0}){1}", status, said), std::nullopt};
  }
  if (status == 401 || status == 403) {
    return {Outcome::stop_untrusted,
            tr("the collector refused this agent's certificate or host (HTTP {0}){1}: check the enrolment (clinic-audit "
               "enroll --force)",
               status, said),
            std::nullopt};
  }
  if (status / 100 == 3) {
    return {Outcome::stop_config,
            tr("the collector answered a redirect (HTTP {0} to {1}), which is not followed: correct the collector URL",
               status, response.location.value_or(_("nowhere"))),
            std::nullopt};
  }
  if (status == 404 || status == 405) {
    return {Outcome::stop_config, tr("no ingest API at this URL (HTTP {0}): correct the collector URL", status),
            std::nullopt};
  }
  return {Outcome::retry, "HTTP " + std::to_string(status) + said, std::nullopt};
}

}  // namespace

int run_submit(const SubmitSettings& settings, std::ostream& out, std::ostream& err) {
  const auto started = Clock::now();
  const auto deadline = started + settings.max_run;
  store::Spool spool(store::spool_directory(settings.state_dir));
  try {
    std::error_code ec;
    std::filesystem::create_directories(settings.state_dir, ec);
    FileLock submit_lock(settings.state_dir / "submit.lock", /*wait=*/false);
    if (!submit_lock.held()) {
      err << "clinic-audit: " << tr("another submit is running ({0})", (settings.state_dir / "submit.lock").string())
          << "\n";
      return kExitTempFail;
    }
    // Under the run's lock: a run's spool recovery never sees half a removal
    // or a half-spooled waiting report.
    const auto spool_waiting = [&] {
      FileLock state_lock(settings.state_dir / "state.lock", /*wait=*/true);
      const store::DrainResult drained = spool.spool_waiting(settings.spool_limits);
      store::log_drain(spool, drained);
      return drained;
    };
    {
      FileLock state_lock(settings.state_dir / "state.lock", /*wait=*/true);
      for (const auto& removed : spool.recover())
        spdlog::info("{}", tr("removed {0} left by an interrupted run", removed.string()));
    }
    std::size_t delivered = 0, rejected = 0, duplicates = 0;
    // A report that is not sent as valid: set aside in rejected/ with `why`,
    // said in the log and on stderr.
    const auto set_aside_unsent = [&](const store::SpoolEntry& entry, const std::string& why) {
      FileLock state_lock(settings.state_dir / "state.lock", true);
      const auto reason = spool.reject(entry, "not sent: " + why);
      spdlog::error("{}", tr("{0}: {1}; moved to {2} (see {3})", entry.report.string(), why,
                             spool.rejected_dir().string(), reason.string()));
      err << "clinic-audit: " << tr("{0}: {1}; set aside in {2}", entry.name, why, spool.rejected_dir().string())
          << '\n';
      ++rejected;
    };
    // A report whose signature is gone (spool.hpp): never acknowledged, so
    // never dropped; set aside with the reason, as a damaged one is.
    for (const store::SpoolEntry& entry : spool.unsigned_entries()) {
      set_aside_unsent(entry, tr("its signature {0} is missing (the reports directory may still hold the signed "
                                 "original)",
                                 entry.signature.filename().string()));
    }
    spool_waiting();
    if (spool.entries().empty()) {
      out << tr("nothing to submit: the spool {0} is empty", spool.dir().string()) << "\n";
      return rejected > 0 ? kExitDataError : 0;
    }
    ClientOptions client_options;
    try {
      client_options.collector = parse_collector_url(settings.collector_url);
      client_options.proxy = choose_proxy(settings.proxy, client_options.collector.host);
    } catch (const std::invalid_argument& e) {
      err << "clinic-audit: collector " << settings.collector_url << ": " << e.what() << '\n';
      return kExitDataError;
    }
    client_options.trust.ca_file = settings.ca;
    client_options.client_cert = settings.cert;
    client_options.client_key = settings.key;
    client_options.step_timeout = settings.step_timeout;
    std::optional<HttpsClient> client;
    try {
      client.emplace(client_options);
    } catch (const ClientSetupError& e) {
      err << "clinic-audit: " << e.what() << _(" (enrol with `clinic-audit enroll`)") << "\n";
      return kExitDataError;
    }
    auto random = seeded_random();
    // The identity submit connects with, loaded when a report signed by an
    // earlier certificate must be signed again (signature_renewal.hpp).
    std::optional<signing::SigningIdentity> identity;
    bool identity_loaded = false;
    const auto current_identity = [&]() -> const signing::SigningIdentity* {
      if (!identity_loaded) {
        identity_loaded = true;
        try {
          identity.emplace(signing::SigningIdentity::load(settings.key, settings.cert));
        } catch (const signing::SigningError& e) {
          spdlog::warn("{}", tr("cannot load the signing identity to compare the reports' signers: {0}", e.what()));
        }
      }
      return identity ? &*identity : nullptr;
    };
    int exit_code = 0;
    // Rounds: the spool as it is, then the reports that waited for the room
    // this round's acknowledgements made, until nothing is left or a report
    // stays undelivered.
    bool stopped = false;
    for (std::vector<store::SpoolEntry> round = spool.entries(); !round.empty();) {
      for (const store::SpoolEntry& entry : round) {
        std::string why;
        auto report = load_spooled_report(entry, why);
        if (!report) {
          set_aside_unsent(entry, why);
          continue;
        }
        if (const auto* current = current_identity()) {
          const SignerFinding signer = signer_of_report(report->signature, current->certificate());
          if (signer.kind == SignerOfReport::earlier) {
            const std::vector<unsigned char> der = current->sign_detached(report->bytes, entry.name);
            report->signature.assign(reinterpret_cast<const char*>(der.data()), der.size());
            signing::write_file_atomically(entry.signature, report->signature, 0644);
            spdlog::warn("{}", tr("{0}: signed by {1} (SHA-256 {2}), a certificate of this machine replaced since; "
                                  "signed again with the current one (SHA-256 {3}), its bytes unchanged",
                                  entry.name, signer.signer, signer.fingerprint,
                                  signing::certificate_fingerprint(current->certificate())));
          }
        }
        const MultipartBody body = multipart_report(entry.name, report->bytes, report->signature);
        Attempt result{Outcome::retry, "", std::nullopt};
        for (int attempt = 1;; ++attempt) {
          try {
            result = judge(client->post(kReportsPath, body.content_type, body.body, deadline), *report, entry.name);
          } catch (const TransportError& e) {
            const bool trust =
                e.kind() == TransportError::Kind::untrusted || e.kind() == TransportError::Kind::client_refused;
            result = {trust ? Outcome::stop_untrusted : Outcome::retry, e.what(), std::nullopt};
          }
          if (result.outcome != Outcome::retry) break;
          if (attempt >= settings.max_attempts) {
            result.message += tr(" (gave up after {0} attempts)", attempt);
            result.outcome = Outcome::stop_temp;
            break;
          }
          auto wait = backoff_delay(attempt, settings.retry_base, settings.retry_cap, random);
          if (result.retry_after && *result.retry_after > wait) wait = *result.retry_after;
          if (Clock::now() + wait >= deadline) {
            result.message += tr(" (the next attempt would pass the run's limit of {0} s)", settings.max_run.count());
            result.outcome = Outcome::stop_temp;
            break;
          }
          spdlog::warn("{}",
                       tr("{0}: {1}; attempt {2} in {3} ms", entry.name, result.message, attempt + 1, wait.count()));
          std::this_thread::sleep_for(wait);
        }
        if (result.outcome == Outcome::delivered) {
          signing::crash_point("submit:acknowledged");
          FileLock state_lock(settings.state_dir / "state.lock", true);
          spool.remove(entry);
          ++delivered;
          if (result.duplicate) ++duplicates;
          if (result.chain_flagged) {
            spdlog::warn("{}", result.message);
          } else {
            spdlog::info("{}", result.message);
          }
          continue;
        }
        if (result.outcome == Outcome::rejected) {
          FileLock state_lock(settings.state_dir / "state.lock", true);
          const auto reason = spool.reject(entry, result.message);
          err << "clinic-audit: "
              << tr("{0}: {1}; set aside in {2}", entry.name, result.message, spool.rejected_dir().string()) << '\n';
          ++rejected;
          continue;
        }
        err << "clinic-audit: "
            << tr("{0} not delivered to {1}: {2}; it stays in the spool with the newer ones", entry.name,
                  settings.collector_url, result.message)
            << "\n";
        exit_code = result.outcome == Outcome::stop_untrusted ? kExitNoPermission
                    : result.outcome == Outcome::stop_config  ? kExitDataError
                                                              : kExitTempFail;
        stopped = true;
        break;
      }
      if (stopped || spool_waiting().spooled == 0) break;
      round = spool.entries();
    }
    const auto left = spool.entries().size();
    try {
      store::update_spool_metrics(settings.state_dir, spool, 0);
    } catch (const signing::SigningError& e) {
      spdlog::warn("{}", tr("could not update the spool metrics: {0}", e.what()));
    }
    const auto waiting = spool.waiting().size();
    out << tr("delivered {0}, rejected {1}, left in the spool {2}", delivered, rejected, left);
    if (waiting > 0) out << tr(", waiting for room in the spool {0}", waiting);
    if (duplicates > 0)
      out << tr(" ({0} of them the collector had already stored: a resend after a lost answer)", duplicates);
    out << '\n';
    if (exit_code != 0) return exit_code;
    if (rejected > 0) return kExitDataError;
    return left == 0 && waiting == 0 ? 0 : kExitTempFail;
  } catch (const signing::SigningError& e) {
    err << "clinic-audit: " << e.what() << '\n';
    return e.exit_code() == signing::kExitCannotWrite ? kExitCantCreate : e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    err << "clinic-audit: " << i18n::error_text(e) << '\n';
    return kExitCantCreate;
  }
}

}  // namespace clinic_audit::delivery
