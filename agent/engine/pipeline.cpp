// Over 400 lines: the run's steps in the order they happen (open root, load,
// plan, run, report, sign, spool), each short, sharing RunState; reading them
// in one file is the point.
#include "pipeline.hpp"

#include <spdlog/spdlog.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <ostream>
#include <set>
#include <thread>

#include "check_runner.hpp"
#include "config/site_config.hpp"
#include "host_info.hpp"
#include "i18n.hpp"
#include "plan.hpp"
#include "report/formats.hpp"
#include "report_store.hpp"
#include "run_inputs.hpp"
#include "signing.hpp"
#include "version.hpp"
#include "variable_report.hpp"
#include "waivers.hpp"
#include "system_error_text.hpp"

namespace clinic_audit {
namespace {

using SystemClock = std::chrono::system_clock;

enum class UtcFormat { rfc3339, date };

std::string utc(SystemClock::time_point when, UtcFormat format) {
  const std::time_t t = SystemClock::to_time_t(when);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::array<char, 64> buf{};
  switch (format) {
    case UtcFormat::rfc3339: std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm); break;
    case UtcFormat::date: std::strftime(buf.data(), buf.size(), "%Y-%m-%d", &tm); break;
  }
  return buf.data();
}

std::string random_uuid() {
  // getrandom(2) from the kernel's pool, not RAND_bytes(): an audit that signs
  // nothing then never initialises OpenSSL (about 2 ms and 2 MiB, issue #19
  // item 5). 16 bytes never return short once the pool is initialised.
  std::array<unsigned char, 16> b{};
  ssize_t got = -1;
  do {
    got = ::getrandom(b.data(), b.size(), 0);
  } while (got < 0 && errno == EINTR);
  if (got != static_cast<ssize_t>(b.size())) throw std::runtime_error("no randomness for the report id");
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // RFC 4122 version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 0xF];
  }
  return out;
}

// State carried between the steps of one run.
struct RunState {
  const RunRequest& request;
  std::ostream& out;
  std::ostream& err;
  SiteConfig config;
  std::vector<Policy> policies;
  std::optional<Plan> plan;
  std::vector<const PlannedCheck*> selected;
  Report report;
  std::unique_ptr<RootFs> fs;
  // What running checks use. When a check overran its timeout its thread is
  // still using these: they are then never freed (the process leaves by _Exit).
  std::unique_ptr<ProcessRunner> runner;
  std::unique_ptr<Context> context;
  std::optional<signing::SigningIdentity> identity;
  std::vector<const ReportFormat*> formats;  // as chosen by --format
  std::optional<store::PendingSet> pending;  // the report set between write and commit
  bool must_exit_now = false;
};

// A step returns nothing to go on, or the exit code that ends the run.
using StepResult = std::optional<int>;

StepResult open_root(RunState& state) {
  try {
    state.fs = std::make_unique<RootFs>(state.request.root);
  } catch (const FsError& e) {
    state.err << "clinic-audit: --root " << state.request.root.string() << ": " << e.what() << '\n';
    return kExitUsage;
  }
  return std::nullopt;
}

StepResult load_config(RunState& state) {
  return load_run_config(*state.fs, state.request.config, state.config, state.err);
}

StepResult load_policies(RunState& state) {
  return load_selected_policies(state.request.policies, state.config, state.policies, state.err);
}

StepResult plan_checks(RunState& state) {
  if (auto code = plan_policies(std::move(state.policies), state.config, *state.fs, state.plan, state.err)) return code;
  const std::set<std::string> wanted(state.request.only.begin(), state.request.only.end());
  std::set<std::string> unmatched = wanted;
  for (const auto& planned : state.plan->checks) {
    if (wanted.empty() || wanted.count(planned.decl->id) != 0) state.selected.push_back(&planned);
    unmatched.erase(planned.decl->id);
  }
  if (!unmatched.empty()) {
    state.err << tr("clinic-audit: --only: no check '{0}' in the selected policies (see clinic-audit list)",
                    *unmatched.begin())
              << '\n';
    return kExitUsage;
  }
  for (const auto& waiver : state.config.waivers) {
    const bool known = std::any_of(state.plan->checks.begin(), state.plan->checks.end(),
                                   [&](const PlannedCheck& c) { return c.decl->id == waiver.check_id; });
    if (!known)
      spdlog::warn("{}", tr("{0}:{1}: waiver for unknown check '{2}'", state.config.file.string(), waiver.line,
                            waiver.check_id));
  }
  return std::nullopt;
}

// Loaded before any check runs (issue #8 item 3): a refused key or
// certificate ends the run before anything is written or numbered.
StepResult load_signing_identity(RunState& state) {
  if (!state.request.out_dir || !state.request.sign) return std::nullopt;
  const std::filesystem::path key = state.config.signing_key.value_or(kDefaultKeyPath);
  const std::filesystem::path cert = state.config.signing_cert.value_or(kDefaultCertPath);
  std::optional<std::filesystem::path> chain;
  if (state.config.signing_chain) chain = *state.config.signing_chain;
  try {
    state.identity.emplace(signing::SigningIdentity::load(key, cert, chain));
  } catch (const signing::SigningError& e) {
    state.err
        << tr("clinic-audit: cannot sign reports: {0} (create a key with `clinic-audit keygen`, or run with --no-sign)",
              e.what())
        << '\n';
    return e.exit_code();
  }
  return std::nullopt;
}

StepResult run_selected(RunState& state) {
  const auto started = SystemClock::now();
  state.report.run.started_at = utc(started, UtcFormat::rfc3339);
  NetworkSettings network;
  network.offline = state.request.offline;
  network.https_proxy = state.config.proxy;
  if (!network.https_proxy) {
    for (const char* name : {"https_proxy", "HTTPS_PROXY"}) {
      if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
        network.https_proxy = value;
        break;
      }
    }
  }
  state.runner = std::make_unique<ProcessRunner>();
  state.context = std::make_unique<Context>(*state.fs, *state.runner, network);
  // Answers worth keeping between runs (the OpenSSL probe's, issue #19 item 5).
  state.context->set_cache_directory(std::filesystem::path(state.request.state_dir.value_or(kDefaultStateDir)) /
                                     "cache");
  RunOptions options;
  options.offline = state.request.offline;
  options.audited_root = !state.fs->is_live();
  if (state.request.progress) {
    options.on_result = [&](const ResultRecord& r, std::size_t done, std::size_t total) {
      state.err << "\r[" << done << "/" << total << "] " << r.check_id << ": " << to_string(r.status) << "\x1b[K"
                << (done == total ? "\n" : "") << std::flush;
    };
  }
  spdlog::info("{}", trn("running {0} check", "running {0} checks", state.selected.size(), state.selected.size()));
  RunOutcome outcome = run_checks(state.selected, *state.context, options);
  state.must_exit_now = outcome.abandoned > 0;
  const auto finished = SystemClock::now();
  state.report.run.finished_at = utc(finished, UtcFormat::rfc3339);
  state.report.run.duration_seconds = std::chrono::duration<double>(finished - started).count();
  state.report.results = std::move(outcome.results);
  // Disagreeing or implausible values of a variable are findings of their
  // own (issue #17 item 1), reported with the checks of a full run.
  if (state.request.only.empty()) {
    for (auto& finding : variable_findings(*state.plan)) state.report.results.push_back(std::move(finding));
  }
  apply_waivers(state.report.results, state.config.waivers, utc(finished, UtcFormat::date));
  return std::nullopt;
}

StepResult assemble_report(RunState& state) {
  Report& report = state.report;
  report.report_id = random_uuid();
  report.agent_version = kAgentVersion;
  report.lang = std::string(i18n::code(i18n::language()));
  report.host = read_host_info(*state.fs);
  report.run.trigger = state.request.trigger;
  report.run.root = state.request.root.string();
  for (const auto& policy : state.plan->policies) {
    report.policies.push_back({policy.id, policy.version, policy.sha256, policy.title});
  }
  report.variables = variable_records(*state.plan);
  return std::nullopt;
}

StepResult choose_formats(RunState& state) {
  std::vector<std::string> formats = state.request.formats;
  if (formats.empty()) formats.push_back("text");
  for (const auto& name : formats) {
    const ReportFormat* format = find_report_format(name);
    if (format == nullptr) {
      state.err << tr("clinic-audit: unknown format '{0}'", name) << '\n';
      return kExitUsage;
    }
    state.formats.push_back(format);
  }
  return std::nullopt;
}

// Without --out: the first format on stdout, not part of the signed chain
// (sequence 0). With --out: reserve the next sequence in the store (which
// recovers from an interrupted run first), render every format, write the
// set atomically.
StepResult write_reports(RunState& state) {
  if (!state.request.out_dir) {
    RenderOptions options;
    options.color = state.request.color;
    state.out << state.formats.front()->render(state.report, options) << std::flush;
    if (!state.out) {
      state.err << tr("clinic-audit: cannot write the report to standard output: {0}", i18n::error_text(errno)) << '\n';
      return kExitCannotWrite;
    }
    return std::nullopt;
  }
  const auto& dir = *state.request.out_dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    state.err << tr("clinic-audit: cannot write reports: {0} is not a directory", dir.string()) << '\n';
    return kExitCannotWrite;
  }
  store::StoreOptions options;
  options.reports_dir = dir;
  options.state_dir = state.request.state_dir.value_or(kDefaultStateDir);
  options.signing = state.identity.has_value();
  // Spool for the collector when one is configured or this machine enrolled.
  options.spool = state.config.collector.has_value() || store::read_collector_record(options.state_dir).has_value();
  options.spool_limits.max_reports = static_cast<std::size_t>(state.config.delivery.spool_max_reports);
  options.spool_limits.max_bytes = static_cast<std::uint64_t>(state.config.delivery.spool_max_bytes);
  options.keep = static_cast<std::size_t>(state.config.keep_reports);
  try {
    state.pending.emplace(store::PendingSet::begin(options));
    state.report.run.sequence = state.pending->sequence();
    state.report.run.previous_sha256 = state.pending->previous_sha256();
    // Render everything first: nothing is written unless every format rendered.
    std::vector<store::RenderedReport> rendered;
    for (const auto* format : state.formats) {
      rendered.push_back({std::string(format->extension), format->render(state.report, {})});
    }
    state.pending->write(state.report.host.hostname, rendered);
  } catch (const signing::SigningError& e) {
    state.err << "clinic-audit: " << e.what() << '\n';
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    state.err << tr("clinic-audit: cannot write reports: {0}", i18n::error_text(e)) << '\n';
    return kExitCannotWrite;
  }
  return std::nullopt;
}

StepResult sign_reports(RunState& state) {
  if (!state.pending || !state.identity) return std::nullopt;
  try {
    signing::sign_report_set(*state.identity, state.pending->files());
  } catch (const signing::SigningError& e) {
    state.pending->discard();
    state.err << "clinic-audit: " << e.what() << '\n';
    return e.exit_code();
  }
  return std::nullopt;
}

// Spool (when a collector is configured), commit the chain, prune old reports.
StepResult spool_and_commit(RunState& state) {
  if (!state.pending) return std::nullopt;
  try {
    const store::CommitResult result = state.pending->commit();
    for (const auto& removed : result.recovered)
      spdlog::info("{}", tr("removed {0} left by an interrupted run", removed.string()));
    for (const auto& removed : result.pruned) spdlog::info("{}", tr("removed old report {0}", removed.string()));
    if (!result.prune_warning.empty()) {
      spdlog::warn("{}", tr("could not remove old reports in {0}: {1}", state.request.out_dir->string(),
                            result.prune_warning));
    }
    using Spooled = store::CommitResult::Spooled;
    if (result.spooled == Spooled::not_main_chain) {
      spdlog::info(
          "{} is not the directory of the collector's chain: its reports are chained on their own and not spooled",
          state.request.out_dir->string());
    } else if (result.spooled == Spooled::no_chain_carrier) {
      spdlog::warn("{}", _("no json or xml report in this run: nothing spooled for the collector"));
    }
  } catch (const signing::SigningError& e) {
    state.err << "clinic-audit: " << e.what() << '\n';
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    state.pending->discard();
    state.err << tr("clinic-audit: cannot write reports: {0}", i18n::error_text(e)) << '\n';
    return kExitCannotWrite;
  }
  return std::nullopt;
}

int exit_code_for(const RunState& state) {
  const auto counts = state.report.counts();
  if (state.formats.size() == 1 && state.formats.front()->own_exit_code != nullptr) {
    return state.formats.front()->own_exit_code(state.report);
  }
  if (counts.at(Status::fail) > 0) return kExitFail;
  if (counts.at(Status::error) > 0) return kExitError;
  return kExitCompliant;
}

}  // namespace

int run_audit(const RunRequest& request, std::ostream& out, std::ostream& err, bool& must_exit_now) {
  RunState state{request, out, err, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, false};
  using Step = StepResult (*)(RunState&);
  static constexpr std::array<std::pair<const char*, Step>, 11> kSteps{{
      {"choose formats", choose_formats},
      {"open root", open_root},
      {"load config", load_config},
      {"load policies", load_policies},
      {"plan checks", plan_checks},
      {"load signing identity", load_signing_identity},
      {"run checks", run_selected},
      {"assemble report", assemble_report},
      {"write reports", write_reports},
      {"sign reports", sign_reports},
      {"spool and commit", spool_and_commit},
  }};
  // However this function is left (return or exception), the caller learns
  // whether a check thread is still running, and what that thread uses is
  // never freed under it.
  struct AbandonGuard {
    RunState& state;
    bool& must_exit_now;
    ~AbandonGuard() {
      must_exit_now = state.must_exit_now;
      if (state.must_exit_now) {
        (void)state.context.release();
        (void)state.runner.release();
        (void)state.fs.release();
        if (state.plan) (void)new Plan(std::move(*state.plan));
      }
    }
  } guard{state, must_exit_now};
  // A format that is also a protocol (nagios) says on stdout that the audit
  // did not run, with its own exit code (the format table, formats.hpp).
  const ReportFormat* only = request.formats.size() == 1 ? find_report_format(request.formats.front()) : nullptr;
  for (const auto& [name, step] : kSteps) {
    spdlog::debug("step: {}", name);
    if (auto code = step(state)) {
      if (state.pending) state.pending->discard();
      if (only == nullptr || only->not_run == nullptr) return *code;
      const char* why = *code == kExitUsage         ? _("usage error")
                        : *code == kExitBadInput    ? _("invalid policy or configuration")
                        : *code == kExitCannotWrite ? _("cannot write the report")
                                                    : _("internal error");
      const NotRunOutput output = only->not_run(why, name, *code);
      out << output.line << std::flush;
      return output.exit_code;
    }
  }
  return exit_code_for(state);
}

}  // namespace clinic_audit
