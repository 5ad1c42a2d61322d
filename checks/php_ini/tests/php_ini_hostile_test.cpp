// The php_ini check on inputs PHP reads differently from a naive parser
// (issue #21 item 1) and on inputs it cannot read (issue #20 items 2 and 4):
// anything unreadable is `error` naming the file, never pass.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "common/context.hpp"
#include "fixture_root.hpp"
#include "php_ini/php_ini_check.hpp"

namespace clinic_audit {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps its NUL bytes

using testing::FixtureRoot;
using testing::fixture_dir;

class NoCommands final : public CommandRunner {
 public:
  CommandResult run(const CommandSpec&) override { throw CommandError("no command may run"); }
};

// As the pipeline does: an exception from a check is an `error` naming its path.
Outcome run(const FixtureRoot& r, const std::string& sapi = "cli") {
  Params p;
  p.add("directive", "sys_temp_dir");
  p.add("expected", "/tmp");
  p.add("sapi", sapi);
  auto check = php_ini_check_type().create(p);
  RootFs fs(r.path());
  NoCommands runner;
  Context context(fs, runner, {});
  try {
    return check->run(context);
  } catch (const CheckError& e) {
    Outcome o = Outcome::error(e.what());
    o.evidence.push_back({e.path(), e.line(), e.what(), ""});
    return o;
  } catch (const FsError& e) {
    Outcome o = Outcome::error(e.what());
    o.evidence.push_back({e.path(), std::nullopt, e.what(), ""});
    return o;
  }
}

FixtureRoot cli_root(const std::string& name, const std::string& php_ini = "[PHP]\nmemory_limit = 128M\n") {
  FixtureRoot r(fixture_dir(name));
  r.file("/etc/php/8.2/cli/php.ini", php_ini).dir("/etc/php/8.2/cli/conf.d");
  return r;
}

bool evidence_has(const Outcome& o, const std::string& path, std::optional<int> line, const std::string& text) {
  for (const auto& e : o.evidence) {
    if (e.path == path && (!line || e.line == line) && e.observed.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(PhpIniCheckSemantics, ByteOrderMarkIsSkipped) {
  auto r = cli_root("php_sem_bom");
  r.file("/etc/php/8.2/cli/conf.d/90-ehr.ini", "\xEF\xBB\xBFsys_temp_dir = /srv/tmp\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/conf.d/90-ehr.ini", 1, "/srv/tmp")) << o.summary;
}

TEST(PhpIniCheckSemantics, StartupConstantsAreSubstituted) {
  auto r = cli_root("php_sem_constants");
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir = PHP_CONFIG_FILE_PATH\n");
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_NE(o.summary.find("/etc/php/8.2/cli"), std::string::npos) << o.summary;
  // PHP_EXTRA_VERSION is "" on Debian: the directive is empty, as unset.
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir = PHP_EXTRA_VERSION\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  // A name that is no start-up constant stays text.
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir = M_PI\n");
  o = run(r);
  EXPECT_NE(o.summary.find("= M_PI"), std::string::npos) << o.summary;
  // A build-specific constant is named as such.
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir = PHP_VERSION\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/conf.d/50.ini", 1, "depends on the installed PHP build")) << o.summary;
}

TEST(PhpIniCheckSemantics, NulByteDoesNotEndTheFile) {
  auto r = cli_root("php_sem_nul");
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "a = x\0y\nsys_temp_dir = /after/nul\n"s);
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/conf.d/50.ini", 2, "/after/nul")) << o.summary;
}

TEST(PhpIniCheckSemantics, BareSlashTempDirIsIgnoredByPhp) {
  auto r = cli_root("php_sem_slash");
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir = /\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/conf.d/50.ini", 1, "PHP ignores")) << o.summary;
}

TEST(PhpIniCheckSemantics, ArrayFormOfScalarDirectiveIsError) {
  auto r = cli_root("php_sem_array");
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir[] = /tmp\n");
  Outcome o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/conf.d/50.ini", 1, "PHP cannot start")) << o.summary;
  // A later scalar line replaces the array: PHP starts.
  r.file("/etc/php/8.2/cli/conf.d/60.ini", "sys_temp_dir = /tmp\n");
  o = run(r);
  EXPECT_EQ(o.status, Status::pass) << o.summary;
}

// What PHP itself does with the array form: it does not start.
TEST(PhpIniCheckSemantics, PhpRefusesArrayFormOracle) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/php"));
  auto r = cli_root("php_sem_array_oracle", "sys_temp_dir[] = /tmp\n");
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/php";
  spec.args = {"-n", "-c", r.host("/etc/php/8.2/cli/php.ini").string(), "-r", "echo 'started';"};
  spec.env = {{"PATH", "/usr/bin:/bin"}};
  const CommandResult result = runner.run(spec);
  EXPECT_EQ(result.out.find("started"), std::string::npos) << result.out;
}

TEST(PhpIniCheckSemantics, ScanDirIsReadWithoutPhpIni) {
  FixtureRoot r(fixture_dir("php_sem_no_ini"));
  r.file("/etc/php/8.2/cli/conf.d/50.ini", "sys_temp_dir = /srv/tmp\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
}

TEST(PhpIniCheckSemantics, SapiSpecificIniFileWinsOverPhpIni) {
  auto r = cli_root("php_sem_php_cli_ini", "sys_temp_dir = /tmp\n");
  r.file("/etc/php/8.2/cli/php-cli.ini", "sys_temp_dir = /srv/cli\n");
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/php-cli.ini", 1, "/srv/cli")) << o.summary;
}

TEST(PhpIniCheckSemantics, EvidenceNamesTheLineThatLost) {
  auto r = cli_root("php_sem_losers", "sys_temp_dir = /tmp\n");
  r.file("/etc/php/8.2/cli/conf.d/90-ehr.ini", "sys_temp_dir = /srv/tmp\n");
  const Outcome o = run(r);
  ASSERT_EQ(o.status, Status::fail);
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/cli/php.ini", 1, "overridden: /etc/php/8.2/cli/conf.d/90-ehr.ini:1"))
      << o.summary;
}

TEST(PhpIniCheckSemantics, PoolEvidenceSaysWhichOverrideWonAndWhy) {
  FixtureRoot r(fixture_dir("php_sem_pool_losers"));
  r.file("/etc/php/8.2/fpm/php.ini", "sys_temp_dir = /tmp\n").dir("/etc/php/8.2/fpm/conf.d");
  r.file("/etc/php/8.2/fpm/php-fpm.conf", "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n");
  r.file("/etc/php/8.2/fpm/pool.d/www.conf",
         "[www]\nphp_admin_value[sys_temp_dir] = /srv/admin\nphp_value[sys_temp_dir] = /srv/user\n");
  const Outcome o = run(r, "fpm");
  ASSERT_EQ(o.status, Status::fail) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/fpm/php.ini", 1, "overridden by php_admin_value[sys_temp_dir] of pool www"))
      << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/fpm/pool.d/www.conf", 3, "cannot be changed by php_value")) << o.summary;
  EXPECT_TRUE(evidence_has(o, "/etc/php/8.2/fpm/pool.d/www.conf", 2, "/srv/admin")) << o.summary;
}

// Issue #20 item 2: each input in turn made unreadable.
TEST(PhpIniCheckUnreadable, EveryUnreadableInputIsErrorNamingIt) {
  const std::string ini = "/etc/php/8.2/cli/php.ini";
  const std::string conf = "/etc/php/8.2/cli/conf.d/50-ehr.ini";
  struct Case {
    std::string name;
    std::function<void(FixtureRoot&)> plant;
    std::string named;
  };
  const std::vector<Case> cases = {
      {"ini_fifo",
       [&](FixtureRoot& r) {
         std::filesystem::remove(r.host(ini));
         r.fifo(ini);
       },
       ini},
      {"ini_dir",
       [&](FixtureRoot& r) {
         std::filesystem::remove(r.host(ini));
         r.dir(ini);
       },
       ini},
      {"ini_too_big",
       [&](FixtureRoot& r) {
         std::filesystem::remove(r.host(ini));
         r.sparse(ini, 64 << 20);
       },
       ini},
      {"ini_loop",
       [&](FixtureRoot& r) {
         std::filesystem::remove(r.host(ini));
         r.symlink(ini, ini);
       },
       ini},
      {"conf_too_big", [&](FixtureRoot& r) { r.sparse(conf, 64 << 20); }, conf},
      {"conf_loop", [&](FixtureRoot& r) { r.symlink(conf, conf); }, conf},
      {"confd_loop",
       [&](FixtureRoot& r) {
         std::filesystem::remove_all(r.host("/etc/php/8.2/cli/conf.d"));
         r.symlink("/etc/php/8.2/cli/conf.d", "/etc/php/8.2/cli/conf.d");
       },
       "/etc/php/8.2/cli/conf.d"},
  };
  for (const auto& c : cases) {
    auto r = cli_root("php_unreadable_" + c.name);
    c.plant(r);
    const auto start = std::chrono::steady_clock::now();
    const Outcome o = run(r);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << c.name;
    EXPECT_EQ(o.status, Status::error) << c.name << ": " << o.summary;
    EXPECT_NE(o.summary.find(c.named), std::string::npos) << c.name << ": " << o.summary;
  }
}

TEST(PhpIniCheckUnreadable, FpmPoolIncludeThatIsAFifoIsError) {
  FixtureRoot r(fixture_dir("php_unreadable_pool"));
  r.file("/etc/php/8.2/fpm/php.ini", "").dir("/etc/php/8.2/fpm/conf.d");
  r.file("/etc/php/8.2/fpm/php-fpm.conf", "[global]\ninclude=/etc/php/8.2/fpm/pool.d/*.conf\n");
  r.fifo("/etc/php/8.2/fpm/pool.d/www.conf");
  const Outcome o = run(r, "fpm");
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_NE(o.summary.find("/etc/php/8.2/fpm/pool.d/www.conf"), std::string::npos) << o.summary;
}

// Issue #20 item 4: "b = ${a}${a}" doubling per line would need 2^60 bytes.
TEST(PhpIniCheckUnreadable, ExpansionBombIsErrorWithTheReason) {
  std::string bomb = "v0 = xxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 60; ++i) {
    bomb += "v" + std::to_string(i) + " = ${v" + std::to_string(i - 1) + "}${v" + std::to_string(i - 1) + "}\n";
  }
  bomb += "sys_temp_dir = /tmp\n";
  auto r = cli_root("php_bomb");
  r.file("/etc/php/8.2/cli/conf.d/50.ini", bomb);
  const auto start = std::chrono::steady_clock::now();
  const Outcome o = run(r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_NE(o.summary.find("/etc/php/8.2/cli/conf.d/50.ini"), std::string::npos) << o.summary;
  EXPECT_NE(o.summary.find("expansion"), std::string::npos) << o.summary;
}

// Issue #20 item 4: many large files are refused as a whole, not all kept.
TEST(PhpIniCheckUnreadable, TooMuchTextInAllIsError) {
  auto r = cli_root("php_too_much_text");
  const std::string big(3 * 1024 * 1024, ';');  // comments: 3 MiB each, under the per-file cap
  for (int i = 0; i < 7; ++i) r.file("/etc/php/8.2/cli/conf.d/" + std::to_string(10 + i) + ".ini", big);
  const Outcome o = run(r);
  EXPECT_EQ(o.status, Status::error) << o.summary;
  EXPECT_NE(o.summary.find("exceed"), std::string::npos) << o.summary;
}

}  // namespace
}  // namespace clinic_audit
