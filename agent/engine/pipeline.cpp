// Over 400 lines: the run's steps in the order they happen (open root, load,
// plan, run, report, sign, spool), each short, sharing RunState; reading them
// in one file is the point.
#include "pipeline.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

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
#include "plan.hpp"
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"
#include "report/formats.hpp"
#include "report_store.hpp"
#include "signing.hpp"
#include "version.hpp"
#include "variable_report.hpp"
#include "waivers.hpp"

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
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw std::runtime_error("no randomness for the report id");
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
  std::vector<const ReportFormat*> formats;       // as chosen by --format
  std::optional<store::PendingSet> pending;       // the report set between write and commit
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

// Under --root without --config, the audited image's own site configuration
// applies (issue #17 item 4): its variables and waivers describe that
// machine. It is read through RootFs (symlinks stay inside the image);
// signing settings name files of that machine and are not used here.
StepResult load_image_config(RunState& state) {
  const std::string display = (state.request.root / "etc/clinic-audit/agent.conf").string();
  std::optional<std::string> content;
  try {
    content = state.fs->read_file_if_exists(kDefaultConfigPath, 1024 * 1024);
  } catch (const FsError& e) {
    state.err << "clinic-audit: invalid configuration\n" << display << ": cannot read: " << e.what() << '\n';
    return kExitBadInput;
  }
  if (!content) {
    spdlog::info("no site configuration in the audited root ({}): using defaults", display);
    return std::nullopt;
  }
  spdlog::info("loading the audited root's configuration {}", display);
  try {
    state.config = parse_site_config(*content, display, config_schema_path());
  } catch (const LoadFailure& e) {
    state.err << "clinic-audit: invalid configuration\n" << e.what() << '\n';
    return kExitBadInput;
  }
  state.config.signing_key.reset();
  state.config.signing_cert.reset();
  state.config.signing_chain.reset();
  return std::nullopt;
}

StepResult load_config(RunState& state) {
  if (!state.request.config && !state.fs->is_live()) return load_image_config(state);
  const bool explicit_path = state.request.config.has_value();
  const std::filesystem::path path = explicit_path ? *state.request.config : kDefaultConfigPath;
  spdlog::info("loading configuration {}", path.string());
  try {
    state.config = load_site_config(path, explicit_path, config_schema_path());
    if (state.config.file.empty()) spdlog::info("no site configuration at {}: using defaults", path.string());
  } catch (const LoadFailure& e) {
    state.err << "clinic-audit: invalid configuration\n" << e.what() << '\n';
    return kExitBadInput;
  }
  return std::nullopt;
}

StepResult load_policies(RunState& state) {
  const auto dir = policy_directory();
  std::vector<std::string> specs = state.request.policies;
  if (specs.empty()) specs = state.config.policies;
  if (specs.empty()) {
    specs = shipped_policy_ids(dir);
    spdlog::info("no policy given or enabled in the configuration: running every shipped policy");
  }
  if (specs.empty()) {
    state.err << "clinic-audit: no policy to run (none in " << dir.string() << ")\n";
    return kExitBadInput;
  }
  const auto xsd = dir / "policy.xsd";
  std::vector<LoadError> errors;
  for (const auto& spec : specs) {
    const auto file = locate_policy(spec, dir);
    spdlog::info("loading policy {}", file.string());
    try {
      state.policies.push_back(load_policy_file(file, xsd));
    } catch (const LoadFailure& e) {
      errors.insert(errors.end(), e.errors().begin(), e.errors().end());
    }
  }
  if (!errors.empty()) {
    state.err << "clinic-audit: invalid policy\n" << format_load_errors(errors) << '\n';
    return kExitBadInput;
  }
  return std::nullopt;
}

StepResult plan_checks(RunState& state) {
  try {
    state.plan = build_plan(std::move(state.policies), state.config, *state.fs);
  } catch (const LoadFailure& e) {
    state.err << "clinic-audit: invalid policy\n" << e.what() << '\n';
    return kExitBadInput;
  }
  const std::set<std::string> wanted(state.request.only.begin(), state.request.only.end());
  std::set<std::string> unmatched = wanted;
  for (const auto& planned : state.plan->checks) {
    if (wanted.empty() || wanted.count(planned.decl->id) != 0) state.selected.push_back(&planned);
    unmatched.erase(planned.decl->id);
  }
  if (!unmatched.empty()) {
    state.err << "clinic-audit: --only: no check '" << *unmatched.begin()
              << "' in the selected policies (see clinic-audit list)\n";
    return kExitUsage;
  }
  for (const auto& waiver : state.config.waivers) {
    const bool known = std::any_of(state.plan->checks.begin(), state.plan->checks.end(),
                                   [&](const PlannedCheck& c) { return c.decl->id == waiver.check_id; });
    if (!known) spdlog::warn("{}:{}: waiver for unknown check '{}'", state.config.file.string(), waiver.line, waiver.check_id);
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
    state.err << "clinic-audit: cannot sign reports: " << e.what()
              << " (create a key with `clinic-audit keygen`, or run with --no-sign)\n";
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
  RunOptions options;
  options.offline = state.request.offline;
  options.audited_root = !state.fs->is_live();
  if (state.request.progress) {
    options.on_result = [&](const ResultRecord& r, std::size_t done, std::size_t total) {
      state.err << "\r[" << done << "/" << total << "] " << r.check_id << ": " << to_string(r.status) << "\x1b[K"
                << (done == total ? "\n" : "") << std::flush;
    };
  }
  spdlog::info("running {} checks", state.selected.size());
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
      state.err << "clinic-audit: unknown format '" << name << "'\n";
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
      state.err << "clinic-audit: cannot write the report to standard output: " << std::strerror(errno) << '\n';
      return kExitCannotWrite;
    }
    return std::nullopt;
  }
  const auto& dir = *state.request.out_dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    state.err << "clinic-audit: cannot write reports: " << dir.string() << " is not a directory\n";
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
    state.err << "clinic-audit: cannot write reports: " << e.what() << '\n';
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
    for (const auto& removed : result.recovered) spdlog::info("removed {} left by an interrupted run", removed.string());
    for (const auto& removed : result.pruned) spdlog::info("removed old report {}", removed.string());
    if (!result.prune_warning.empty()) {
      spdlog::warn("could not remove old reports in {}: {}", state.request.out_dir->string(), result.prune_warning);
    }
    using Spooled = store::CommitResult::Spooled;
    if (result.spooled == Spooled::not_main_chain) {
      spdlog::info("{} is not the directory of the collector's chain: its reports are chained on their own and not spooled",
                   state.request.out_dir->string());
    } else if (result.spooled == Spooled::no_chain_carrier) {
      spdlog::warn("no json or xml report in this run: nothing spooled for the collector");
    }
  } catch (const signing::SigningError& e) {
    state.err << "clinic-audit: " << e.what() << '\n';
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    state.pending->discard();
    state.err << "clinic-audit: cannot write reports: " << e.what() << '\n';
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
      const char* why = *code == kExitUsage         ? "usage error"
                        : *code == kExitBadInput    ? "invalid policy or configuration"
                        : *code == kExitCannotWrite ? "cannot write the report"
                                                    : "internal error";
      const NotRunOutput output = only->not_run(why, name, *code);
      out << output.line << std::flush;
      return output.exit_code;
    }
  }
  return exit_code_for(state);
}

}  // namespace clinic_audit
