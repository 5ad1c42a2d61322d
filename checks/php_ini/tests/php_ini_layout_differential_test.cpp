// Differential test of the per-SAPI file layout against PHP itself: php.ini
// plus a scan directory (PHP_INI_SCAN_DIR, Debian's conf.d), read in PHP's
// order, ${VAR} across files, sections across files. Our load_sapi() must end
// with the value `php -c php.ini` (scan dir in its environment) reports.
#include <gtest/gtest.h>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "php_ini/php_ini_sources.hpp"

namespace clinic_audit::php {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps its NUL bytes

using testing::FixtureRoot;

constexpr const char* kNoFile = "<no file>";

struct Layout {
  std::string name;
  std::string php_ini;                                      // kNoFile: none
  std::vector<std::pair<std::string, std::string>> conf_d;  // file name, content
  std::string php_cli_ini = kNoFile;                        // php-cli.ini next to php.ini
};

const std::vector<Layout> kLayouts = {
    {"later_file_wins",
     "sys_temp_dir = /a\n",
     {{"10-x.ini", "sys_temp_dir = /b\n"}, {"20-y.ini", "sys_temp_dir = /c\n"}}},
    {"byte_order", "", {{"a.ini", "sys_temp_dir = /lower\n"}, {"B.ini", "sys_temp_dir = /upper\n"}}},
    {"digits_before_letters", "", {{"ehr.ini", "sys_temp_dir = /ehr\n"}, {"99-z.ini", "sys_temp_dir = /z\n"}}},
    {"only_ini_suffix",
     "sys_temp_dir = /main\n",
     {{"50-a.conf", "sys_temp_dir = /conf\n"}, {"60-b.ini.bak", "sys_temp_dir = /bak\n"}}},
    {"variable_from_earlier_file", "base = /srv\n", {{"20.ini", "sys_temp_dir = ${base}/tmp\n"}}},
    {"variable_from_later_file_unknown", "sys_temp_dir = \"${late}/x\"\n", {{"20.ini", "late = /l\n"}}},
    {"syntax_error_stops_one_file_only",
     "sys_temp_dir = /main\n",
     {{"10.ini", "sys_temp_dir = /ten\nx = \"open\nsys_temp_dir = /never\n"}, {"20.ini", "y = 1\n"}}},
    {"path_section_in_main_file", "[PATH=/var/www]\nsys_temp_dir = /p\n", {{"20.ini", "sys_temp_dir = /after\n"}}},
    {"path_section_in_scan_file",
     "sys_temp_dir = /main\n",
     {{"10.ini", "[HOST=example.org]\nsys_temp_dir = /h\n"}, {"20.ini", "[PHP]\nsys_temp_dir = /twenty\n"}}},
    {"empty_resets", "sys_temp_dir = /main\n", {{"10.ini", "sys_temp_dir =\n"}}},
    // Issue #21 item 1: no php.ini at all, the scan directory is still read.
    {"no_php_ini", kNoFile, {{"10.ini", "sys_temp_dir = /scan-only\n"}}},
    {"bom_in_scan_file", "", {{"10.ini", "\xEF\xBB\xBFsys_temp_dir = /bom\n"}}},
    {"nul_in_scan_file", "", {{"10.ini", "a = x\0y\nsys_temp_dir = /after-nul\n"s}}},
    {"constant_in_scan_file", "", {{"10.ini", "sys_temp_dir = PHP_CONFIG_FILE_SCAN_DIR\n"}}},
    {"sapi_named_file_wins", "sys_temp_dir = /php-ini\n", {}, "sys_temp_dir = /php-cli-ini\n"},
    {"array_then_scalar", "sys_temp_dir[] = /a\n", {{"10.ini", "sys_temp_dir = /scalar\n"}}},
};

std::string php_value(const FixtureRoot& root) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/php";
  // -c DIR: PHP looks for php-cli.ini, then php.ini, in DIR.
  spec.args = {"-c", root.host("/etc/php/8.2/cli").string(), "-r",
               "$v = get_cfg_var('sys_temp_dir'); echo $v === false ? '<unset>' : '=' . $v;"};
  spec.env = {{"PATH", "/usr/bin:/bin"},
              {"LANG", "C"},
              {"PHP_INI_SCAN_DIR", root.host("/etc/php/8.2/cli/conf.d").string()}};
  return runner.run(spec).out;
}

std::string our_value(const FixtureRoot& root) {
  RootFs fs(root.path());
  const auto config = load_sapi(fs, "8.2", "cli");
  if (!config) return "<no config>";
  std::optional<std::string> value;
  for (const auto& file : config->files) {
    for (const auto& e : file.parsed.entries) {
      if (e.key == "sys_temp_dir" && !e.offset && !e.special_section) value = e.value;
    }
  }
  return value ? "=" + *value : "<unset>";
}

TEST(PhpIniLayoutDifferential, ScanDirOrderAndVariablesMatchPhp) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/php")) << "install php-cli (scripts/deps/systemd_php.list)";
  for (const auto& layout : kLayouts) {
    FixtureRoot root(testing::fixture_dir("php_layout_" + layout.name));
    root.dir("/etc/php/8.2/cli/conf.d");
    if (layout.php_ini != kNoFile) root.file("/etc/php/8.2/cli/php.ini", layout.php_ini);
    if (layout.php_cli_ini != kNoFile) root.file("/etc/php/8.2/cli/php-cli.ini", layout.php_cli_ini);
    for (const auto& [name, content] : layout.conf_d) root.file("/etc/php/8.2/cli/conf.d/" + name, content);
    EXPECT_EQ(our_value(root), php_value(root)) << layout.name;
  }
}

}  // namespace
}  // namespace clinic_audit::php
