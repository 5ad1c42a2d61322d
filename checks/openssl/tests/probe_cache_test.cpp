// The OpenSSL probe's answers kept between runs (issue #19 item 5,
// probe_cache.hpp): a change to any input runs the probe again; an entry that
// is not a root-owned (the effective user's) 0600 file, or that does not
// parse, is never used; the check's outcome is the same with and without.
#include "probe_cache.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <functional>
#include <fstream>
#include <sstream>

#include "common/context.hpp"
#include "common/root_fs.hpp"
#include "openssl_analysis.hpp"
#include "openssl_check.hpp"
#include "cache_entry_files.hpp"
#include "needs_root.hpp"
#include "openssl_fixtures.hpp"

namespace clinic_audit::openssl {
namespace {

namespace fs = std::filesystem;

class CountingRunner final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec& spec) override {
    ++starts;
    return real.run(spec);
  }
  ProcessRunner real;
  int starts = 0;
};

// Every field of an analysis the check's verdict and evidence come from.
std::string describe(const ProbeResult& r) {
  std::string out = r.library + "|" + r.config_file + "|" + std::to_string(r.init_ok) + std::to_string(r.ctx_ok) + "|" +
                    std::to_string(r.security_level) + "|" + std::to_string(r.min_proto) + "|" +
                    std::to_string(r.max_proto) + "|" + std::to_string(r.tls12_ciphers) + "|" +
                    std::to_string(r.tls13_ciphers) + "|" + r.init_error + "|" + r.error;
  for (const auto& c : r.rejected) out += "|rejected " + c.name + "=" + c.value + ":" + c.error;
  return out;
}
std::string describe(const Analysis& a) {
  return describe(a.defaults) + "\n" + describe(a.effective) + "\n" + a.level_source;
}
std::string describe(const Outcome& o) {
  std::string out = std::string(to_string(o.status)) + "|" + o.summary + "|" + o.remediation;
  for (const auto& e : o.evidence) {
    out += "\n" + e.path + ":" + std::to_string(e.line.value_or(0)) + " " + e.observed + " / " + e.expected;
  }
  for (const auto& c : o.remediation_commands) out += "\n$ " + c;
  return out;
}

// Paths of the shared objects the probe lists, the ones whose name contains `part`.
std::string loaded_object(const std::string& output, const std::string& part) {
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("object=") && line.find(part) != std::string::npos) return line.substr(7);
  }
  return {};
}

// A root of its own (the shared fixture roots are used by tests running in
// parallel): Debian's file with `system_default` holding `lines`.
fs::path make_root(const fs::path& at, const std::string& lines) {
  fs::create_directories(at / "etc/ssl");
  std::ofstream(at / "etc/ssl/openssl.cnf", std::ios::binary) << testing::debian12_with_system_default(lines);
  return at;
}

class ProbeCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = private_test_dir("ca-probe-cache");
    settings_.directory = dir_ / "state" / "cache";
    settings_.racy_margin = std::chrono::milliseconds(0);
    settings_.loader_files = {dir_ / "ld.so.cache", dir_ / "ld.so.preload"};
    write_text(dir_ / "ld.so.cache", "loader cache stand-in", 0644);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Analysis analyze_root(const fs::path& root, const ProbeCommand& probe, CacheOutcome* outcome,
                        bool with_cache = true) {
    RootFs rootfs(root);
    std::optional<ProbeCacheSettings> cache;
    if (with_cache) {
      cache = settings_;
      cache->root = root.string();
    }
    return analyze(rootfs, runner_, probe, "/etc/ssl/openssl.cnf", false, cache, outcome);
  }

  // The one entry of the cache directory.
  fs::path entry() const {
    fs::path found;
    for (const auto& e : fs::directory_iterator(settings_.directory)) found = e.path();
    return found;
  }

  fs::path dir_;
  ProbeCacheSettings settings_;
  CountingRunner runner_;
};

TEST_F(ProbeCacheTest, ASecondRunIsAnsweredFromTheCacheWithTheSameAnalysisAndOutcome) {
  const auto root = make_root(dir_ / "root", "CipherString = DEFAULT@SECLEVEL=0\n");
  const ProbeCommand probe{CA_OPENSSL_PROBE, {}};
  CacheOutcome outcome{};
  const Analysis fresh = analyze_root(root, probe, &outcome, /*with_cache=*/false);
  EXPECT_EQ(outcome, CacheOutcome::not_cacheable);
  const Analysis first = analyze_root(root, probe, &outcome);
  EXPECT_EQ(outcome, CacheOutcome::miss_stored);
  EXPECT_EQ(runner_.starts, 2);
  const Analysis second = analyze_root(root, probe, &outcome);
  EXPECT_EQ(outcome, CacheOutcome::hit);
  EXPECT_EQ(runner_.starts, 2) << "the cached answer still ran the probe";
  EXPECT_EQ(describe(second), describe(fresh));
  EXPECT_EQ(describe(first), describe(fresh));
  EXPECT_EQ(second.effective.security_level, 0);

  struct stat st {};
  ASSERT_EQ(::stat(entry().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  ASSERT_EQ(::stat(settings_.directory.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // The whole check, through its Context, with the cache and without: the
  // same status, summary, evidence and remediation; the cached run starts nothing.
  Params params;
  params.add("min_level", "1");
  params.add("max_level", "2");
  params.add("config", "/etc/ssl/openssl.cnf");
  RootFs rootfs(root);
  CountingRunner plain_runner;
  Context plain(rootfs, plain_runner, NetworkSettings{true, std::nullopt, {}});
  CountingRunner cached_runner;
  Context cached(rootfs, cached_runner, NetworkSettings{true, std::nullopt, {}});
  cached.set_cache_directory(settings_.directory);
  const std::string without = describe(make_openssl_check(params, probe)->run(plain));
  EXPECT_EQ(plain_runner.starts, 1);
  EXPECT_NE(without.find("fail"), std::string::npos) << without;
  // The check keys on the real loader files and keeps the default racy
  // margin (2 s): its second run is answered from the cache when the probe
  // program is older than that.
  for (int run = 0; run < 2; ++run) EXPECT_EQ(describe(make_openssl_check(params, probe)->run(cached)), without) << run;
  ASSERT_EQ(::stat(CA_OPENSSL_PROBE, &st), 0);
  if (st.st_ctim.tv_sec + 3 < ::time(nullptr)) {
    EXPECT_EQ(cached_runner.starts, 1) << "the check did not use the cached answer";
  }
}

TEST_F(ProbeCacheTest, AChangeToEachInputRunsTheProbeAgain) {
  // The probe, run by the dynamic loader with copies of libssl and libcrypto,
  // so that the test can change "the library actually loaded".
  const fs::path probe_copy = dir_ / "clinic-audit-openssl-probe";
  fs::copy_file(CA_OPENSSL_PROBE, probe_copy);
  ProcessRunner plain;
  const std::string listing = run_probe_program(plain, {probe_copy, {}}, {ProbeMode::no_config}, "");
  const std::string loader = loaded_object(listing, "/ld-linux");
  const std::string libssl = loaded_object(listing, "/libssl.so");
  const std::string libcrypto = loaded_object(listing, "/libcrypto.so");
  ASSERT_FALSE(loader.empty() || libssl.empty() || libcrypto.empty()) << listing;
  fs::create_directories(dir_ / "lib");
  const fs::path ssl_copy = dir_ / "lib" / fs::path(libssl).filename();
  const fs::path crypto_copy = dir_ / "lib" / fs::path(libcrypto).filename();
  fs::copy_file(libssl, ssl_copy);
  fs::copy_file(libcrypto, crypto_copy);
  const ProbeCommand probe{loader, {"--library-path", (dir_ / "lib").string(), probe_copy.string()}};
  const std::string through_loader = run_probe_program(plain, probe, {ProbeMode::no_config}, "");
  ASSERT_EQ(loaded_object(through_loader, "/libcrypto.so"), crypto_copy.string()) << through_loader;

  const auto root = make_root(dir_ / "root", "CipherString = DEFAULT@SECLEVEL=3\n");
  const auto other_root = make_root(dir_ / "same-root-elsewhere", "CipherString = DEFAULT@SECLEVEL=3\n");
  CacheOutcome outcome{};
  const std::string reference = describe(analyze_root(root, probe, &outcome, false));
  auto expect_run_then_cached = [&](const std::string& what, const fs::path& audited) {
    const int before = runner_.starts;
    Analysis a = analyze_root(audited, probe, &outcome);
    EXPECT_EQ(outcome, CacheOutcome::miss_stored) << what;
    EXPECT_EQ(runner_.starts, before + 1) << what << ": the probe did not run";
    analyze_root(audited, probe, &outcome);
    EXPECT_EQ(outcome, CacheOutcome::hit) << what << ": not cached afterwards";
    EXPECT_EQ(runner_.starts, before + 1) << what;
    return a;
  };
  auto touch = [](const fs::path& path) {
    const timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
  };
  EXPECT_EQ(describe(expect_run_then_cached("first run", root)), reference);

  touch(probe_copy);
  EXPECT_EQ(describe(expect_run_then_cached("probe program changed", root)), reference);
  touch(crypto_copy);
  EXPECT_EQ(describe(expect_run_then_cached("libcrypto changed", root)), reference);
  touch(ssl_copy);
  expect_run_then_cached("libssl changed", root);
  ::chmod(ssl_copy.c_str(), 0755);
  expect_run_then_cached("libssl's mode changed", root);
  write_text(dir_ / "ld.so.cache", "another loader cache", 0644);
  expect_run_then_cached("ld.so.cache changed", root);
  write_text(dir_ / "ld.so.preload", "", 0644);
  expect_run_then_cached("ld.so.preload appeared", root);
  expect_run_then_cached("another root", other_root);
  // The configuration text: the same root with another system_default.
  const fs::path cnf = root / "etc/ssl/openssl.cnf";
  ASSERT_FALSE(fs::is_symlink(cnf));
  const std::string original = read_text(cnf);
  std::string edited = original;
  const auto at = edited.find("@SECLEVEL=3");
  ASSERT_NE(at, std::string::npos) << original;
  edited.replace(at, 11, "@SECLEVEL=1");
  write_text(cnf, edited, 0644);
  const Analysis level1 = expect_run_then_cached("configuration changed", root);
  EXPECT_EQ(level1.effective.security_level, 1);
  write_text(cnf, original, 0644);
  analyze_root(root, probe, &outcome);
  EXPECT_EQ(outcome, CacheOutcome::hit) << "the first configuration's entry is still valid";
  EXPECT_EQ(describe(analyze_root(root, probe, &outcome)), reference);
}

TEST_F(ProbeCacheTest, TheAuditorsEnvironmentDoesNotReachTheProbe) {
  // The key holds the probe's environment, which is the fixed minimal one:
  // the agent's own OPENSSL_CONF does not change what the probe answers.
  const ProbeCommand probe{CA_OPENSSL_PROBE, {}};
  EXPECT_TRUE(probe_spec(probe, {ProbeMode::system}, "").env.empty());
  ProcessRunner plain;
  const ProbeResult before = run_probe(plain, probe, ProbeMode::system);
  write_text(dir_ / "env.cnf",
             "openssl_conf = i\n[i]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nMinProtocol = TLSv1.3\n");
  ::setenv("OPENSSL_CONF", (dir_ / "env.cnf").c_str(), 1);
  const ProbeResult after = run_probe(plain, probe, ProbeMode::system);
  ::unsetenv("OPENSSL_CONF");
  EXPECT_EQ(describe(after), describe(before));
  EXPECT_NE(after.config_file, (dir_ / "env.cnf").string());
}

TEST_F(ProbeCacheTest, HostileOrCorruptEntriesAreNeverTrusted) {
  CA_REQUIRE_ROOT();
  const auto root = make_root(dir_ / "root", "CipherString = DEFAULT@SECLEVEL=0\n");
  const ProbeCommand probe{CA_OPENSSL_PROBE, {}};
  CacheOutcome outcome{};
  analyze_root(root, probe, &outcome);
  ASSERT_EQ(outcome, CacheOutcome::miss_stored);
  const fs::path path = entry();
  const std::string good = read_text(path);
  // A forgery that would turn the failing level 0 into a passing level 2.
  std::string forged = good;
  for (std::size_t at = 0; (at = forged.find("security_level=0", at)) != std::string::npos;) forged[at + 15] = '2';
  ASSERT_NE(forged, good);
  // The control: written as the agent writes its entries, the forgery is
  // used (so each refusal below is the trust rule at work, not a parse error).
  write_text(path, forged);
  EXPECT_EQ(analyze_root(root, probe, &outcome).effective.security_level, 2);
  EXPECT_EQ(outcome, CacheOutcome::hit);

  struct Case {
    std::string name;
    std::function<void()> plant;
  };
  const fs::path elsewhere = dir_ / "forged";
  std::string bad_object = forged;
  const auto object = bad_object.find("\nobject ");
  ASSERT_NE(object, std::string::npos);
  bad_object[object + 8] = bad_object[object + 8] == '9' ? '8' : '9';
  const std::vector<Case> cases = {
      {"mode 0644", [&] { write_text(path, forged, 0644); }},
      {"mode 0640", [&] { write_text(path, forged, 0640); }},
      {"another owner",
       [&] {
         write_text(path, forged);
         ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
       }},
      {"a symlink",
       [&] {
         write_text(elsewhere, forged);
         fs::remove(path);
         fs::create_symlink(elsewhere, path);
       }},
      {"a hard link",
       [&] {
         write_text(elsewhere, forged);
         fs::remove(path);
         fs::create_hard_link(elsewhere, path);
       }},
      {"truncated", [&] { write_text(path, forged.substr(0, forged.size() - 5)); }},
      {"garbage", [&] { write_text(path, std::string(4096, '\x01')); }},
      {"empty", [&] { write_text(path, ""); }},
      {"trailing bytes", [&] { write_text(path, forged + "x"); }},
      {"a library identity that does not match", [&] { write_text(path, bad_object); }},
      {"a directory",
       [&] {
         fs::remove(path);
         fs::create_directory(path);
       }},
      {"cache directory writable by others",
       [&] {
         write_text(path, forged);
         ::chmod(settings_.directory.c_str(), 0777);
       }},
      {"cache directory owned by another user",
       [&] {
         write_text(path, forged);
         ASSERT_EQ(::chown(settings_.directory.c_str(), 65534, 65534), 0);
       }},
      {"state directory writable by others",
       [&] {
         write_text(path, forged);
         ::chmod(settings_.directory.parent_path().c_str(), 0777);
       }},
  };
  for (const auto& c : cases) {
    c.plant();
    const int before = runner_.starts;
    const Analysis a = analyze_root(root, probe, &outcome);
    EXPECT_NE(outcome, CacheOutcome::hit) << c.name;
    EXPECT_EQ(runner_.starts, before + 1) << c.name << ": the probe did not run";
    EXPECT_EQ(a.effective.security_level, 0) << c.name << ": the forged answer was used";
    // Back to a trusted state for the next case.
    ::chmod(settings_.directory.parent_path().c_str(), 0700);
    ::chown(settings_.directory.c_str(), ::geteuid(), ::getegid());
    ::chmod(settings_.directory.c_str(), 0700);
    fs::remove_all(path);
    fs::remove(elsewhere);
  }
}

TEST_F(ProbeCacheTest, RacyFilesLiveAnswersAndFileCommandsAreNotCached) {
  const auto root = make_root(dir_ / "root", "CipherString = DEFAULT@SECLEVEL=0\n");
  // A probe program changed just now: its ctime cannot be told apart from a
  // change during the run, so nothing is written.
  const fs::path probe_copy = dir_ / "clinic-audit-openssl-probe";
  fs::copy_file(CA_OPENSSL_PROBE, probe_copy);
  settings_.racy_margin = std::chrono::milliseconds(60000);
  CacheOutcome outcome{};
  analyze_root(root, {probe_copy, {}}, &outcome);
  EXPECT_EQ(outcome, CacheOutcome::miss_not_stored);
  EXPECT_TRUE(fs::is_empty(settings_.directory));
  settings_.racy_margin = std::chrono::milliseconds(0);

  // The live system's answer depends on files the key does not hold.
  ProcessRunner plain;
  run_probes_cached(plain, {CA_OPENSSL_PROBE, {}}, {ProbeMode::no_config, ProbeMode::system}, "", settings_, true,
                    &outcome);
  EXPECT_EQ(outcome, CacheOutcome::not_cacheable);

  // A chain with a command that reads one of the auditor's files.
  EXPECT_TRUE(is_cacheable_command("CipherString"));
  EXPECT_TRUE(is_cacheable_command("prefix.minprotocol"));
  EXPECT_FALSE(is_cacheable_command("VerifyCAFile"));
  EXPECT_FALSE(is_cacheable_command("Certificate"));
  EXPECT_FALSE(is_cacheable_command("NoSuchCommand"));
  const fs::path cert_root = dir_ / "cert-root";
  fs::create_directories(cert_root / "etc/ssl");
  write_text(cert_root / "etc/ssl/openssl.cnf",
             "openssl_conf = i\n[i]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nCipherString = "
             "DEFAULT@SECLEVEL=2\nVerifyCAFile = /etc/ssl/certs/ca-certificates.crt\n",
             0644);
  analyze_root(cert_root, {CA_OPENSSL_PROBE, {}}, &outcome);
  EXPECT_EQ(outcome, CacheOutcome::not_cacheable);
  EXPECT_TRUE(fs::is_empty(settings_.directory));
}

}  // namespace
}  // namespace clinic_audit::openssl
