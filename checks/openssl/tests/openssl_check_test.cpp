// The check's statuses on fixture roots, with the policy apicrypt-v2's
// parameters (min_level 1, max_level 2).
#include "openssl_check.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <functional>

#include "common/check.hpp"
#include "fixture_root.hpp"

#include "common/context.hpp"
#include "common/root_fs.hpp"
#include "openssl_analysis.hpp"
#include "openssl_fixtures.hpp"
#include "openssl_verdict.hpp"

namespace clinic_audit::openssl {
namespace {

Params apicrypt_params() {
  Params p;
  p.add("min_level", "1");
  p.add("max_level", "2");
  return p;
}

Outcome run_case(const std::string& name, const Params& params = apicrypt_params()) {
  const auto root = testing::build_root(testing::find_case(name));
  RootFs fs(root);
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, {}});
  auto check = make_openssl_check(params, ProbeCommand{CA_OPENSSL_PROBE, {}});
  return check->run(context);
}

bool mentions(const Outcome& o, const std::string& text) {
  if (o.summary.find(text) != std::string::npos) return true;
  for (const auto& e : o.evidence) {
    if (e.observed.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(OpensslCheck, StockDebianPassesOnTheCompiledInLevel) {
  const Outcome o = run_case("debian12-stock");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(mentions(o, "TLS security level 2")) << o.summary;
  EXPECT_TRUE(mentions(o, "compiled-in default")) << o.summary;
}

TEST(OpensslCheck, LevelZeroFailsWithFileAndLine) {
  const Outcome o = run_case("level0");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(mentions(o, "level 0")) << o.summary;
  bool located = false;
  for (const auto& e : o.evidence)
    located =
        located || (e.path == "/etc/ssl/openssl.cnf" && e.line && e.observed == "CipherString = DEFAULT@SECLEVEL=0");
  EXPECT_TRUE(located);
  EXPECT_NE(o.remediation.find("CipherString = DEFAULT@SECLEVEL=2"), std::string::npos) << o.remediation;
  EXPECT_NE(o.remediation.find("[system_default_sect]"), std::string::npos) << o.remediation;
}

TEST(OpensslCheck, LevelsInsideTheRangePass) {
  EXPECT_EQ(run_case("level1").status, Status::pass);
  EXPECT_EQ(run_case("level2-colon").status, Status::pass);
  EXPECT_EQ(run_case("minproto-tls12").status, Status::pass);
}

TEST(OpensslCheck, LevelAboveMaxFails) {
  const Outcome o = run_case("level3");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(mentions(o, "outside security level 1 to 2")) << o.summary;
  Params site;
  site.add("min_level", "1");
  site.add("max_level", "3");
  EXPECT_EQ(run_case("level3", site).status, Status::pass);
}

TEST(OpensslCheck, IncludedLevelZeroIsFoundInTheIncludedFile) {
  const Outcome o = run_case("include-file");
  EXPECT_EQ(o.status, Status::fail);
  bool located = false;
  for (const auto& e : o.evidence) located = located || e.path == "/etc/ssl/openssl.d/tls.cnf";
  EXPECT_TRUE(located);
}

TEST(OpensslCheck, BogusCipherStringFailsForLosingTls12) {
  const Outcome o = run_case("bogus-cipher");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(mentions(o, "no TLS 1.2 (or older) cipher is left")) << o.summary;
  EXPECT_TRUE(mentions(o, "is rejected by OpenSSL")) << o.summary;
}

TEST(OpensslCheck, UnloadableConfigurationFailsWithOpenSSLsError) {
  const Outcome o = run_case("undefined-variable");
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(mentions(o, "variable has no value")) << o.summary;
  const std::string text = testing::debian12_with_system_default("CipherString = DEFAULT@SECLEVEL=$level\n");
  const int last_line = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  bool located = false;
  for (const auto& e : o.evidence) located = located || (e.line && *e.line == last_line);
  EXPECT_TRUE(located) << o.summary;
}

// Issue #21 item 7: a line libssl silently skips is evidence, with its file
// and line; the status follows the policy's criteria (here: the level).
TEST(OpensslCheck, RejectedMinProtocolIsEvidenceTheLevelDecides) {
  Params site;
  site.add("max_level", "3");
  const Outcome o = run_case("minproto-bogus", site);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(mentions(o, "MinProtocol = TLSv9")) << o.summary;
  EXPECT_TRUE(mentions(o, "silently skips")) << o.summary;
  EXPECT_EQ(run_case("minproto-bogus").status, Status::fail) << "level 3 is above the default max_level 2";
}

TEST(OpensslCheck, UnknownCommandIsEvidenceNotAVerdict) {
  const Outcome o = run_case("unknown-command");
  EXPECT_EQ(o.status, Status::pass) << o.summary;  // level 2 compiled in: CipherStrng never applies
  bool located = false;
  for (const auto& e : o.evidence) {
    located = located || (e.path == "/etc/ssl/openssl.cnf" && e.line && e.observed.find("CipherStrng") == 0 &&
                          e.observed.find("unknown command") != std::string::npos);
  }
  EXPECT_TRUE(located) << o.summary;
  EXPECT_NE(o.summary.find("CipherStrng"), std::string::npos) << o.summary;
  const Outcome later = run_case("skipped-then-applied");
  EXPECT_EQ(later.status, Status::pass) << later.summary;  // the CipherString after them applies level 1
  EXPECT_NE(later.summary.find("security level 1"), std::string::npos) << later.summary;
}

TEST(OpensslCheck, NoConfigurationFileUsesDefaults) {
  EXPECT_EQ(run_case("no-config").status, Status::pass);
  EXPECT_EQ(run_case("no-ssl_conf").status, Status::pass);  // the level-0 section is never applied
}

TEST(OpensslCheck, BadParametersAreRejected) {
  Params inverted;
  inverted.add("min_level", "3");
  inverted.add("max_level", "2");
  EXPECT_THROW(make_openssl_check(inverted, default_probe_command()), ParamError);
  Params relative;
  relative.add("config", "etc/ssl/openssl.cnf");
  EXPECT_THROW(make_openssl_check(relative, default_probe_command()), ParamError);
  Params out_of_range;
  out_of_range.add("min_level", "6");
  EXPECT_THROW(make_openssl_check(out_of_range, default_probe_command()), ParamError);
}

TEST(OpensslCheck, BrokenProbeIsAnErrorNotAVerdict) {
  const auto root = testing::build_root(testing::find_case("debian12-stock"));
  RootFs fs(root);
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, {}});
  auto check = make_openssl_check(apicrypt_params(), ProbeCommand{"/bin/false", {}});
  EXPECT_THROW(check->run(context), CheckError);
}

// Live mode: the running library's answer is reported and agrees with the
// file analysis of the same system.
TEST(OpensslCheck, LiveModeReportsTheRunningLibraryAndNoMismatch) {
  RootFs fs("/");
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, {}});
  ASSERT_TRUE(context.live());
  const Outcome o = make_openssl_check(apicrypt_params(), ProbeCommand{CA_OPENSSL_PROBE, {}})->run(context);
  EXPECT_TRUE(o.status == Status::pass || o.status == Status::fail);
  EXPECT_FALSE(mentions(o, "differs from the analysis")) << o.summary;
  const Analysis a = analyze(fs, runner, ProbeCommand{CA_OPENSSL_PROBE, {}}, default_config_path());
  const ProbeResult live = run_probe(runner, ProbeCommand{CA_OPENSSL_PROBE, {}}, ProbeMode::system);
  EXPECT_EQ(live.security_level, a.effective.security_level);
  EXPECT_EQ(live.min_proto, a.effective.min_proto);
  EXPECT_EQ(o.status, judge(a, live, {1, 2}).status);
}

// Issue #20 item 2: each input in turn unreadable is `error` naming it.
TEST(OpensslCheck, UnreadableInputsAreErrorsNamingThem) {
  const std::string main = "/etc/ssl/openssl.cnf";
  const std::string inc = "/etc/ssl/tls.cnf";
  const std::string dir = "/etc/ssl/tls.d";
  const std::string deb = testing::debian12_cnf();
  struct Case {
    std::string name;
    std::function<void(clinic_audit::testing::FixtureRoot&)> plant;
    std::string named;
  };
  const std::vector<Case> cases = {
      {"main_fifo", [&](auto& r) { r.fifo(main); }, main},
      {"main_too_big", [&](auto& r) { r.sparse(main, 64 << 20); }, main},
      {"main_loop", [&](auto& r) { r.symlink(main, main); }, main},
      {"include_fifo", [&](auto& r) { r.file(main, deb + ".include " + inc + "\n").fifo(inc); }, inc},
      {"include_too_big", [&](auto& r) { r.file(main, deb + ".include " + inc + "\n").sparse(inc, 64 << 20); }, inc},
      {"include_loop", [&](auto& r) { r.file(main, deb + ".include " + inc + "\n").symlink(inc, inc); }, inc},
      {"include_dir_fifo", [&](auto& r) { r.file(main, deb + ".include " + dir + "\n").fifo(dir + "/x.cnf"); },
       dir + "/x.cnf"},
  };
  for (const auto& c : cases) {
    clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("openssl-unreadable-" + c.name));
    root.dir("/etc/ssl").symlink("/usr/lib/ssl/openssl.cnf", main);
    c.plant(root);
    RootFs fs(root.path());
    ProcessRunner runner;
    Context context(fs, runner, NetworkSettings{true, std::nullopt, {}});
    auto check = make_openssl_check(apicrypt_params(), ProbeCommand{CA_OPENSSL_PROBE, {}});
    try {
      const Outcome o = check->run(context);
      ADD_FAILURE() << c.name << ": expected an error, got " << to_string(o.status) << ": " << o.summary;
    } catch (const CheckError& e) {
      const std::string where = e.path() + " " + e.what();
      EXPECT_NE(where.find(c.named), std::string::npos) << c.name << ": " << where;
    }
  }
}

// Issue #21 item 9: the line that won and the line that lost, with why.
TEST(OpensslCheck, EvidenceNamesTheOverriddenLine) {
  const Outcome o = run_case("overridden-cipherstring");
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  const std::string text = testing::debian12_with_system_default("");
  const int first = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  bool winner = false, loser = false;
  for (const auto& e : o.evidence) {
    winner = winner || (e.line == first + 2 && e.observed == "CipherString = DEFAULT@SECLEVEL=2");
    loser = loser || (e.line == first && e.observed.find("overridden by /etc/ssl/openssl.cnf:" +
                                                         std::to_string(first + 2)) != std::string::npos);
  }
  EXPECT_TRUE(winner && loser) << o.summary;
}

// Issue #19 item 5: one program start per check, live or --root, with the
// answers the modes gave one program start each.
class CountingRunner final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec& spec) override {
    ++starts;
    return real.run(spec);
  }
  ProcessRunner real;
  int starts = 0;
};

TEST(OpensslProbe, OneProgramStartPerCheckWithTheAnswersOfSeparateStarts) {
  for (const bool live : {false, true}) {
    RootFs fs(live ? std::filesystem::path("/") : testing::build_root(testing::find_case("debian12-stock")));
    CountingRunner runner;
    Context context(fs, runner, NetworkSettings{true, std::nullopt, {}});
    ASSERT_EQ(context.live(), live);
    const Outcome o = make_openssl_check(apicrypt_params(), ProbeCommand{CA_OPENSSL_PROBE, {}})->run(context);
    EXPECT_NE(o.status, Status::error) << o.summary;
    EXPECT_EQ(runner.starts, 1) << (live ? "live" : "--root");
  }
  ProcessRunner runner;
  const ProbeCommand probe{CA_OPENSSL_PROBE, {}};
  const std::string config = "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n"
                             "[sys]\nCipherString = DEFAULT@SECLEVEL=1\nMinProtocol = TLSv1.2\nNoSuchCommand = x\n";
  const auto answers =
      run_probes(runner, probe, {ProbeMode::no_config, ProbeMode::config_stdin, ProbeMode::system}, config);
  ASSERT_EQ(answers.size(), 3u);
  const ProbeResult one[] = {run_probe(runner, probe, ProbeMode::no_config),
                             run_probe(runner, probe, ProbeMode::config_stdin, config),
                             run_probe(runner, probe, ProbeMode::system)};
  for (std::size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(answers[i].result.has_value()) << i << ": " << answers[i].failure.value_or("");
    const ProbeResult& a = *answers[i].result;
    EXPECT_EQ(a.security_level, one[i].security_level) << i;
    EXPECT_EQ(a.min_proto, one[i].min_proto) << i;
    EXPECT_EQ(a.tls12_ciphers, one[i].tls12_ciphers) << i;
    EXPECT_EQ(a.tls13_ciphers, one[i].tls13_ciphers) << i;
    EXPECT_EQ(a.init_ok, one[i].init_ok) << i;
    EXPECT_EQ(a.config_file, one[i].config_file) << i;
    EXPECT_EQ(a.rejected.size(), one[i].rejected.size()) << i;
  }
  // Each mode in a process of its own: the configuration given on stdin
  // does not leak into the defaults nor the system's answer.
  EXPECT_EQ(answers[1].result->security_level, 1);
  EXPECT_EQ(answers[1].result->min_proto, TLS1_2_VERSION);
  ASSERT_EQ(answers[1].result->rejected.size(), 1u);
  EXPECT_EQ(answers[1].result->rejected[0].name, "NoSuchCommand");
  EXPECT_EQ(answers[0].result->min_proto, 0);
  EXPECT_TRUE(answers[0].result->rejected.empty());
}

TEST(OpensslProbe, AMissingAnswerIsAFailureOfThatMode) {
  const auto answers = parse_probe_answers(
      "library=x\ninit=1\nctx=1\n---\nfailed=the probe process for --system died of signal 9\n---\n", 3);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(answers[0].result.has_value());
  EXPECT_EQ(answers[1].failure.value_or(""), "the probe process for --system died of signal 9");
  EXPECT_EQ(answers[2].failure.value_or(""), "the OpenSSL probe printed no result");
}

}  // namespace
}  // namespace clinic_audit::openssl
