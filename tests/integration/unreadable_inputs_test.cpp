// Issue #20 item 2: unreadable means error, never pass. The whole shipped
// policy set runs (`run --offline --root`) on copies of the compliant fixture
// root where one input file at a time cannot be read -- replaced by a FIFO, a
// directory, a file over every read cap, or (agent run as nobody) made 0600 --
// and every check that reads that file must say `error` naming it. As root,
// mode 000 stops nothing, hence these stand-ins.
//
// The expectations are per file, explicit below. A case failing only in a
// check type another helper of issue #20 owns is skipped naming that owner
// and the failing checks, so the run stays readable; a failure in a type of
// this area (file, exec, the engine) always fails.
//
// Issue #20 item 4 in the same runs: every one stays under 64 MiB peak RSS
// and within its check timeouts (60 s here, far over the 30 s defaults).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <set>

#include "fixture_root.hpp"
#include "measured_run.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

constexpr long kMaxRssKib = 64 * 1024;

const std::vector<std::string> kFileChecks = {
    "apicrypt-v1.binary.apicrypt",     "apicrypt-v1.binary.apicryptpj",     "apicrypt-v1.binary.apiuncrypt",
    "apicrypt-v1.binary.apiuncryptpj", "apicrypt-v2.binary.apiv2aesutility", "apicrypt-v2.keys.clefs-directory"};
const std::vector<std::string> kSudoersChecks = {"apicrypt-v1.sudoers.grants", "apicrypt-v1.sudoers.no-broader-grant",
                                                 "apicrypt-v2.sudoers.restart-apicrypt"};

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Who fixes a check type on their branch (issue #20's split); "" = this area.
std::string owner_of_type(const std::string& type) {
  static const std::map<std::string, std::string> owners = {
      {"file", ""},           {"exec", ""},
      {"sudoers", "the sudoers helper (h/sudoers)"},
      {"systemd_unit", "the units helper (h/units)"},
      {"php_ini", "the units helper (h/units)"},
      {"service", "the units helper (h/units)"},
      {"openssl", "the units helper (h/units)"},
      {"antispam", "the antispam helper (h/antispam)"}};
  const auto it = owners.find(type);
  return it == owners.end() ? "the owner of check type '" + type + "'" : it->second;
}

struct InputFile {
  std::string path;                     // in the root
  std::vector<std::string> must_error;  // checks that read it
  std::vector<std::string> names;       // how an error may name it (path, or the path it is reached by)
  std::string owner;                    // when the reading is not the check's own (discovery): who fixes it
};

// Every input file of the compliant root that a shipped check reads.
// Not listed, on purpose:
//  - the Apicrypt binaries and Clefs: the file checks stat them and never
//    read them (a FIFO there is a wrong type: `fail`, which they test);
//  - /etc/apache2/mods-enabled/php8.2.load: only its name counts (a2enmod's
//    link decides mod_php), its content is never read;
//  - /lib/systemd/system/apache2.service: the /etc copy of the same name
//    replaces it whole (systemd.unit(5), unit search path), systemd never
//    reads it;
//  - /etc/hostname, os-release, machine-id: the report's host fields, read by
//    no check.
const std::vector<InputFile>& input_files() {
  static const std::vector<InputFile> files = {
      {"/etc/passwd", kFileChecks + kSudoersChecks, {"/etc/passwd"}, ""},
      {"/etc/group", kFileChecks + kSudoersChecks, {"/etc/group"}, ""},
      // ehr_root is discovered from Apache's SetEnv: a file that cannot be
      // read may hold it, so whatever depends on ehr_root cannot be judged.
      {"/etc/apache2/apache2.conf",
       kFileChecks + kSudoersChecks + std::vector<std::string>{"apicrypt-v2.php.sys-temp-dir"},
       {"/etc/apache2/apache2.conf"},
       "the realmachine helper (h/realmachine: discovery)"},
      {"/etc/apache2/sites-available/ehr.conf",
       kFileChecks + kSudoersChecks + std::vector<std::string>{"apicrypt-v2.php.sys-temp-dir"},
       {"/etc/apache2/sites-available/ehr.conf", "/etc/apache2/sites-enabled/ehr.conf"},
       "the realmachine helper (h/realmachine: discovery)"},
      {"/etc/sudoers", kSudoersChecks, {"/etc/sudoers"}, ""},
      {"/etc/sudoers.d/apicrypt", kSudoersChecks, {"/etc/sudoers.d/apicrypt"}, ""},
      {"/etc/systemd/system/apache2.service", {"apicrypt-v2.apache.privatetmp"}, {"/etc/systemd/system/apache2.service"}, ""},
      {"/etc/php/8.2/apache2/php.ini", {"apicrypt-v2.php.sys-temp-dir"}, {"/etc/php/8.2/apache2/php.ini"}, ""},
      {"/etc/systemd/system/compagnonApicrypt.service",
       {"apicrypt-v2.service.compagnon"},
       {"/etc/systemd/system/compagnonApicrypt.service"},
       ""},
      {"/etc/ssl/openssl.cnf", {"apicrypt-v2.openssl.seclevel"}, {"/etc/ssl/openssl.cnf", "/usr/lib/ssl/openssl.cnf"}, ""},
  };
  return files;
}

enum class Method { fifo, directory, over_cap, unreadable_as_nobody };

std::string method_name(Method method) {
  switch (method) {
    case Method::fifo: return "Fifo";
    case Method::directory: return "Directory";
    case Method::over_cap: return "OverCap";
    case Method::unreadable_as_nobody: return "Mode0600AsNobody";
  }
  return "?";
}

struct Case {
  InputFile file;
  Method method;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const auto& file : input_files()) {
    for (Method m : {Method::fifo, Method::directory, Method::over_cap, Method::unreadable_as_nobody}) {
      cases.push_back({file, m});
    }
  }
  return cases;
}

void PrintTo(const Case& c, std::ostream* out) { *out << c.file.path << " as " << method_name(c.method); }

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name;
  for (char c : info.param.file.path) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return method_name(info.param.method) + name;
}

class UnreadableInput : public ::testing::TestWithParam<Case> {};

TEST_P(UnreadableInput, EveryCheckReadingItSaysErrorNamingIt) {
  const Case& c = GetParam();
  FixtureRoot root(fixture_dir("root"));
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  const auto host = root.host(c.file.path);
  struct stat original {};
  ASSERT_EQ(::stat(host.c_str(), &original), 0) << host;
  std::optional<uid_t> as_user;
  if (c.method == Method::unreadable_as_nobody) {
    // Everything else readable by nobody (o+r, directories o+rx), so that
    // the one file made 0600 is the only thing the agent cannot read.
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root.path())) {
      if (entry.is_symlink()) continue;
      struct stat st {};
      if (::stat(entry.path().c_str(), &st) != 0) continue;
      ::chmod(entry.path().c_str(), (st.st_mode & 07777) | (S_ISDIR(st.st_mode) ? 05 : 04));
    }
    ::chmod(host.c_str(), 0600);
    as_user = 65534;
    // nobody must reach the root itself: the build tree's directories above it.
    for (auto dir = root.path(); dir.string().starts_with(source_dir().string()) && dir != source_dir();
         dir = dir.parent_path()) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 05) != 05) ::chmod(dir.c_str(), st.st_mode | 05);
    }
  } else {
    std::filesystem::remove(host);
    if (c.method == Method::fifo) root.fifo(c.file.path, 0644);
    if (c.method == Method::directory) root.dir(c.file.path, 0755);
    if (c.method == Method::over_cap) root.sparse(c.file.path, 64LL * 1024 * 1024, 0644);
  }

  const MeasuredRun run = run_agent_measured({"run", "--root", root.path().string(), "--policy", "apicrypt-v1",
                                              "--policy", "apicrypt-v2", "--policy", "ekermed", "--offline",
                                              "--no-sign", "--format", "json"},
                                             std::chrono::seconds(120), as_user);
  ASSERT_NE(run.exit_code, -2) << "the run did not finish";
  EXPECT_LT(run.wall, std::chrono::seconds(60));
  if (!kSanitizedBuild) {
    EXPECT_LT(run.max_rss_kib, kMaxRssKib) << "peak RSS " << run.max_rss_kib << " KiB";
  }
  // 0 (all pass) is possible here, and is what the expectations below catch.
  ASSERT_TRUE(run.exit_code >= 0 && run.exit_code <= 2) << run.exit_code << "\n" << run.err;
  const auto report = parse_report(run.out);
  ASSERT_TRUE(report.is_object());

  std::map<std::string, std::vector<std::string>> failures_by_owner;
  for (const auto& id : c.file.must_error) {
    const auto r = result_of(report, id);
    std::string where = r["summary"].get<std::string>();
    for (const auto& item : r["evidence"]) where += "\n" + item["path"].get<std::string>();
    bool named = false;
    for (const auto& name : c.file.names) named = named || where.find(name) != std::string::npos;
    if (r["status"] == "error" && named) continue;
    const std::string owner = !c.file.owner.empty() ? c.file.owner : owner_of_type(r["type"].get<std::string>());
    failures_by_owner[owner].push_back(id + ": " + r["status"].get<std::string>() + " (" +
                                       r["summary"].get<std::string>() + ")");
  }
  std::string others;
  for (const auto& [owner, failures] : failures_by_owner) {
    std::string list;
    for (const auto& f : failures) list += "\n  " + f;
    if (owner.empty()) {
      ADD_FAILURE() << c.file.path << " unreadable (" << method_name(c.method)
                    << "): these checks must be `error` naming it:" << list;
    } else {
      others += "\n" + owner + ":" + list;
    }
  }
  if (!others.empty() && !HasFailure()) {
    GTEST_SKIP() << c.file.path << " unreadable (" << method_name(c.method)
                 << "): not `error` naming it, to be fixed by" << others;
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedPolicies, UnreadableInput, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace clinic_audit::testing
