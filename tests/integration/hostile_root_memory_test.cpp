// Issue #20 item 4: every run of the shipped policies on any root stays
// under 64 MiB peak RSS and within its check timeouts, each oversized or
// exploding input giving `error` with the reason (or the verdict the real
// program would give) -- never a kill at the memory limit, never a hang.
// Each hostile root below attacks one way; the peak RSS is measured with
// wait4(2) on the agent. A variant over the limit in a check type another
// helper owns is skipped naming that owner.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "fixture_root.hpp"
#include "measured_run.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

constexpr long kMaxRssKib = 64 * 1024;

struct Variant {
  std::string name;
  std::string owner;  // "" = this area (engine, file, exec, RootFs)
  void (*build)(FixtureRoot& root);
  // When set: this check must be `error` and its summary must hold each text.
  std::string error_check = {};
  std::vector<std::string> error_says = {};
};

// The attack of the issue, scaled down to keep the suite fast (the issue
// used 100,000): 10,000 files in sudoers.d that sudo skips (a '.' in the
// name, sudoers(5) @includedir), each naming a grant.
void many_sudoers_files(FixtureRoot& root) {
  const auto dir = root.host("/etc/sudoers.d");
  for (int i = 0; i < 10000; ++i) {
    const auto file = dir / ("skipped." + std::to_string(i));
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0440);
    if (fd < 0) continue;
    const std::string line = "www-data ALL=(ALL) NOPASSWD: ALL\n";
    if (::write(fd, line.data(), line.size()) < 0) {
      ::close(fd);
      continue;
    }
    ::close(fd);
  }
}

// Every file a check reads at once: a FIFO or a 2 GB sparse file.
void fifos_and_sparse_files(FixtureRoot& root) {
  for (const char* path : {"/etc/sudoers", "/etc/php/8.2/apache2/php.ini", "/etc/ssl/openssl.cnf"}) {
    std::filesystem::remove(root.host(path));
    root.fifo(path, 0644);
  }
  for (const char* path : {"/etc/systemd/system/apache2.service", "/etc/systemd/system/compagnonApicrypt.service",
                           "/etc/apache2/apache2.conf", "/etc/hostname", "/etc/os-release"}) {
    std::filesystem::remove(root.host(path));
    root.sparse(path, 2LL * 1024 * 1024 * 1024, 0644);
  }
}

// Apache configuration flood: 2,000 enabled files of SetEnv lines, and the
// passwd/group files just under their 1 MiB read cap (some 20,000 accounts,
// every group listing www-data).
void configuration_flood(FixtureRoot& root) {
  std::string setenv;
  for (int i = 0; i < 100; ++i) setenv += "SetEnv OTHER_" + std::to_string(i) + " /srv/x\n";
  for (int i = 0; i < 2000; ++i) root.file("/etc/apache2/conf-enabled/flood-" + std::to_string(i) + ".conf", setenv);
  std::string passwd = "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n";
  std::string group = "root:x:0:\nwww-data:x:33:\n";
  for (int i = 0; i < 100000 && passwd.size() < 1000000; ++i) {
    passwd += "u" + std::to_string(i) + ":x:" + std::to_string(2000 + i) + ":100::/home/u:/bin/sh\n";
  }
  for (int i = 0; i < 100000 && group.size() < 1000000; ++i)
    group += "g" + std::to_string(i) + ":x:" + std::to_string(2000 + i) + ":www-data\n";
  root.file("/etc/passwd", passwd).file("/etc/group", group);
}

// Symlink chains at the kernel's limit and loops on the checked paths.
void symlink_mazes(FixtureRoot& root) {
  std::filesystem::remove(root.host("/srv/EHR/apicrypt/bin/apicrypt"));
  root.symlink("/srv/EHR/apicrypt/bin/apicrypt", "/l0");
  for (int i = 0; i < 39; ++i) root.symlink("/l" + std::to_string(i), "/l" + std::to_string(i + 1));
  root.file("/l39", "#!/bin/sh\n", 0755);
  std::filesystem::remove(root.host("/etc/sudoers.d/apicrypt"));
  root.symlink("/etc/sudoers.d/apicrypt", "/etc/sudoers.d/loop")
      .symlink("/etc/sudoers.d/loop", "/etc/sudoers.d/apicrypt");
}

// php.ini `${...}` expansion bomb (issue #20 item 4): each line doubles the
// one before, so the last would be 16 x 2^60 bytes; PHP itself expands it
// (zend_ini_parser: ${name} of an earlier directive).
void php_ini_expansion_bomb(FixtureRoot& root) {
  std::string bomb = "[PHP]\nv0 = xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 60; ++i) {
    bomb += "v" + std::to_string(i) + " = ${v" + std::to_string(i - 1) + "}${v" + std::to_string(i - 1) + "}\n";
  }
  bomb += "sys_temp_dir = ${v60}\n";
  root.file("/etc/php/8.2/apache2/php.ini", bomb);
}

const std::vector<Variant>& variants() {
  static const std::vector<Variant> all = {
      {"ManySudoersFiles", "", many_sudoers_files},
      {"FifosAndSparseFiles", "", fifos_and_sparse_files},
      {"ConfigurationFlood", "", configuration_flood},
      {"SymlinkMazes", "", symlink_mazes},
      {"PhpIniExpansionBomb",
       "",
       php_ini_expansion_bomb,
       "apicrypt-v2.php.sys-temp-dir",
       {"/etc/php/8.2/apache2/php.ini", "expan"}},
  };
  return all;
}

class HostileRootMemory : public ::testing::TestWithParam<Variant> {};

TEST_P(HostileRootMemory, ShippedPoliciesStayUnder64MiBAndFinish) {
  const Variant& v = GetParam();
  FixtureRoot root(fixture_dir("root"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  v.build(root);
  const MeasuredRun run =
      run_agent_measured({"run", "--root", root.path().string(), "--policy", "apicrypt-v1", "--policy", "apicrypt-v2",
                          "--policy", "ekermed", "--offline", "--no-sign", "--format", "json"},
                         std::chrono::seconds(120));
  ASSERT_NE(run.exit_code, -2) << "the run did not finish in 120 s";
  // Within the checks' timeouts (30 s each, run concurrently).
  EXPECT_LT(run.wall, std::chrono::seconds(60));
  ASSERT_TRUE(run.exit_code >= 0 && run.exit_code <= 2) << run.exit_code << "\n" << run.err.substr(0, 4000);
  const auto report = parse_report(run.out);
  ASSERT_TRUE(report.is_object());
  for (const auto& r : report["results"]) {
    if (r["status"] == "error") {
      EXPECT_FALSE(r["summary"].get<std::string>().empty()) << r["check_id"] << ": an error says why";
    }
  }
  if (!v.error_check.empty()) {
    const auto r = result_of(report, v.error_check);
    ASSERT_TRUE(r.is_object()) << v.error_check << " is not in the report";
    EXPECT_EQ(r["status"], "error") << r.dump(2);
    for (const auto& text : v.error_says) {
      EXPECT_NE(r["summary"].get<std::string>().find(text), std::string::npos) << "missing: " << text << "\n"
                                                                               << r.dump(2);
    }
  }
  std::cout << v.name << ": peak RSS " << run.max_rss_kib << " KiB, " << run.wall.count() << " ms\n";
  if (run.max_rss_kib >= kMaxRssKib && !kSanitizedBuild) {
    if (v.owner.empty()) {
      ADD_FAILURE() << "peak RSS " << run.max_rss_kib << " KiB, over " << kMaxRssKib << " KiB";
    } else {
      GTEST_SKIP() << "peak RSS " << run.max_rss_kib << " KiB, over " << kMaxRssKib << " KiB: to be fixed by "
                   << v.owner;
    }
  }
}

std::string variant_name(const ::testing::TestParamInfo<Variant>& param) { return param.param.name; }
void PrintTo(const Variant& v, std::ostream* out) { *out << v.name; }

INSTANTIATE_TEST_SUITE_P(Attacks, HostileRootMemory, ::testing::ValuesIn(variants()), variant_name);

}  // namespace
}  // namespace clinic_audit::testing
