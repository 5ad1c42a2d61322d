// Differential test against PHP itself: for every file of
// tests/fixtures/php_ini/cases/, the values our parser finds must be the ones
// `php -n -c FILE` loads (get_cfg_var() for every key we report, and
// ini_get("sys_temp_dir")), and a syntax error must be one for both.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "php_ini/php_ini_parser.hpp"
#include "php_ini/php_ini_sources.hpp"

namespace clinic_audit::php {
namespace {

namespace fs = std::filesystem;

// The environment both PHP and our ${VAR} lookup see.
const std::map<std::string, std::string> kEnv = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                                                 {"LANG", "C"},
                                                 {"HOME", "/home/fixture"}};

// Prints, per key given after --, "=" + hex(value), "-" when unset, "A" for
// an array; then sys_temp_dir as ini_get() returns it.
constexpr const char* kProbe = "foreach (array_slice($argv, 1) as $k) { $v = get_cfg_var($k);"
                               " echo 'K:', is_array($v) ? 'A' : ($v === false ? '-' : '=' . bin2hex($v)), \"\\n\"; }"
                               " echo 'T:', bin2hex((string) ini_get('sys_temp_dir')), \"\\n\";"
                               " echo 'D:', bin2hex(sys_get_temp_dir()), \"\\n\";";

// The constants whose value depends on the exact PHP build, as this php has them.
std::map<std::string, std::string> build_constants() {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/php";
  spec.args = {"-n", "-r",
               "foreach (['PHP_VERSION', 'PHP_RELEASE_VERSION', 'PHP_VERSION_ID', 'PHP_BINARY'] as $c)"
               " echo $c, '=', constant($c), \"\\n\";"};
  spec.env = kEnv;
  std::map<std::string, std::string> out;
  std::istringstream lines(runner.run(spec).out);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::string hex(const std::string& s) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

struct PhpView {
  std::vector<std::string> keys;  // "=hex", "-" or "A", in the order asked
  std::string temp_dir_hex;
  std::string used_temp_dir_hex;  // sys_get_temp_dir()
  bool syntax_error = false;
  std::string raw;
};

PhpView ask_php(const fs::path& file, const std::vector<std::string>& keys) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/php";
  spec.args = {"-n", "-c", file.string(), "-r", kProbe, "--"};
  spec.args.insert(spec.args.end(), keys.begin(), keys.end());
  spec.env = kEnv;
  const CommandResult r = runner.run(spec);
  PhpView view;
  view.raw = r.out + r.err;
  view.syntax_error = view.raw.find("syntax error") != std::string::npos;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("K:", 0) == 0) view.keys.push_back(line.substr(2));
    if (line.rfind("T:", 0) == 0) view.temp_dir_hex = line.substr(2);
    if (line.rfind("D:", 0) == 0) view.used_temp_dir_hex = line.substr(2);
  }
  return view;
}

TEST(PhpIniDifferential, ValuesMatchPhp) {
  ASSERT_TRUE(fs::exists("/usr/bin/php")) << "install php-cli (scripts/deps/systemd_php.list)";
  const fs::path dir = testing::source_dir() / "tests/fixtures/php_ini/cases";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 30u);
  const auto release = build_constants();
  ASSERT_EQ(release.size(), 4u);
  IniParseOptions options;
  options.variables = [](std::string_view name) -> std::optional<std::string> {
    auto it = kEnv.find(std::string(name));
    if (it == kEnv.end()) return std::nullopt;
    return it->second;
  };
  options.constants = [&release](std::string_view name) -> std::optional<ConstantValue> {
    auto value = startup_constant(name, PhpBuild{"8.2", "cli"});
    if (value && value->build_specific) value = ConstantValue{release.at(std::string(name)), false};
    return value;
  };

  int compared_values = 0, files_with_errors = 0, files_with_temp_dir = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    const IniFile parsed = parse_php_ini(text.str(), options);
    // Our final scalar value of every key (arrays and [PATH=]/[HOST=] entries
    // do not reach get_cfg_var()).
    std::map<std::string, std::string> ours;
    std::set<std::string> arrays;
    for (const auto& e : parsed.entries) {
      if (e.offset) arrays.insert(e.key);
      else if (!e.special_section) ours[e.key] = e.value;
    }
    std::vector<std::string> keys;
    for (const auto& [k, v] : ours) {
      // A key with a NUL byte cannot be passed in argv.
      if (!arrays.count(k) && !k.empty() && k.front() != '-' && k.find('\0') == std::string::npos) keys.push_back(k);
    }
    keys.push_back("sys_temp_dir");
    const PhpView php = ask_php(file, keys);
    const std::string name = file.filename().string();
    EXPECT_EQ(parsed.error.has_value(), php.syntax_error)
        << name << ": syntax error disagreement; php said: " << php.raw
        << (parsed.error ? " / we said line " + std::to_string(parsed.error->line) + ": " + parsed.error->message : "");
    files_with_errors += php.syntax_error ? 1 : 0;
    ASSERT_EQ(php.keys.size(), keys.size()) << name << ": " << php.raw;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      auto it = ours.find(keys[i]);
      std::string expected = it == ours.end() ? "-" : "=" + hex(it->second);
      // The probe runs the CLI SAPI, which forces a few directives.
      const auto& forced = cli_forced_directives();
      if (auto f = forced.find(keys[i]); f != forced.end()) expected = "=" + hex(f->second);
      EXPECT_EQ(expected, php.keys[i]) << name << ": key '" << keys[i] << "'";
      ++compared_values;
    }
    const auto temp = ours.find("sys_temp_dir");
    EXPECT_EQ(temp == ours.end() ? "" : hex(temp->second), php.temp_dir_hex) << name << ": ini_get(sys_temp_dir)";
    // The directory PHP really uses (TMPDIR is not in kEnv).
    EXPECT_EQ(hex(php_temporary_directory(temp == ours.end() ? "" : temp->second, "")), php.used_temp_dir_hex)
        << name << ": sys_get_temp_dir()";
    files_with_temp_dir += temp == ours.end() ? 0 : 1;
  }
  EXPECT_GE(files_with_temp_dir, 30);
  EXPECT_GT(files_with_errors, 0);
  EXPECT_GT(compared_values, 200);
}

}  // namespace
}  // namespace clinic_audit::php
