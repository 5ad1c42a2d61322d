#include "check_runner.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "i18n.hpp"
#include "common/shell_quote.hpp"
#include "system_error_text.hpp"

namespace clinic_audit {
namespace {

using Clock = std::chrono::steady_clock;

ResultRecord base_record(const PlannedCheck& planned) {
  ResultRecord record;
  record.check_id = planned.decl->id;
  record.policy_id = planned.policy->id;
  record.type = planned.decl->type;
  record.title = planned.title;
  record.severity = planned.decl->severity;
  record.remediation = planned.remediation;
  return record;
}

// Bounded report size whatever a check found (issue #20 item 8: 100,000
// files in sudoers.d made an 80 MB report): at most kMaxEvidenceItems items
// per check, then one item counting what was left out; each text at most
// kMaxTextBytes. Independent of the check type.
constexpr std::size_t kMaxEvidenceItems = 100;
constexpr std::size_t kMaxTextBytes = 4096;

void cap_text(std::string& text) {
  if (text.size() <= kMaxTextBytes) return;
  const std::size_t dropped = text.size() - kMaxTextBytes;
  std::size_t keep = kMaxTextBytes;
  // Never cut a UTF-8 sequence in two: back up over continuation bytes.
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0U) == 0x80U) --keep;
  text.resize(keep);
  text += " [" + tr("{0} more bytes left out", dropped) + "]";
}

std::vector<Evidence> capped_evidence(std::vector<Evidence> evidence) {
  if (evidence.size() > kMaxEvidenceItems) {
    const std::size_t left_out = evidence.size() - (kMaxEvidenceItems - 1);
    evidence.resize(kMaxEvidenceItems - 1);
    evidence.push_back(
        {"", std::nullopt,
         tr("{0} more evidence items left out (at most {1} per check are reported)", left_out, kMaxEvidenceItems), ""});
  }
  for (auto& item : evidence) {
    cap_text(item.path);
    cap_text(item.observed);
    cap_text(item.expected);
  }
  return evidence;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

void add_note(std::string& remediation, const std::string& text) {
  if (text.empty() || remediation.find(text) != std::string::npos) return;
  remediation += (remediation.empty() ? "" : "\n") + text;
}

// A command is pasted into a root shell: one with a control character (a
// newline would start another command on paste, ESC would rewrite the
// terminal) is withheld, and the note says so (issue #20 item 1).
void add_command(ResultRecord& record, const std::string& command) {
  if (command.empty()) return;
  if (has_control(command)) {
    add_note(record.remediation,
             tr("A command was withheld because it would contain a control character: {0}", escape_control(command)));
    return;
  }
  if (std::find(record.remediation_commands.begin(), record.remediation_commands.end(), command) ==
      record.remediation_commands.end()) {
    record.remediation_commands.push_back(command);
  }
}

// What a technician does about a check that could not be evaluated (issue
// #17 item 6): make the input readable and run the check again.
std::string next_step(const ResultRecord& record) {
  std::string files;
  for (const auto& item : record.evidence) {
    if (!item.path.empty() && files.find(item.path) == std::string::npos) {
      files += (files.empty() ? "" : ", ") + escape_control(item.path);
    }
  }
  std::string out;
  if (!files.empty()) {
    out = tr("Next step: check that {0} exists, is a regular file of sane size that root can read (permissions, ACL, "
             "mount, confinement) and parses (the error above names the line); ",
             files);
  } else {
    out = _("Next step: read the error above (a program the check runs may be missing or failing: run it by hand); ");
  }
  out += tr("then rerun this check alone: clinic-audit run --only {0} (add the same --root/--policy options).",
            shell_word(record.check_id));
  return out;
}

void fill(ResultRecord& record, const PlannedCheck* planned, Outcome outcome) {
  record.status = outcome.status;
  record.summary = std::move(outcome.summary);
  cap_text(record.summary);
  record.evidence = capped_evidence(std::move(outcome.evidence));
  if (record.status == Status::error) {
    // The fix of a check that could not be evaluated is unknown: say how to
    // get it evaluated instead of listing commands that may not apply.
    record.remediation = next_step(record);
    return;
  }
  if (planned != nullptr) {
    if (outcome.remediation_commands.empty() && outcome.policy_commands_apply) {
      for (const auto& command : planned->remediation_commands) add_command(record, command);
    }
    add_note(record.remediation, planned->remediation_refused);
  }
  // The check's commands address what it found on this host: they take the
  // place of the policy's generic ones (a missing binary needs installing,
  // not the chown the policy would give for a wrong owner).
  for (const auto& command : outcome.remediation_commands) add_command(record, command);
  add_note(record.remediation, outcome.remediation);
  if (planned != nullptr && !planned->commands_withheld.empty() && !record.remediation_commands.empty()) {
    record.remediation_commands.clear();
    add_note(record.remediation, planned->commands_withheld);
  }
}

// The outcome of a check whose inputs come from a discovery that could not
// read a file: `error` naming each file (issue #20 item 2). Running it on the
// value found elsewhere, or on the default, could pass where the unread file
// sets another value.
Outcome unknown_inputs_outcome(const UnknownInputs& unknown) {
  std::string names;
  for (const auto& name : unknown.variables) names += (names.empty() ? "${" : ", ${") + name + "}";
  std::string files;
  std::vector<Evidence> evidence;
  for (const auto& file : unknown.files) {
    files += (files.empty() ? "" : ", ") + file.path;
    evidence.push_back({file.path, std::nullopt,
                        tr("could not be read ({0}); it may set {1}, which this check uses", file.reason, names),
                        _("a readable regular file")});
  }
  return Outcome::error(trn("cannot evaluate: {0} is not known: discovery could not read {1}, which may set it",
                            "cannot evaluate: {0} are not known: discovery could not read {1}, which may set it",
                            unknown.variables.size(), names, files),
                        std::move(evidence));
}

// State shared with worker threads; a shared_ptr so that a worker abandoned
// at its timeout can still finish writing into it safely.
struct Shared {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<Outcome>> outcomes;
  std::vector<std::optional<Clock::time_point>> started;
  std::vector<Clock::time_point> finished;  // set with the outcome, by the worker
  std::vector<bool> finished_late;
  std::deque<std::size_t> queue;
};

std::size_t initial_workers(const RunOptions& options) { return std::max<std::size_t>(options.initial_workers, 1); }

}  // namespace

Outcome outcome_from_exception(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const CheckError& e) {
    std::vector<Evidence> evidence;
    if (!e.path().empty())
      evidence.push_back({e.path(), e.line() > 0 ? std::optional<int>(e.line()) : std::nullopt, e.what(), ""});
    return Outcome::error(tr("cannot evaluate: {0}", e.what()), std::move(evidence));
  } catch (const FsError& e) {
    return Outcome::error(tr("cannot evaluate: {0}", e.what()), {{e.path(), std::nullopt, e.what(), ""}});
  } catch (const std::exception& e) {
    return Outcome::error(tr("cannot evaluate: {0}", i18n::exception_text(e)));
  } catch (...) {
    return Outcome::error(_("cannot evaluate: unknown exception"));
  }
}

RunOutcome run_checks(const std::vector<const PlannedCheck*>& checks, const Context& context,
                      const RunOptions& options) {
  RunOutcome out;
  out.results.reserve(checks.size());
  auto shared = std::make_shared<Shared>();
  shared->outcomes.resize(checks.size());
  shared->started.resize(checks.size());
  shared->finished.resize(checks.size());
  shared->finished_late.resize(checks.size());
  std::vector<Clock::time_point> start_times(checks.size());
  std::vector<bool> reported(checks.size(), false);

  for (std::size_t i = 0; i < checks.size(); ++i) {
    out.results.push_back(base_record(*checks[i]));
    const PlannedCheck& planned = *checks[i];
    if (!planned.unknown_conditions.empty()) {
      fill(out.results[i], &planned, unknown_inputs_outcome(planned.unknown_conditions));
      reported[i] = true;
    } else if (!planned.check) {
      fill(out.results[i], &planned,
           Outcome::not_applicable(planned.not_applicable_reason.value_or(_("not applicable"))));
      reported[i] = true;
    } else if (options.offline && planned.type->uses_network) {
      fill(out.results[i], &planned, Outcome::skipped(_("network probes are disabled (--offline)")));
      reported[i] = true;
    } else if (options.audited_root && planned.type->uses_network) {
      fill(out.results[i], &planned,
           Outcome::skipped(_("auditing an image (--root): network probes would test the auditing machine's "
                              "network, not the audited machine's; run the audit on that machine")));
      reported[i] = true;
    } else if (!planned.unknown_params.empty()) {
      fill(out.results[i], &planned, unknown_inputs_outcome(planned.unknown_params));
      reported[i] = true;
    } else {
      shared->queue.push_back(i);
    }
  }
  std::size_t done = 0;
  auto report = [&](std::size_t i) {
    reported[i] = true;
    ++done;
    if (options.on_result) options.on_result(out.results[i], done, checks.size());
  };
  for (std::size_t i = 0; i < checks.size(); ++i) {
    if (reported[i]) report(i);
  }

  // Each worker takes the next queued check. `context` and `checks` outlive
  // every worker that is not abandoned; abandoned ones lead to _Exit.
  auto worker = [shared, &checks, &context] {
    while (true) {
      std::size_t index;
      Clock::time_point deadline;
      {
        std::lock_guard lock(shared->mutex);
        if (shared->queue.empty()) return;
        index = shared->queue.front();
        shared->queue.pop_front();
        shared->started[index] = Clock::now();
        deadline = *shared->started[index] + std::chrono::seconds(checks[index]->decl->timeout_seconds);
        // The monitor needs the start time to know this check's deadline.
        shared->changed.notify_all();
      }
      Outcome outcome;
      try {
        // Commands the check starts end before the check's own deadline.
        const ScopedCheckDeadline check_deadline(deadline);
        outcome = checks[index]->check->run(context);
      } catch (...) {
        outcome = outcome_from_exception(std::current_exception());
      }
      std::lock_guard lock(shared->mutex);
      if (shared->finished_late[index]) continue;  // already reported as timed out
      shared->finished[index] = Clock::now();
      shared->outcomes[index] = std::move(outcome);
      shared->changed.notify_all();
    }
  };

  // One worker to start with (RunOptions::initial_workers): most checks read
  // a few files and are done within a millisecond, and a second worker on
  // the other CPU cost more than the work it took over (a full offline
  // audit on an idle machine: 8.3-8.7 ms CPU on one worker, 9.4-9.7 ms on
  // two, issue #19 item 5); a check still running after slow_check_grace
  // may be waiting (a command, the network), so it gets a companion worker
  // that takes the queue meanwhile, up to max_parallel.
  const std::size_t to_run = shared->queue.size();
  const std::size_t parallel = std::min(std::max<std::size_t>(options.max_parallel, 1), to_run);
  std::size_t started_workers = std::min(initial_workers(options), parallel);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < started_workers; ++t) threads.emplace_back(worker);
  std::vector<bool> given_companion(checks.size(), false);

  std::unique_lock lock(shared->mutex);
  std::size_t remaining = to_run;
  while (remaining > 0) {
    // Collect finished checks and expire overrunning ones.
    auto next_deadline = Clock::time_point::max();
    if (started_workers < parallel && !shared->queue.empty()) {
      const auto now = Clock::now();
      for (std::size_t i = 0; i < checks.size() && started_workers < parallel; ++i) {
        if (reported[i] || given_companion[i] || !shared->started[i] || shared->outcomes[i]) continue;
        const auto slow_at = *shared->started[i] + options.slow_check_grace;
        if (now >= slow_at) {
          given_companion[i] = true;
          ++started_workers;
          threads.emplace_back(worker);
        } else {
          next_deadline = std::min(next_deadline, slow_at);
        }
      }
    }
    // report() runs unlocked: a check finishing meanwhile notifies nobody, so
    // after reporting anything the list is scanned again before waiting.
    bool reported_any = false;
    for (std::size_t i = 0; i < checks.size(); ++i) {
      if (reported[i]) continue;
      if (shared->outcomes[i]) {
        Outcome outcome = std::move(*shared->outcomes[i]);
        out.results[i].duration_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(shared->finished[i] - *shared->started[i]).count();
        fill(out.results[i], checks[i], std::move(outcome));
        --remaining;
        reported_any = true;
        lock.unlock();
        report(i);
        lock.lock();
        continue;
      }
      if (!shared->started[i]) continue;
      const auto timeout = std::chrono::seconds(checks[i]->decl->timeout_seconds);
      const auto deadline = *shared->started[i] + timeout;
      if (Clock::now() >= deadline) {
        shared->finished_late[i] = true;
        out.results[i].duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
        fill(out.results[i], checks[i],
             Outcome::error(tr("timed out after {0} s (the check's timeout_seconds); its other results are unknown",
                               checks[i]->decl->timeout_seconds)));
        ++out.abandoned;
        --remaining;
        // The stuck thread keeps its slot; add a worker so the queue still drains.
        threads.emplace_back(worker);
        reported_any = true;
        lock.unlock();
        report(i);
        lock.lock();
        continue;
      }
      next_deadline = std::min(next_deadline, deadline);
    }
    if (remaining == 0) break;
    if (reported_any) continue;
    if (next_deadline == Clock::time_point::max()) {
      shared->changed.wait(lock);
    } else {
      shared->changed.wait_until(lock, next_deadline);
    }
  }
  lock.unlock();
  if (out.abandoned == 0) {
    // Every worker leaves once the queue is empty. Joining (not just waiting
    // for their count) lets thread-local state -- OpenSSL's per-thread error
    // queue among it -- be freed before the caller goes on to exit.
    for (auto& thread : threads) thread.join();
  } else {
    // A worker stuck in an abandoned check cannot be joined: the caller
    // leaves with _Exit, and the others finish on their own.
    for (auto& thread : threads) thread.detach();
  }
  return out;
}

}  // namespace clinic_audit
