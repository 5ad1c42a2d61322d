// The MEDSHAKEEHRPATH file is read by MedShakeEHR's public_html/index.php as
// trim(str_replace("\n", '', file_get_contents(...))): discovery must find
// the value PHP finds, byte for byte. PHP's trim() strips " \t\n\r\0\x0B",
// not C's isspace() set (php.net/manual/en/function.trim.php), so a file
// ending in a form feed keeps it for PHP and for us. PHP itself is the
// oracle here, on the same bytes. Discovery then drops trailing slashes
// ("/srv/EHR/" and "/srv/EHR" name one directory), so PHP's value is compared
// after the same step.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/command_runner.hpp"
#include "engine/discovery.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {
namespace {

using testing::FixtureRoot;
using testing::fixture_dir;

constexpr const char* kApacheConf = "ServerRoot \"/etc/apache2\"\nIncludeOptional sites-enabled/*.conf\n";
constexpr const char* kVhost = "<VirtualHost *:80>\n  DocumentRoot /srv/EHR/public_html\n</VirtualHost>\n";

// What index.php computes from the file, as hex (the value may hold NUL).
std::string php_value_hex(const std::filesystem::path& file) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = "/usr/bin/php";
  spec.args = {"-n", "-r", "echo bin2hex(trim(str_replace(\"\\n\", '', file_get_contents($argv[1]))));", "--",
               file.string()};
  spec.env = {{"PATH", "/usr/bin:/bin"}, {"LANG", "C"}};
  const CommandResult r = runner.run(spec);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string value = r.out;
  while (value.size() > 2 && value.ends_with("2f")) value.resize(value.size() - 2);
  return value;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(DiscoveryPhpTrim, PathFileValueIsWhatPhpReads) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/php")) << "install php-cli (scripts/deps/systemd_php.list)";
  const std::vector<std::string> contents = {
      "/srv/EHR/\n",
      "  /srv/EHR/ \r\n",
      "\t/srv/EHR\x0B\n",
      std::string("/srv/EHR\0\n", 10),
      "/srv/EHR\f\n",              // form feed: isspace() but not PHP's trim
      "/srv/\nEHR/\n",             // an inner newline is removed, not a line end
      "\xC2\xA0/srv/EHR\xC2\xA0",  // no-break space: not trimmed by PHP
      "\n\n",
      std::string("/srv/EHR \v \0 x", 14),
  };
  for (std::size_t i = 0; i < contents.size(); ++i) {
    FixtureRoot root(fixture_dir("root" + std::to_string(i)));
    root.file("/etc/apache2/apache2.conf", kApacheConf);
    root.file("/etc/apache2/sites-available/ehr.conf", kVhost);
    root.symlink("/etc/apache2/sites-enabled/ehr.conf", "../sites-available/ehr.conf");
    root.file("/srv/EHR/public_html/MEDSHAKEEHRPATH", contents[i]);
    const RootFs fs(root.path());
    const auto found = discover_path_file(fs, "MEDSHAKEEHRPATH");
    ASSERT_EQ(found.values.size(), 1u) << "case " << i;
    EXPECT_EQ(hex(found.values[0].value), php_value_hex(root.host("/srv/EHR/public_html/MEDSHAKEEHRPATH")))
        << "case " << i << ": " << hex(contents[i]);
  }
}

}  // namespace
}  // namespace clinic_audit
