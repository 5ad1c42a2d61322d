// Loading inside the root: includes resolved there and nowhere else, errors
// pointing at the included file's own line, limits against hostile images.
#include "conf_loader.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "common/root_fs.hpp"
#include "fixture_root.hpp"

namespace clinic_audit::openssl {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

TEST(ConfLoader, IncludesAreResolvedInsideTheRootOnly) {
  FixtureRoot root(fixture_dir("openssl-loader-confined"));
  // /etc/os-release exists on the auditing host, not in this root.
  root.file("/etc/ssl/openssl.cnf", "a = 1\n.include /etc/os-release\n.include /etc/ssl/escape.cnf\nb = 2\n");
  root.symlink("/etc/ssl/escape.cnf", "../../../../etc/os-release");
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  ASSERT_TRUE(config.conf) << config.error->message;
  EXPECT_EQ(config.files, std::vector<std::string>{"/etc/ssl/openssl.cnf"});
  ASSERT_EQ(config.notes.size(), 2U);
  EXPECT_EQ(config.notes[0].path, "/etc/os-release");
  EXPECT_EQ(config.notes[0].origin.line, 2);
  EXPECT_EQ(config.text.find(".include"), std::string::npos);  // NCONF never sees a directive that opens files
  EXPECT_EQ(config.conf->value("default", "b"), "2");
}

TEST(ConfLoader, ErrorsPointAtTheIncludedFilesLine) {
  FixtureRoot root(fixture_dir("openssl-loader-error-line"));
  root.file("/etc/ssl/openssl.cnf", "# top\n.include /etc/ssl/inc.cnf\nafter = 1\n");
  root.file("/etc/ssl/inc.cnf", "x = 1\n\ny = $undefined_variable\n");
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  ASSERT_TRUE(config.error);
  EXPECT_FALSE(config.conf);
  EXPECT_EQ(config.error->origin.file, "/etc/ssl/inc.cnf");
  EXPECT_EQ(config.error->origin.line, 3);
  EXPECT_NE(config.error->message.find("variable has no value"), std::string::npos) << config.error->message;
}

TEST(ConfLoader, AssignmentsKeepTheirOrigin) {
  FixtureRoot root(fixture_dir("openssl-loader-origins"));
  root.file("/etc/ssl/openssl.cnf", "[s]\nk = 1\n.include /etc/ssl/d\n");
  root.file("/etc/ssl/d/x.conf", "[s]\n\nk = 2\n");
  root.file("/etc/ssl/d/ignored.txt", "[s]\nk = 3\n");
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  ASSERT_TRUE(config.conf);
  auto origin = config.origin_of("s", "k");
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->file, "/etc/ssl/d/x.conf");
  EXPECT_EQ(origin->line, 3);
  EXPECT_EQ(config.conf->value("s", "k"), "2");
}

TEST(ConfLoader, IncludePathsAreExpandedLikeValues) {
  FixtureRoot root(fixture_dir("openssl-loader-expansion"));
  root.file("/etc/ssl/openssl.cnf",
            "[s]\ndir = /etc/ssl/inc\n.include $dir/a.cnf\n[t]\n.include = ${s::dir}/b.cnf  # comment\n"
            "s::.include \\/etc/ssl/inc/c.cnf\n.include \"$dir/quoted.cnf\"\n");
  root.file("/etc/ssl/inc/a.cnf", "a = 1\n");
  root.file("/etc/ssl/inc/b.cnf", "b = 2\n");
  root.file("/etc/ssl/inc/c.cnf", "c = 3\n");
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  ASSERT_TRUE(config.conf) << config.error->message;
  EXPECT_EQ(config.files, (std::vector<std::string>{"/etc/ssl/openssl.cnf", "/etc/ssl/inc/a.cnf", "/etc/ssl/inc/b.cnf",
                                                    "/etc/ssl/inc/c.cnf"}));
  EXPECT_EQ(config.conf->value("s", "a"), "1");
  EXPECT_EQ(config.conf->value("t", "b"), "2");
  EXPECT_EQ(config.conf->value("t", "c"), "3");
  // Inside quotes str_copy() expands nothing: a relative path, from "/".
  ASSERT_EQ(config.notes.size(), 1U);
  EXPECT_EQ(config.notes[0].path, "/$dir/quoted.cnf");
}

TEST(ConfLoader, SelfIncludeHitsTheDepthLimit) {
  FixtureRoot root(fixture_dir("openssl-loader-recursive"));
  root.file("/etc/ssl/openssl.cnf", "a = 1\n.include /etc/ssl/openssl.cnf\n");
  RootFs fs(root.path());
  EXPECT_THROW(load_config(fs, "/etc/ssl/openssl.cnf"), LimitError);
}

TEST(ConfLoader, FifoIncludeIsRefusedNotOpened) {
  FixtureRoot root(fixture_dir("openssl-loader-fifo"));
  root.file("/etc/ssl/openssl.cnf", ".include /etc/ssl/pipe\n");
  root.fifo("/etc/ssl/pipe");
  RootFs fs(root.path());
  EXPECT_THROW(load_config(fs, "/etc/ssl/openssl.cnf"), LimitError);
}

TEST(ConfLoader, MissingTopFileMeansDefaults) {
  FixtureRoot root(fixture_dir("openssl-loader-missing"));
  root.dir("/etc/ssl");
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  EXPECT_FALSE(config.exists);
  EXPECT_FALSE(config.error);
  EXPECT_FALSE(config.conf);
}

}  // namespace
}  // namespace clinic_audit::openssl
