// Over 400 lines: the one storage test suite that runs on SQLite and on
// PostgreSQL alike (issue #11 item 6); splitting it would split the list of
// what both backends must do.
#include "storage_test_suite.hpp"

#include <algorithm>
#include <stdexcept>

#include "ingest_service.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <string>

namespace clinic_audit::collector::test {

IncomingReport make_incoming(const std::string& machine_id, std::uint64_t sequence, const std::string& sha256,
                             std::int64_t started_at, const std::string& report_id) {
  IncomingReport in;
  in.row.report_id = report_id.empty() ? "id-" + sha256 : report_id;
  in.row.machine_id = machine_id;
  in.row.hostname = "host-" + machine_id;
  in.row.sequence = sequence;
  in.row.sha256 = sha256;
  in.row.started_at = started_at;
  in.row.format = "json";
  in.row.signer_fingerprint = "fp-" + machine_id;
  in.row.signer_subject = "CN=host-" + machine_id;
  in.row.counts.pass = 2;
  in.row.counts.fail = 1;
  in.blob = {"{\"bytes\": \"" + sha256 + "\"}\n", std::string("\x30\x82\x00\x01", 4)};
  in.results.push_back({0, 0, "chk-1", "apicrypt-v1", "file", "Title 1", "high", "fail", "bad", "[]", "fix it"});
  in.results.push_back(
      {0, 1, "chk-2", "apicrypt-v1", "sudoers", "Title 2", "low", "pass", "good", "[{\"path\":\"/x\"}]", ""});
  return in;
}

Judgement no_anomaly(const ChainHistory&, const IncomingReport&) { return {}; }

TEST_P(StorageSuite, MigrateIsIdempotentAndSetsTheVersion) {
  EXPECT_EQ(storage_->schema_version(), kSchemaVersion);
  storage_->migrate();
  EXPECT_EQ(storage_->schema_version(), kSchemaVersion);
  EXPECT_EQ(storage_->report_count(), 0U);
}

// The row an ingest answers with is built from what it wrote, not read
// back (one round trip less on PostgreSQL): it must be the row stored.
TEST_P(StorageSuite, IngestAnswersTheRowAsStored) {
  IncomingReport in = make_incoming("m1", 3, "ab", 1000);
  in.row.previous_sha256 = std::string(64, 'f');
  in.row.compliant = true;
  in.row.counts = {7, 0, 1, 2, 3, 4};
  const auto judge_gap = [](const ChainHistory&, const IncomingReport&) {
    Judgement judgement;
    judgement.anomalies.push_back({"gap", "2 missing", 1, 2});
    return judgement;
  };
  for (const auto& [incoming, judge] :
       std::vector<std::pair<IncomingReport, ChainJudge>>{{in, judge_gap},
                                                          {make_incoming("m2", 1, "cd", 900), no_anomaly}}) {
    const IngestResult answered = storage_->ingest(incoming, judge, 5000);
    ASSERT_EQ(answered.status, IngestStatus::stored);
    const auto stored = storage_->report(answered.row.id);
    ASSERT_TRUE(stored);
    const ReportRow& a = answered.row;
    const ReportRow& b = *stored;
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.report_id, b.report_id);
    EXPECT_EQ(a.machine_id, b.machine_id);
    EXPECT_EQ(a.hostname, b.hostname);
    EXPECT_EQ(a.sequence, b.sequence);
    EXPECT_EQ(a.previous_sha256, b.previous_sha256);
    EXPECT_EQ(a.sha256, b.sha256);
    EXPECT_EQ(a.started_at, b.started_at);
    EXPECT_EQ(a.received_at, b.received_at);
    EXPECT_EQ(a.format, b.format);
    EXPECT_EQ(a.signer_fingerprint, b.signer_fingerprint);
    EXPECT_EQ(a.signer_subject, b.signer_subject);
    EXPECT_EQ(a.chain, b.chain);
    EXPECT_EQ(a.compliant, b.compliant);
    EXPECT_EQ(a.counts.pass, b.counts.pass);
    EXPECT_EQ(a.counts.fail, b.counts.fail);
    EXPECT_EQ(a.counts.error, b.counts.error);
    EXPECT_EQ(a.counts.not_applicable, b.counts.not_applicable);
    EXPECT_EQ(a.counts.waived, b.counts.waived);
    EXPECT_EQ(a.counts.skipped, b.counts.skipped);
  }
}

TEST_P(StorageSuite, StoresExactBytesOnceAndReportsTheDuplicate) {
  IncomingReport in = make_incoming("m1", 1, "aa", 1000);
  in.blob.bytes = std::string("bytes with \0 NUL and 'quotes'; DROP TABLE reports;--", 52);
  const IngestResult first = storage_->ingest(in, no_anomaly, 5000);
  EXPECT_EQ(first.status, IngestStatus::stored);
  EXPECT_EQ(first.row.chain, "ok");
  EXPECT_EQ(first.row.received_at, 5000);
  const IngestResult second = storage_->ingest(in, no_anomaly, 6000);
  EXPECT_EQ(second.status, IngestStatus::duplicate);
  EXPECT_EQ(second.row.id, first.row.id);
  EXPECT_EQ(second.row.received_at, 5000);
  EXPECT_EQ(storage_->report_count(), 1U);
  const auto blob = storage_->report_blob(first.row.id);
  ASSERT_TRUE(blob);
  EXPECT_EQ(blob->bytes, in.blob.bytes);
  EXPECT_EQ(blob->signature, in.blob.signature);
  const auto results = storage_->results(first.row.id);
  ASSERT_EQ(results.size(), 2U);
  EXPECT_EQ(results[1].evidence_json, "[{\"path\":\"/x\"}]");
  EXPECT_EQ(results[0].status, "fail");
  const auto host = storage_->host("m1");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->latest_report, first.row.id);
  EXPECT_EQ(host->cert_fingerprint, "fp-m1");
  EXPECT_EQ(host->last_received, 5000);
}

TEST_P(StorageSuite, LatestReportAtOrBeforeADatePerHost) {
  storage_->ingest(make_incoming("m1", 1, "a1", 100), no_anomaly, 1);
  storage_->ingest(make_incoming("m1", 2, "a2", 200), no_anomaly, 2);
  storage_->ingest(make_incoming("m1", 3, "a3", 300), no_anomaly, 3);
  storage_->ingest(make_incoming("m2", 1, "b1", 250), no_anomaly, 4);
  auto at = [&](std::int64_t when) {
    std::string text;
    for (const auto& row : storage_->latest_reports_at(when)) text += row.machine_id + ":" + row.sha256 + " ";
    return text;
  };
  EXPECT_EQ(at(50), "");
  EXPECT_EQ(at(200), "m1:a2 ");
  EXPECT_EQ(at(260), "m1:a2 m2:b1 ");
  EXPECT_EQ(at(1000), "m1:a3 m2:b1 ");
  ReportQuery query;
  query.machine_id = "m1";
  EXPECT_EQ(storage_->reports(query).size(), 3U);
  query.started_from = 150;
  query.started_to = 250;
  const auto some = storage_->reports(query);
  ASSERT_EQ(some.size(), 1U);
  EXPECT_EQ(some[0].sha256, "a2");
}

TEST_P(StorageSuite, JudgeSeesTheHistoryAndItsAnomaliesAreStored) {
  storage_->ingest(make_incoming("m1", 1, "a1", 100), no_anomaly, 1);
  ChainHistory seen;
  auto judge = [&](const ChainHistory& history, const IncomingReport&) {
    seen = history;
    Judgement j;
    j.anomalies.push_back({"gap", "2..4 missing", 2, 4});
    return j;
  };
  const IngestResult stored = storage_->ingest(make_incoming("m1", 5, "a5", 500), judge, 2);
  EXPECT_TRUE(seen.known_host);
  ASSERT_EQ(seen.links.size(), 1U);
  EXPECT_EQ(seen.links[0].sha256, "a1");
  EXPECT_EQ(seen.current_fingerprint, "fp-m1");
  ASSERT_EQ(seen.keys.size(), 1U);
  EXPECT_EQ(stored.row.chain, "anomaly");
  ASSERT_EQ(stored.anomalies.size(), 1U);
  EXPECT_EQ(stored.anomalies[0].kind, "gap");
  EXPECT_EQ(stored.anomalies[0].seq_from, 2U);

  // A late report 3 fills part of the gap: it is resolved, 2 and 4 stay open.
  auto fill = [&](const ChainHistory& history, const IncomingReport&) {
    EXPECT_EQ(history.open_gaps.size(), 1U);
    Judgement j;
    j.gap_updates.push_back(
        {history.open_gaps.at(0).id, "3 arrived late", {{"gap", "2 missing", 2, 2}, {"gap", "4 missing", 4, 4}}});
    return j;
  };
  const IngestResult late = storage_->ingest(make_incoming("m1", 3, "a3", 300), fill, 3);
  EXPECT_EQ(late.row.chain, "ok");
  AnomalyQuery open;
  open.machine_id = "m1";
  open.open_only = true;
  const auto still = storage_->anomalies(open);
  ASSERT_EQ(still.size(), 2U);
  for (const auto& gap : still) EXPECT_EQ(gap.report, stored.row.id);
  EXPECT_EQ(storage_->anomalies({}).size(), 3U);
  EXPECT_EQ(storage_->host("m1")->open_anomalies, 2);
  EXPECT_EQ(storage_->report_anomalies(stored.row.id).size(), 3U);
  // The host's latest report is the highest sequence, not the last received.
  EXPECT_EQ(storage_->host("m1")->latest_report, stored.row.id);
}

// <retention days>: the oldest reports go, as a prefix of each host's chain
// (so what remains still links report to report), and each host's latest
// report stays however old it is.
TEST_P(StorageSuite, RetentionPrunesEachChainsOldPrefixAndKeepsTheHead) {
  // m1: sequences 1..5 started at 100..500; report 3 started late (a clock
  // moved back on the host), so it is "old" but 4 after it is too: 1..4 go.
  storage_->ingest(make_incoming("m1", 1, "a1", 100), no_anomaly, 1);
  storage_->ingest(make_incoming("m1", 2, "a2", 200), no_anomaly, 2);
  auto gap = [](const ChainHistory&, const IncomingReport&) {
    Judgement j;
    j.anomalies.push_back({"gap", "3 missing", 3, 3});
    return j;
  };
  const IngestResult four = storage_->ingest(make_incoming("m1", 4, "a4", 400), gap, 3);
  storage_->ingest(make_incoming("m1", 3, "a3", 50), no_anomaly, 4);
  const IngestResult five = storage_->ingest(make_incoming("m1", 5, "a5", 900), no_anomaly, 5);
  // m2: everything old, a single report: it is the head and stays.
  const IngestResult lone = storage_->ingest(make_incoming("m2", 1, "b1", 10), no_anomaly, 6);
  // m3: 1 old, 2 recent, 3 old again (clock back): 1 goes, 2 and 3 stay,
  // since pruning never cuts a chain in its middle.
  storage_->ingest(make_incoming("m3", 1, "c1", 10), no_anomaly, 7);
  storage_->ingest(make_incoming("m3", 2, "c2", 800), no_anomaly, 8);
  storage_->ingest(make_incoming("m3", 3, "c3", 20), no_anomaly, 9);
  ASSERT_EQ(storage_->report_count(), 9U);

  EXPECT_EQ(storage_->prune_reports(600), 5U);  // m1 1..4, m3 1
  std::string left;
  storage_->for_each_report([&](const ReportRow& row, const ReportBlob&) {
    left += row.machine_id + ":" + row.sha256 + " ";
    return true;
  });
  EXPECT_EQ(left, "m1:a5 m2:b1 m3:c2 m3:c3 ");
  EXPECT_FALSE(storage_->report_blob(four.row.id));
  EXPECT_TRUE(storage_->results(four.row.id).empty());
  EXPECT_EQ(storage_->results(five.row.id).size(), 2U);
  EXPECT_EQ(storage_->host("m1")->latest_report, five.row.id);
  EXPECT_EQ(storage_->host("m2")->latest_report, lone.row.id);
  // The anomaly of a pruned report stays, without its report.
  AnomalyQuery query;
  query.machine_id = "m1";
  const auto anomalies = storage_->anomalies(query);
  ASSERT_EQ(anomalies.size(), 1U);
  EXPECT_FALSE(anomalies[0].report);
  // Idempotent; and the next report still extends the kept head.
  EXPECT_EQ(storage_->prune_reports(600), 0U);
  ChainHistory seen;
  storage_->ingest(
      make_incoming("m1", 6, "a6", 1000),
      [&](const ChainHistory& history, const IncomingReport&) {
        seen = history;
        return Judgement{};
      },
      10);
  ASSERT_EQ(seen.links.size(), 1U);
  EXPECT_EQ(seen.links[0].sha256, "a5");
  // Over 500 (one batch): all of an old chain but its head goes.
  for (std::uint64_t sequence = 1; sequence <= 603; ++sequence) {
    storage_->ingest(make_incoming("m4", sequence, "d" + std::to_string(sequence), 5), no_anomaly, 11);
  }
  EXPECT_EQ(storage_->prune_reports(600), 602U);
  ReportQuery m4;
  m4.machine_id = "m4";
  const auto kept = storage_->reports(m4);
  ASSERT_EQ(kept.size(), 1U);
  EXPECT_EQ(kept[0].sequence, 603U);
}

TEST_P(StorageSuite, FailedJudgeStoresNothing) {
  auto throwing = [](const ChainHistory&, const IncomingReport&) -> Judgement { throw std::runtime_error("boom"); };
  EXPECT_THROW(storage_->ingest(make_incoming("m1", 1, "a1", 100), throwing, 1), std::runtime_error);
  EXPECT_EQ(storage_->report_count(), 0U);
  EXPECT_FALSE(storage_->host("m1"));
  EXPECT_EQ(storage_->ingest(make_incoming("m1", 1, "a1", 100), no_anomaly, 1).status, IngestStatus::stored);
}

TEST_P(StorageSuite, TokensAreCountedRevokedAndExpire) {
  TokenRow token;
  token.secret_sha256 = "h1";
  token.site = "Clinique du Port";
  token.created_at = 10;
  token.expires_at = 100;
  token.uses_allowed = 2;
  const auto id = storage_->create_token(token);
  EXPECT_EQ(storage_->consume_token("nope", 20).refusal, TokenRefusal::unknown);
  const auto granted = storage_->consume_token("h1", 20);
  ASSERT_TRUE(granted.token);
  EXPECT_EQ(granted.token->site, "Clinique du Port");
  EXPECT_TRUE(storage_->consume_token("h1", 21).token);
  EXPECT_EQ(storage_->consume_token("h1", 22).refusal, TokenRefusal::used_up);
  token.secret_sha256 = "h2";
  const auto id2 = storage_->create_token(token);
  EXPECT_EQ(storage_->consume_token("h2", 101).refusal, TokenRefusal::expired);
  EXPECT_TRUE(storage_->revoke_token(id2, 50));
  EXPECT_EQ(storage_->consume_token("h2", 60).refusal, TokenRefusal::revoked);
  EXPECT_FALSE(storage_->revoke_token(id2 + 100, 50));
  const auto all = storage_->tokens();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].id, id);
  EXPECT_EQ(all[0].uses, 2);
  EXPECT_TRUE(all[1].revoked_at);
}

TEST_P(StorageSuite, EnrolmentRecordsSiteAndKey) {
  storage_->record_enrolment("m9", "cab-9", "Site A", "fpA", 10);
  storage_->ingest(
      make_incoming("m9", 1, "c1", 100),
      [](const ChainHistory& h, const IncomingReport&) {
        EXPECT_TRUE(h.known_host);
        EXPECT_EQ(h.keys.size(), 1U);
        EXPECT_EQ(h.keys.at(0).origin, "enrolment");
        return Judgement{};
      },
      20);
  const auto host = storage_->host("m9");
  ASSERT_TRUE(host);
  EXPECT_EQ(host->site, "Site A");
  EXPECT_EQ(host->hostname, "host-m9");
}

TEST_P(StorageSuite, ForEachReportVisitsInChainOrderWithBytes) {
  storage_->ingest(make_incoming("m2", 1, "b1", 1), no_anomaly, 1);
  storage_->ingest(make_incoming("m1", 2, "a2", 2), no_anomaly, 1);
  storage_->ingest(make_incoming("m1", 1, "a1", 1), no_anomaly, 1);
  std::string order;
  storage_->for_each_report([&](const ReportRow& row, const ReportBlob& blob) {
    order += row.sha256 + (blob.bytes.find(row.sha256) != std::string::npos ? "+ " : "- ");
    return true;
  });
  EXPECT_EQ(order, "a1+ a2+ b1+ ");
}

TEST_P(StorageSuite, AnotherConnectionSeesCommittedReports) {
  const auto stored = storage_->ingest(make_incoming("m1", 1, "a1", 1), no_anomaly, 1);
  auto other = factory_->make();
  EXPECT_EQ(other->report_count(), 1U);
  EXPECT_EQ(other->report_by_report_id(stored.row.report_id)->sha256, "a1");
  EXPECT_EQ(other->hosts().size(), 1U);
}

}  // namespace clinic_audit::collector::test

namespace clinic_audit::collector::test {

TEST_P(StorageSuite, TheSameRunInItsOtherFormatIsADuplicate) {
  IncomingReport json_report = make_incoming("m1", 1, "j1", 100, "run-1");
  const auto stored = storage_->ingest(json_report, no_anomaly, 1);
  IncomingReport xml_report = make_incoming("m1", 1, "x1", 100, "run-1");
  xml_report.row.format = "xml";
  bool judged = false;
  const auto again = storage_->ingest(
      xml_report,
      [&](const ChainHistory&, const IncomingReport&) {
        judged = true;
        return Judgement{};
      },
      2);
  EXPECT_FALSE(judged);
  EXPECT_EQ(again.status, IngestStatus::duplicate);
  EXPECT_EQ(again.row.id, stored.row.id);
  // The same identifiers with other content (a result turned from fail to
  // pass, or another host name) are not the run's other format: judged and
  // stored like any other report, never answered "already stored".
  for (int variant = 0; variant < 2; ++variant) {
    IncomingReport forged = make_incoming("m1", 1, variant == 0 ? "x-forged" : "x-renamed", 100, "run-1");
    forged.row.format = "xml";
    if (variant == 0) {
      forged.results[0].status = "pass";
    } else {
      forged.row.hostname = "other-name";
    }
    bool forged_judged = false;
    const auto answer = storage_->ingest(
        forged,
        [&](const ChainHistory&, const IncomingReport&) {
          forged_judged = true;
          return Judgement{};
        },
        2);
    EXPECT_TRUE(forged_judged) << variant;
    EXPECT_EQ(answer.status, IngestStatus::stored) << variant;
    EXPECT_NE(answer.row.id, stored.row.id) << variant;
  }
  // Another sequence under the same report_id is not the other format.
  IncomingReport replayed = make_incoming("m1", 2, "x2", 100, "run-1");
  replayed.row.format = "xml";
  replayed.row.previous_sha256 = "j1";
  EXPECT_EQ(storage_->ingest(replayed, no_anomaly, 3).status, IngestStatus::stored);
}

}  // namespace clinic_audit::collector::test

#include <thread>

namespace clinic_audit::collector::test {

// Concurrent ingests (SQLite: batched in one transaction; PostgreSQL: host
// row locks): each report stored once, the same report from two threads at
// once answered stored once and duplicate once, a failing one alone refused.
TEST_P(StorageSuite, ConcurrentIngestsStoreEachReportOnce) {
  std::atomic<int> stored{0}, duplicates{0}, failed{0};
  auto judge = [](const ChainHistory&, const IncomingReport& in) -> Judgement {
    if (in.row.sha256 == "bad-3") throw std::runtime_error("judge refused");
    return {};
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto storage = factory_->make();
      for (int i = 0; i < 10; ++i) {
        // Threads t and t^1 send the same reports (same host, same bytes).
        const int host = t / 2;
        const std::string sha = (host == 1 && i == 3 ? "bad-" : "h" + std::to_string(host) + "-") + std::to_string(i);
        try {
          const auto result = storage->ingest(make_incoming("m" + std::to_string(host),
                                                            static_cast<std::uint64_t>(i + 1), sha, 100 + i),
                                              judge, 1000 + i);
          (result.status == IngestStatus::stored ? stored : duplicates)++;
        } catch (const std::runtime_error&) {
          ++failed;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(stored.load(), 39);
  EXPECT_EQ(duplicates.load(), 39);
  EXPECT_EQ(failed.load(), 2);
  EXPECT_EQ(storage_->report_count(), 39U);
}

// Asynchronous ingest (the server's path, group commit on SQLite): 60
// uploads from 12 threads at once, every one acknowledged exactly once, and
// each acknowledgement comes only when another connection already sees the
// report committed (DESIGN.md §7: 201 only after the commit).
TEST_P(StorageSuite, AsyncIngestsAreAcknowledgedOnceEachOnlyAfterTheirCommit) {
  std::atomic<int> acknowledged{0}, stored{0}, duplicates{0}, failed{0}, visible_at_ack{0};
  std::mutex mutex;
  std::condition_variable all_done;
  constexpr int kThreads = 12, kEach = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Threads t and t+6 send the same host's reports (same bytes).
        const int host = t % 6;
        const std::string sha = "async-" + std::to_string(host) + "-" + std::to_string(i);
        auto incoming = std::make_shared<IncomingReport>(
            make_incoming("am" + std::to_string(host), static_cast<std::uint64_t>(i + 1), sha, 100 + i));
        storage_->ingest_async(incoming, no_anomaly, 1000 + i,
                               [&, sha](std::optional<IngestResult> result, std::exception_ptr error) {
                                 if (error || !result) {
                                   ++failed;
                                 } else {
                                   (result->status == IngestStatus::stored ? stored : duplicates)++;
                                   // A fresh connection: it sees only committed rows.
                                   if (factory_->make()->report_by_report_id("id-" + sha)) ++visible_at_ack;
                                 }
                                 const std::lock_guard lock(mutex);
                                 ++acknowledged;
                                 all_done.notify_all();
                               });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(60), [&] { return acknowledged == kThreads * kEach; }));
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(stored.load(), 6 * kEach);
  EXPECT_EQ(duplicates.load(), 6 * kEach);
  EXPECT_EQ(visible_at_ack.load(), kThreads * kEach);
  EXPECT_EQ(storage_->report_count(), static_cast<std::size_t>(6 * kEach));
}

// The ingest loads only the links the judge can look at (load_history):
// on a 40-report chain with a gap, every kind of arriving report gets the
// verdict judge_chain() gives on the whole chain.
TEST_P(StorageSuite, HistoryAroundTheIncomingReportJudgesLikeTheWholeChain) {
  auto chained = [](std::uint64_t sequence, const std::string& sha, std::optional<std::string> previous,
                    const std::string& report_id = "") {
    IncomingReport in = make_incoming("m9", sequence, sha, static_cast<std::int64_t>(sequence), report_id);
    in.row.previous_sha256 = std::move(previous);
    return in;
  };
  for (std::uint64_t sequence = 1; sequence <= 40; ++sequence) {
    if (sequence >= 20 && sequence <= 24) continue;  // missing: a gap anomaly is opened at 25
    const std::optional<std::string> previous =
        sequence == 1 ? std::nullopt : std::optional<std::string>("n" + std::to_string(sequence - 1));
    storage_->ingest(chained(sequence, "n" + std::to_string(sequence), previous), judge_chain, 100);
  }
  ReportQuery whole_query;
  whole_query.machine_id = "m9";
  whole_query.newest_first = false;
  ChainHistory whole;
  for (const ReportRow& row : storage_->reports(whole_query)) {
    whole.links.push_back({row.id, row.report_id, row.sequence, row.previous_sha256, row.sha256, row.signer_fingerprint,
                           row.received_at});
  }
  std::sort(whole.links.begin(), whole.links.end(), [](const ChainLink& a, const ChainLink& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.id < b.id;
  });
  ASSERT_EQ(whole.links.size(), 35U);
  auto text = [](const Judgement& j) {
    std::string out = j.becomes_current_key ? "key;" : "same key;";
    for (const auto& a : j.anomalies) out += a.kind + ":" + a.detail + ";";
    for (const auto& g : j.gap_updates) {
      out += "fill " + std::to_string(g.anomaly_id) + " " + g.resolution + ";";
      for (const auto& r : g.remaining) out += r.kind + ":" + r.detail + ";";
    }
    return out;
  };
  const std::vector<IncomingReport> probes = {
      chained(41, "p-next", "n40"),                // in order
      chained(45, "p-gap", "x44"),                 // a new gap
      chained(22, "p-late", "n21"),                // fills part of the gap
      chained(21, "p-late-fork", "zz"),            // late, not following 20 (missing) / 22
      chained(26, "p-late-bad", "n25"),            // sequence 26 again
      chained(41, "p-fork", "n30"),                // follows an older report
      chained(41, "p-replay", "n40", "id-n10"),    // an old report id, other bytes
      chained(10, "p-never", "n9", "id-p-never"),  // "missing" but never was
      chained(41, "p-restart", std::nullopt),      // restart: counts every stored report
  };
  int compared = 0;
  for (const IncomingReport& probe : probes) {
    std::string narrowed_verdict, whole_verdict;
    std::size_t links_seen = 0;
    EXPECT_THROW(storage_->ingest(
                     probe,
                     [&](const ChainHistory& history, const IncomingReport& in) -> Judgement {
                       links_seen = history.links.size();
                       ChainHistory all = history;
                       all.links = whole.links;
                       narrowed_verdict = text(judge_chain(history, in));
                       whole_verdict = text(judge_chain(all, in));
                       throw std::runtime_error("compared; store nothing");
                     },
                     200),
                 std::runtime_error);
    EXPECT_EQ(narrowed_verdict, whole_verdict) << probe.row.sha256;
    EXPECT_FALSE(whole_verdict.empty());
    if (probe.row.previous_sha256) {
      EXPECT_LE(links_seen, 7U) << probe.row.sha256;
    } else {
      EXPECT_EQ(links_seen, 35U);
    }
    ++compared;
  }
  EXPECT_EQ(compared, 9);
  EXPECT_EQ(storage_->report_count(), 35U);
}

}  // namespace clinic_audit::collector::test
