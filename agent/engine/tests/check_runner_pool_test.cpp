// The check runner's elastic pool (issue #19 item 5): it starts as many
// workers as asked (by default one) and gives a check still running
// after the grace period a companion worker, up to max_parallel, so that
// checks waiting on something do not wait one after the other; results are
// the same, in plan order, whatever the number of workers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "common/command_runner.hpp"
#include "common/context.hpp"
#include "engine/check_runner.hpp"

namespace clinic_audit {
namespace {

using std::chrono::milliseconds;

// Records which threads ran checks and how many ran at once.
struct Recorder {
  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> running{0};
  std::atomic<int> most_at_once{0};
};

class SleepingCheck final : public Check {
 public:
  SleepingCheck(Recorder& recorder, milliseconds sleep, int number)
      : recorder_(recorder), sleep_(sleep), number_(number) {}
  Outcome run(const Context& /*context*/) const override {
    {
      std::lock_guard lock(recorder_.mutex);
      recorder_.threads.insert(std::this_thread::get_id());
    }
    const int now = ++recorder_.running;
    int seen = recorder_.most_at_once.load();
    while (now > seen && !recorder_.most_at_once.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(sleep_);
    --recorder_.running;
    return number_ % 2 == 0 ? Outcome::pass("check " + std::to_string(number_))
                            : Outcome::fail("check " + std::to_string(number_));
  }

 private:
  Recorder& recorder_;
  milliseconds sleep_;
  int number_;
};

struct Fixture {
  Policy policy;
  CheckType type;
  std::vector<CheckDecl> decls;
  std::vector<PlannedCheck> planned;
  std::vector<const PlannedCheck*> pointers;
  Recorder recorder;

  Fixture(int count, milliseconds sleep) {
    policy.id = "test";
    type.name = "sleep";
    decls.resize(static_cast<std::size_t>(count));
    planned.resize(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
      auto& decl = decls[static_cast<std::size_t>(i)];
      decl.id = "test.c" + std::to_string(i);
      decl.type = "sleep";
      decl.timeout_seconds = 30;
      auto& p = planned[static_cast<std::size_t>(i)];
      p.policy = &policy;
      p.decl = &decl;
      p.type = &type;
      p.title = decl.id;
      p.check = std::make_unique<SleepingCheck>(recorder, sleep, i);
    }
    for (const auto& p : planned) pointers.push_back(&p);
  }
};

RunOutcome run(Fixture& fixture, const RunOptions& options) {
  const RootFs fs("/");
  ProcessRunner runner;
  const Context context(fs, runner, NetworkSettings{});
  return run_checks(fixture.pointers, context, options);
}

void expect_results_in_plan_order(const RunOutcome& outcome, int count) {
  ASSERT_EQ(outcome.results.size(), static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto& r = outcome.results[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.check_id, "test.c" + std::to_string(i));
    EXPECT_EQ(r.status, i % 2 == 0 ? Status::pass : Status::fail);
    EXPECT_EQ(r.summary, "check " + std::to_string(i));
  }
}

TEST(CheckRunnerPool, QuickChecksStayOnTheInitialWorkers) {
  Fixture fixture(12, milliseconds(0));
  RunOptions options;
  options.initial_workers = 1;
  options.slow_check_grace = std::chrono::seconds(20);  // never reached here
  const RunOutcome outcome = run(fixture, options);
  expect_results_in_plan_order(outcome, 12);
  EXPECT_EQ(fixture.recorder.threads.size(), 1U);
  EXPECT_EQ(fixture.recorder.most_at_once.load(), 1);
}

// A second worker from the start cost more CPU than it took over (issue
// #19 item 5): by default quick checks all run on one.
TEST(CheckRunnerPool, ByDefaultQuickChecksRunOnOneWorker) {
  Fixture fixture(12, milliseconds(3));  // long enough for a second worker to take some
  RunOptions options;
  options.slow_check_grace = std::chrono::seconds(20);  // never reached here
  const RunOutcome outcome = run(fixture, options);
  expect_results_in_plan_order(outcome, 12);
  EXPECT_EQ(fixture.recorder.threads.size(), 1U);
  EXPECT_EQ(fixture.recorder.most_at_once.load(), 1);
}

TEST(CheckRunnerPool, SlowChecksGetCompanionsUpToMaxParallel) {
  // Six checks of 600 ms, one worker to start with, 20 ms of grace: each
  // slow check brings one more worker, so all six overlap (3.6 s one after
  // the other) up to max_parallel.
  Fixture fixture(6, milliseconds(600));
  RunOptions options;
  options.initial_workers = 1;
  options.max_parallel = 8;
  options.slow_check_grace = milliseconds(20);
  const auto start = std::chrono::steady_clock::now();
  const RunOutcome outcome = run(fixture, options);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  expect_results_in_plan_order(outcome, 6);
  EXPECT_EQ(fixture.recorder.most_at_once.load(), 6);
  EXPECT_LT(elapsed, milliseconds(3000));
}

TEST(CheckRunnerPool, CompanionsNeverExceedMaxParallel) {
  Fixture fixture(6, milliseconds(300));
  RunOptions options;
  options.initial_workers = 1;
  options.max_parallel = 2;
  options.slow_check_grace = milliseconds(10);
  const RunOutcome outcome = run(fixture, options);
  expect_results_in_plan_order(outcome, 6);
  EXPECT_EQ(fixture.recorder.most_at_once.load(), 2);
  EXPECT_LE(fixture.recorder.threads.size(), 2U);
}

TEST(CheckRunnerPool, SameResultsWithOneWorkerAndWithEight) {
  Fixture serial(9, milliseconds(1));
  RunOptions one;
  one.initial_workers = 1;
  one.max_parallel = 1;
  Fixture parallel(9, milliseconds(1));
  RunOptions eight;
  eight.initial_workers = 8;
  eight.max_parallel = 8;
  const RunOutcome a = run(serial, one);
  const RunOutcome b = run(parallel, eight);
  expect_results_in_plan_order(a, 9);
  expect_results_in_plan_order(b, 9);
  EXPECT_EQ(serial.recorder.most_at_once.load(), 1);
}

}  // namespace
}  // namespace clinic_audit
