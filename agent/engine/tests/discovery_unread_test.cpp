// Issue #20 item 2 at the level of discovery: a file that may set a
// variable but cannot be read makes the variable unknown (`unread`), never
// a silent fallback to another source or to the default; a file the real
// program never reads (sudo: a non-regular file; Apache: a .htaccess where
// AllowOverride forbids SetEnv) is no source and changes nothing. The whole
// run on such roots is tests/integration/unreadable_inputs_test.cpp.
#include <gtest/gtest.h>

#include "engine/discovery.hpp"
#include "engine/variables.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {
namespace {

using testing::FixtureRoot;
using testing::fixture_dir;

constexpr const char* kApacheConf = "ServerRoot \"/etc/apache2\"\nIncludeOptional sites-enabled/*.conf\n";
constexpr const char* kVhost =
    "<VirtualHost *:80>\n  DocumentRoot /srv/EHR/public_html\n  SetEnv MEDSHAKEEHRPATH /srv/EHR/\n</VirtualHost>\n";

// A root where Apache and sudo both name /srv/EHR.
FixtureRoot compliant_root() {
  FixtureRoot root(fixture_dir("root"));
  root.file("/etc/apache2/apache2.conf", kApacheConf);
  root.file("/etc/apache2/sites-available/ehr.conf", kVhost);
  root.symlink("/etc/apache2/sites-enabled/ehr.conf", "../sites-available/ehr.conf");
  root.dir("/srv/EHR/public_html");
  root.file("/etc/sudoers", "root ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n", 0440);
  root.file("/etc/sudoers.d/apicrypt", "www-data ALL=(root) NOPASSWD: /srv/EHR/apicrypt/bin/apicrypt\n", 0440);
  return root;
}

bool names(const std::vector<UnreadFile>& files, const std::string& path) {
  for (const auto& f : files) {
    if (f.path == path || f.reason.find(path) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> values(const DiscoveryFindings& found) {
  std::vector<std::string> out;
  for (const auto& d : found.values) out.push_back(d.value);
  return out;
}

TEST(DiscoveryUnread, ReadableRootHasNothingUnread) {
  auto root = compliant_root();
  const RootFs fs(root.path());
  const auto setenv = discover_apache_setenv(fs, "MEDSHAKEEHRPATH");
  EXPECT_EQ(values(setenv), std::vector<std::string>{"/srv/EHR"});
  EXPECT_TRUE(setenv.unread.empty());
  const auto sudo = discover_sudoers_prefix(fs, "/apicrypt/bin/apicrypt");
  EXPECT_EQ(values(sudo), std::vector<std::string>{"/srv/EHR"});
  EXPECT_TRUE(sudo.unread.empty());
}

TEST(DiscoveryUnread, ApacheFileAsFifoDirectoryOrOverCapIsUnread) {
  for (const std::string kind : {"fifo", "directory", "over-cap"}) {
    SCOPED_TRACE(kind);
    auto root = compliant_root();
    const std::string path = "/etc/apache2/sites-available/ehr.conf";
    std::filesystem::remove(root.host(path));
    if (kind == "fifo") root.fifo(path);
    if (kind == "directory") root.dir(path);
    if (kind == "over-cap") root.sparse(path, 2 * 1024 * 1024);
    const RootFs fs(root.path());
    const auto setenv = discover_apache_setenv(fs, "MEDSHAKEEHRPATH");
    EXPECT_TRUE(setenv.values.empty());
    EXPECT_TRUE(names(setenv.unread, "/etc/apache2/sites-enabled/ehr.conf")) << setenv.notes.size();
    // The DocumentRoots come from the same files: the path file's discovery
    // is incomplete too.
    const auto pathfile = discover_path_file(fs, "MEDSHAKEEHRPATH");
    EXPECT_TRUE(names(pathfile.unread, "/etc/apache2/sites-enabled/ehr.conf"));
  }
}

TEST(DiscoveryUnread, HtaccessUnreadOnlyWhereApacheTakesSetEnvFromIt) {
  for (const bool allowed : {true, false}) {
    SCOPED_TRACE(allowed ? "AllowOverride FileInfo" : "AllowOverride None");
    auto root = compliant_root();
    root.file("/etc/apache2/sites-available/ehr.conf",
              std::string("<VirtualHost *:80>\n  DocumentRoot /srv/EHR/public_html\n"
                          "  <Directory /srv/EHR/public_html>\n    AllowOverride ") +
                  (allowed ? "FileInfo" : "None") + "\n  </Directory>\n</VirtualHost>\n");
    root.fifo("/srv/EHR/public_html/.htaccess");
    const RootFs fs(root.path());
    const auto setenv = discover_apache_setenv(fs, "MEDSHAKEEHRPATH");
    EXPECT_EQ(names(setenv.unread, "/srv/EHR/public_html/.htaccess"), allowed);
    EXPECT_FALSE(setenv.notes.empty());  // said either way
  }
}

// sudo never reads a non-regular sudoers file (verified against sudo in
// unreadable_inputs_test.cpp): no source, nothing unknown. A regular file
// it would read but the agent cannot (over the cap) is unread.
TEST(DiscoveryUnread, SudoersFollowsWhatSudoReads) {
  {
    auto root = compliant_root();
    std::filesystem::remove(root.host("/etc/sudoers.d/apicrypt"));
    root.fifo("/etc/sudoers.d/apicrypt");
    const RootFs fs(root.path());
    const auto sudo = discover_sudoers_prefix(fs, "/apicrypt/bin/apicrypt");
    EXPECT_TRUE(sudo.values.empty());
    EXPECT_TRUE(sudo.unread.empty());
    ASSERT_FALSE(sudo.notes.empty());
    EXPECT_NE(sudo.notes[0].find("sudo skips it"), std::string::npos) << sudo.notes[0];
  }
  {
    auto root = compliant_root();
    std::filesystem::remove(root.host("/etc/sudoers"));
    root.dir("/etc/sudoers");
    const RootFs fs(root.path());
    const auto sudo = discover_sudoers_prefix(fs, "/apicrypt/bin/apicrypt");
    // sudo refuses to run: sudoers.d is not read either.
    EXPECT_TRUE(sudo.values.empty());
    EXPECT_TRUE(sudo.unread.empty());
    ASSERT_EQ(sudo.notes.size(), 1U);
    EXPECT_NE(sudo.notes[0].find("refuses to run"), std::string::npos) << sudo.notes[0];
  }
  {
    auto root = compliant_root();
    std::filesystem::remove(root.host("/etc/sudoers.d/apicrypt"));
    root.sparse("/etc/sudoers.d/apicrypt", 2 * 1024 * 1024, 0440);
    const RootFs fs(root.path());
    const auto sudo = discover_sudoers_prefix(fs, "/apicrypt/bin/apicrypt");
    EXPECT_TRUE(names(sudo.unread, "/etc/sudoers.d/apicrypt"));
  }
}

TEST(DiscoveryUnread, FirstExistingThatCannotBeResolvedIsUnread) {
  auto root = compliant_root();
  root.symlink("/opt/loop", "/opt/loop");  // ELOOP: whether it exists is unknown
  root.dir("/opt/b");
  const RootFs fs(root.path());
  const auto found = discover(fs, VariableDiscovery{"first-existing", "", "/opt/loop /opt/b"});
  EXPECT_TRUE(found.values.empty()) << found.values.front().value;  // /opt/b would be a guess
  EXPECT_TRUE(names(found.unread, "/opt/loop"));
}

// The variable is unknown, so is one whose default uses it; the value still
// found elsewhere is kept for the report, never trusted by a check.
TEST(DiscoveryUnread, UnknownVariablePropagatesToDefaultsUsingIt) {
  auto root = compliant_root();
  std::filesystem::remove(root.host("/etc/apache2/apache2.conf"));
  root.fifo("/etc/apache2/apache2.conf");
  const RootFs fs(root.path());
  Policy policy;
  policy.file = "/policies/p.xml";
  policy.variables.push_back({"ehr_root", "/home/EHR", "", {{"apache-setenv", "MEDSHAKEEHRPATH", ""}}, 3});
  policy.variables.push_back({"keys_dir", "${ehr_root}/apicrypt", "", {}, 4});
  policy.variables.push_back({"web_user", "www-data", "", {}, 5});
  std::vector<LoadError> errors;
  const VariableMap vars = resolve_variables(policy, SiteConfig{}, fs, errors);
  ASSERT_TRUE(errors.empty());
  EXPECT_EQ(vars.at("ehr_root").value, "/srv/EHR");  // from the readable vhost
  EXPECT_TRUE(names(vars.at("ehr_root").unread, "/etc/apache2/apache2.conf"));
  EXPECT_TRUE(names(vars.at("keys_dir").unread, "/etc/apache2/apache2.conf"));
  EXPECT_TRUE(vars.at("web_user").unread.empty());

  const UnknownInputs unknown = unknown_inputs("${keys_dir}/Clefs as ${web_user}", vars);
  EXPECT_EQ(unknown.variables, std::vector<std::string>{"keys_dir"});
  ASSERT_EQ(unknown.files.size(), 1U);
  EXPECT_EQ(unknown.files[0].path, "/etc/apache2/apache2.conf");
  EXPECT_TRUE(unknown_inputs("${web_user}", vars).empty());
}

}  // namespace
}  // namespace clinic_audit
