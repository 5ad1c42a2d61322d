// The `file` check type on fixture roots with real owners and modes: every
// parameter, its statuses, summaries and evidence.
#include "file/file_check.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/command_runner.hpp"
#include "check_test_helpers.hpp"
#include "fixture_root.hpp"

namespace clinic_audit {

// Readable evidence in assertion messages (found by gtest through ADL).
static void PrintTo(const Evidence& e, std::ostream* out) {
  *out << "{path=" << e.path << " line=" << (e.line ? std::to_string(*e.line) : "-") << " observed=" << e.observed
       << " expected=" << e.expected << "}";
}

namespace {

using testing::FixtureRoot;
using testing::fixture_dir;

using testing::params;
using testing::test_name;

class FileCheckTest : public ::testing::Test {
 protected:
  FileCheckTest() : root_(fixture_dir("file/" + test_name())) { root_.debian_accounts(); }

  Outcome run(const Params& p) {
    RootFs fs(root_.path());
    ProcessRunner runner;
    Context context(fs, runner, NetworkSettings{});
    const auto check = file_check_type().create(p);
    EXPECT_TRUE(p.unread().empty()) << "parameter not read by the factory: " << p.unread().front();
    return check->run(context);
  }

  FixtureRoot root_;
};

TEST_F(FileCheckTest, TypeDescription) {
  const CheckType type = file_check_type();
  EXPECT_EQ(type.name, "file");
  EXPECT_FALSE(type.uses_network);
  EXPECT_EQ(type.description, "existence, type, owner, group, mode bits and user access of a path");
}

TEST_F(FileCheckTest, PassWithEveryParameterSatisfied) {
  root_.dir("/etc/sudoers.d", 0750).file("/etc/sudoers", "root ALL=(ALL) ALL\n", 0440);
  root_.dir("/usr/local/bin").file("/usr/local/bin/backup", "#!/bin/sh\n", 0755);
  const Outcome o = run(params({{"path", "/etc/sudoers"},
                                {"exists", "true"},
                                {"type", "file"},
                                {"owner", "root"},
                                {"group", "root"},
                                {"required_bits", "0400"},
                                {"forbidden_bits", "0137"},
                                {"readable_by", "root"},
                                {"writable_by", "root"},
                                {"root_only_writable", "yes"}}));
  EXPECT_EQ(o.status, Status::pass);
  EXPECT_EQ(o.summary, "/etc/sudoers is as required (owner=root group=root mode=0440 type=regular file)");
  EXPECT_EQ(o.evidence, (std::vector<Evidence>{{"/etc/sudoers", std::nullopt,
                                                "owner=root group=root mode=0440 type=regular file", "as required"}}));

  const Outcome x = run(params({{"path", "/usr/local/bin/backup"},
                                {"executable_by", "www-data"},
                                {"executable_by", "alice"},
                                {"readable_by", "nobody"},
                                {"type", "any"}}));
  EXPECT_EQ(x.status, Status::pass) << x.summary;
}

TEST_F(FileCheckTest, MissingFile) {
  const Outcome o = run(params({{"path", "/etc/ssl/private/site.key"}, {"owner", "root"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "/etc/ssl/private/site.key does not exist");
  EXPECT_EQ(o.evidence, (std::vector<Evidence>{{"/etc/ssl/private/site.key", std::nullopt, "missing", "present"}}));
  // A dangling symlink is a missing file.
  root_.symlink("/etc/ssl/cert.pem", "/etc/ssl/certs/gone.pem");
  EXPECT_EQ(run(params({{"path", "/etc/ssl/cert.pem"}})).summary, "/etc/ssl/cert.pem does not exist");
}

TEST_F(FileCheckTest, ExistsFalse) {
  root_.dir("/var/www/html").file("/var/www/html/phpinfo.php", "<?php phpinfo();", 0644, 33, 33);
  root_.symlink("/var/www/html/info.php", "phpinfo.php");
  const Outcome absent = run(params({{"path", "/var/www/html/adminer.php"}, {"exists", "false"}}));
  EXPECT_EQ(absent.status, Status::pass);
  EXPECT_EQ(absent.summary, "/var/www/html/adminer.php does not exist, as required");
  EXPECT_TRUE(absent.evidence.empty());

  const Outcome present = run(params({{"path", "/var/www/html/info.php"}, {"exists", "no"}}));
  EXPECT_EQ(present.status, Status::fail);
  EXPECT_EQ(present.summary, "/var/www/html/info.php exists but must not");
  EXPECT_EQ(present.evidence,
            (std::vector<Evidence>{{"/var/www/html/phpinfo.php", std::nullopt,
                                    "owner=www-data group=www-data mode=0644 type=regular file", "absent"}}));
}

TEST_F(FileCheckTest, TypeMismatch) {
  root_.dir("/var/www", 0755, 33, 33).file("/etc/hosts", "", 0644);
  const Outcome want_file = run(params({{"path", "/var/www"}, {"type", "file"}}));
  EXPECT_EQ(want_file.status, Status::fail);
  EXPECT_EQ(want_file.summary, "/var/www: expected type=regular file");
  EXPECT_EQ(want_file.evidence,
            (std::vector<Evidence>{{"/var/www", std::nullopt, "owner=www-data group=www-data mode=0755 type=directory",
                                    "type=regular file"}}));
  const Outcome want_dir = run(params({{"path", "/etc/hosts"}, {"type", "directory"}}));
  EXPECT_EQ(want_dir.status, Status::fail);
  EXPECT_EQ(want_dir.summary, "/etc/hosts: expected type=directory");
  EXPECT_EQ(run(params({{"path", "/var/www"}, {"type", "directory"}})).status, Status::pass);
}

TEST_F(FileCheckTest, FifoIsNotAFile) {
  root_.fifo("/run/ctl", 0600);
  const Outcome o = run(params({{"path", "/run/ctl"}, {"type", "file"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.evidence, (std::vector<Evidence>{{"/run/ctl", std::nullopt, "owner=root group=root mode=0600 type=FIFO",
                                                "type=regular file"}}));
}

TEST_F(FileCheckTest, OwnerAndGroupByNameFromTheRootsAccounts) {
  root_.file("/etc/app.conf", "", 0640, 33, 4);
  root_.file("/etc/orphan.conf", "", 0640, 4242, 4343);
  EXPECT_EQ(run(params({{"path", "/etc/app.conf"}, {"owner", "www-data"}, {"group", "adm"}})).status, Status::pass);

  const Outcome o = run(params({{"path", "/etc/app.conf"}, {"owner", "root"}, {"group", "root"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "/etc/app.conf: expected owner=root; expected group=root");
  const std::string observed = "owner=www-data group=adm mode=0640 type=regular file";
  EXPECT_EQ(o.evidence, (std::vector<Evidence>{{"/etc/app.conf", std::nullopt, observed, "owner=root"},
                                               {"/etc/app.conf", std::nullopt, observed, "group=root"}}));

  // Ids the root's /etc/passwd does not know are shown as numbers.
  const Outcome orphan = run(params({{"path", "/etc/orphan.conf"}, {"owner", "www-data"}}));
  EXPECT_EQ(orphan.status, Status::fail);
  EXPECT_EQ(orphan.evidence,
            (std::vector<Evidence>{{"/etc/orphan.conf", std::nullopt,
                                    "owner=4242 group=4343 mode=0640 type=regular file", "owner=www-data"}}));
}

TEST_F(FileCheckTest, RequiredAndForbiddenBits) {
  root_.file("/usr/bin/sudo", "", 04755).file("/etc/shadow", "", 0666, 0, 42);
  const Outcome setuid =
      run(params({{"path", "/usr/bin/sudo"}, {"required_bits", "4000"}, {"forbidden_bits", "0022"}}));
  EXPECT_EQ(setuid.status, Status::pass) << setuid.summary;

  const Outcome noexec = run(params({{"path", "/etc/shadow"}, {"required_bits", "0100"}, {"forbidden_bits", "0026"}}));
  EXPECT_EQ(noexec.status, Status::fail);
  EXPECT_EQ(noexec.summary, "/etc/shadow: expected mode bits 0100 set; expected mode bits 0026 clear");
  const std::string observed = "owner=root group=42 mode=0666 type=regular file";
  EXPECT_EQ(noexec.evidence, (std::vector<Evidence>{{"/etc/shadow", std::nullopt, observed, "mode bits 0100 set"},
                                                    {"/etc/shadow", std::nullopt, observed, "mode bits 0026 clear"}}));
  // Only some of the forbidden bits set is still a failure.
  EXPECT_EQ(run(params({{"path", "/usr/bin/sudo"}, {"forbidden_bits", "06000"}})).status, Status::fail);
  // Only some of the required bits set is a failure.
  EXPECT_EQ(run(params({{"path", "/usr/bin/sudo"}, {"required_bits", "06000"}})).status, Status::fail);
}

TEST_F(FileCheckTest, UserAccessWithABlockingParentDirectory) {
  root_.dir("/home/EHR", 0700).file("/home/EHR/config.php", "<?php", 0644, 33, 33);
  const Outcome o = run(params({{"path", "/home/EHR/config.php"}, {"readable_by", "www-data"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "/home/EHR/config.php: expected readable by www-data for /home/EHR");
  EXPECT_EQ(o.evidence,
            (std::vector<Evidence>{
                {"/home/EHR", std::nullopt, "www-data cannot enter /home/EHR (mode 0700)", "readable by www-data"}}));
  // Opening the directory to www-data's group fixes it.
  root_.dir("/home/EHR", 0750, 0, 33);
  EXPECT_EQ(run(params({{"path", "/home/EHR/config.php"}, {"readable_by", "www-data"}})).status, Status::pass);
}

TEST_F(FileCheckTest, WritableAndExecutableBy) {
  root_.file("/srv/upload.sh", "", 0644);
  root_.dir("/srv/spool", 0770, 0, 4);
  const Outcome o = run(params(
      {{"path", "/srv/upload.sh"}, {"writable_by", "alice"}, {"executable_by", "root"}, {"executable_by", "nobody"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary,
            "/srv/upload.sh: expected writable by alice; expected executable by root; expected executable by nobody");
  EXPECT_EQ(o.evidence,
            (std::vector<Evidence>{
                {"/srv/upload.sh", std::nullopt, "alice cannot write /srv/upload.sh", "writable by alice"},
                {"/srv/upload.sh", std::nullopt, "root cannot execute /srv/upload.sh", "executable by root"},
                {"/srv/upload.sh", std::nullopt, "nobody cannot execute /srv/upload.sh", "executable by nobody"}}));
  // alice is in adm through /etc/group: she may write the spool directory, www-data may not.
  EXPECT_EQ(run(params({{"path", "/srv/spool"}, {"writable_by", "alice"}})).status, Status::pass);
  const Outcome www = run(params({{"path", "/srv/spool"}, {"writable_by", "www-data"}}));
  EXPECT_EQ(www.status, Status::fail);
  EXPECT_EQ(www.evidence, (std::vector<Evidence>{{"/srv/spool", std::nullopt, "www-data cannot write /srv/spool",
                                                  "writable by www-data"}}));
}

TEST_F(FileCheckTest, UnknownUserIsACheckError) {
  root_.file("/etc/x", "");
  try {
    run(params({{"path", "/etc/x"}, {"readable_by", "ghost"}}));
    ADD_FAILURE() << "no error for an unknown user";
  } catch (const CheckError& e) {
    EXPECT_EQ(std::string(e.what()), "user 'ghost' is not in /etc/passwd");
    EXPECT_EQ(e.path(), "/etc/passwd");
  }
}

TEST_F(FileCheckTest, RootOnlyWritable) {
  root_.dir("/srv/app", 0775, 0, 33).file("/srv/app/tool", "#!/bin/sh\n", 0755);
  root_.dir("/usr/local/sbin").file("/usr/local/sbin/tool", "#!/bin/sh\n", 0755);
  const Outcome o = run(params({{"path", "/srv/app/tool"}, {"root_only_writable", "true"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "/srv/app/tool: expected writable by root only for /srv/app");
  EXPECT_EQ(o.evidence,
            (std::vector<Evidence>{{"/srv/app", std::nullopt,
                                    "owner=root group=www-data mode=0775 type=directory (writable by group www-data)",
                                    "writable by root only"}}));
  EXPECT_EQ(run(params({{"path", "/usr/local/sbin/tool"}, {"root_only_writable", "true"}})).status, Status::pass);
  // Not asked for: not judged.
  EXPECT_EQ(run(params({{"path", "/srv/app/tool"}, {"root_only_writable", "false"}})).status, Status::pass);
}

TEST_F(FileCheckTest, RootOnlyWritableOwnerOfTheFileItself) {
  root_.file("/etc/cron.daily/backup", "", 0755, 1000, 1000);
  const Outcome o = run(params({{"path", "/etc/cron.daily/backup"}, {"root_only_writable", "1"}}));
  EXPECT_EQ(o.status, Status::fail);
  EXPECT_EQ(o.summary, "/etc/cron.daily/backup: expected writable by root only");
  EXPECT_EQ(o.evidence,
            (std::vector<Evidence>{{"/etc/cron.daily/backup", std::nullopt,
                                    "owner=alice group=alice mode=0755 type=regular file (writable by owner alice)",
                                    "writable by root only"}}));
}

TEST_F(FileCheckTest, ResolutionErrorsPropagate) {
  root_.symlink("/loop", "/loop");
  try {
    run(params({{"path", "/loop"}}));
    ADD_FAILURE() << "no error for a symlink loop";
  } catch (const FsError& e) {
    EXPECT_EQ(e.error_number(), ELOOP);
  }
}

TEST_F(FileCheckTest, PathUnderARegularFileDoesNotExist) {
  // As test -e says: a component that is a file means the path does not exist.
  root_.file("/etc/cron.d", "not a directory\n");
  const Outcome absent = run(params({{"path", "/etc/cron.d/backdoor"}, {"exists", "false"}}));
  EXPECT_EQ(absent.status, Status::pass);
  EXPECT_EQ(absent.summary, "/etc/cron.d/backdoor does not exist, as required");
  const Outcome required = run(params({{"path", "/etc/cron.d/backup"}}));
  EXPECT_EQ(required.status, Status::fail);
  EXPECT_EQ(required.evidence, (std::vector<Evidence>{{"/etc/cron.d/backup", std::nullopt, "missing", "present"}}));
  // A trailing slash on a file is the same.
  EXPECT_EQ(run(params({{"path", "/etc/cron.d/"}, {"exists", "false"}})).status, Status::pass);
  // The kernel agrees (test -e on the host path fails).
  EXPECT_NE(std::system(("/usr/bin/test -e " + root_.host("/etc/cron.d/backdoor").string()).c_str()), 0);
}

// --- Parameter errors (policy load time) --------------------------------------

void expect_param_error(std::initializer_list<std::pair<std::string, std::string>> list, const std::string& param,
                        const std::string& message) {
  try {
    file_check_type().create(params(list));
    ADD_FAILURE() << "accepted: " << message;
  } catch (const ParamError& e) {
    EXPECT_EQ(e.param(), param);
    EXPECT_EQ(std::string(e.what()), message);
  }
}

TEST(FileCheckParams, Errors) {
  expect_param_error({}, "path", "missing required parameter 'path'");
  expect_param_error({{"path", "etc/passwd"}}, "path", "parameter 'path' must be an absolute path, not 'etc/passwd'");
  expect_param_error({{"path", ""}}, "path", "parameter 'path' must be an absolute path, not ''");
  expect_param_error({{"path", "/a"}, {"path", "/b"}}, "path", "parameter 'path' given more than once");
  for (const char* bad : {"0999", "", "17777", "0x22", "-1", "+22", "22 ", "rw"}) {
    expect_param_error({{"path", "/a"}, {"required_bits", bad}}, "required_bits",
                       "parameter 'required_bits' must be octal mode bits such as 0022, not '" + std::string(bad) +
                           "'");
  }
  expect_param_error({{"path", "/a"}, {"forbidden_bits", "8"}}, "forbidden_bits",
                     "parameter 'forbidden_bits' must be octal mode bits such as 0022, not '8'");
  expect_param_error({{"path", "/a"}, {"type", "dir"}}, "type",
                     "parameter 'type' must be one of file, directory, any, not 'dir'");
  expect_param_error({{"path", "/a"}, {"exists", "maybe"}}, "exists",
                     "parameter 'exists' must be true or false, not 'maybe'");
  expect_param_error({{"path", "/a"}, {"root_only_writable", "on"}}, "root_only_writable",
                     "parameter 'root_only_writable' must be true or false, not 'on'");
  expect_param_error({{"path", "/a"}, {"owner", "root"}, {"owner", "bin"}}, "owner",
                     "parameter 'owner' given more than once");
}

TEST(FileCheckParams, UnknownParametersAreLeftUnread) {
  Params p = params({{"path", "/a"}, {"mode", "0644"}, {"type", "file"}});
  file_check_type().create(p);
  EXPECT_EQ(p.unread(), std::vector<std::string>{"mode"});
}

TEST(FileCheckParams, SevenSevenSevenSevenIsTheLargestMode) {
  EXPECT_NE(file_check_type().create(params({{"path", "/a"}, {"required_bits", "07777"}})), nullptr);
}

}  // namespace
}  // namespace clinic_audit
