// Issue #17: the shipped policies audited with `clinic-audit run --offline
// --root` on a real Debian 12 image (debootstrap: apache2, mod_php 8.2, sudo,
// SpamAssassin, postfix, systemd) configured as MedShakeEHR's installer and
// the seeds do it, then broken one way per case. Exact expectations per case;
// then every remediation is applied literally (the image's own sh -e, chrooted
// into the case's overlay) and the audit must pass what it fixed.
#include <gtest/gtest.h>

#include <map>
#include <optional>

#include "image_fixture.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

using Statuses = std::map<std::string, std::string>;

// The configured image: every check passes but those that cannot apply.
const Statuses kCompliant{
    {"ekermed.browser", "not_applicable"},  // agent.conf: ekermed_consultation_workstation=false (server image)
    {"apicrypt-v1.binary.apicrypt", "pass"},
    {"apicrypt-v1.binary.apicryptpj", "pass"},
    {"apicrypt-v1.binary.apiuncrypt", "pass"},
    {"apicrypt-v1.binary.apiuncryptpj", "pass"},
    {"apicrypt-v1.sudoers.grants", "pass"},
    {"apicrypt-v1.sudoers.no-broader-grant", "pass"},
    {"apicrypt-v2.binary.apiv2aesutility", "pass"},
    {"apicrypt-v2.keys.clefs-directory", "pass"},
    {"apicrypt-v2.apache.privatetmp", "pass"},
    {"apicrypt-v2.php-fpm.privatetmp", "not_applicable"},  // mod_php, no php-fpm installed
    {"apicrypt-v2.php.sys-temp-dir", "pass"},
    {"apicrypt-v2.service.compagnon", "pass"},
    {"apicrypt-v2.openssl.seclevel", "pass"},
    {"apicrypt-v2.sudoers.restart-apicrypt", "pass"},
    {"ekermed.signalling.https", "skipped"},
    {"ekermed.signalling.wss.ccs-hds-apizee", "skipped"},
    {"ekermed.media", "skipped"},
    {"ekermed.antispam.whitelist", "pass"},
};

struct Case {
  std::string name;
  Statuses changed;                 // statuses that differ from kCompliant
  std::vector<std::string> manual;  // failing results with no command: a person must act
};
// gtest prints the case by name, not as bytes.
void PrintTo(const Case& p, std::ostream* os) { *os << p.name; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all{
      {"compliant", {}, {}},
      {"binary-missing", {{"apicrypt-v1.binary.apiuncryptpj", "fail"}}, {"apicrypt-v1.binary.apiuncryptpj"}},
      {"binary-www-data-owned",
       {{"apicrypt-v1.binary.apicrypt", "fail"}, {"apicrypt-v1.sudoers.no-broader-grant", "fail"}},
       {"apicrypt-v1.sudoers.no-broader-grant"}},
      {"binary-world-writable",
       {{"apicrypt-v1.binary.apiuncrypt", "fail"}, {"apicrypt-v1.sudoers.no-broader-grant", "fail"}},
       {"apicrypt-v1.sudoers.no-broader-grant"}},
      {"bin-dir-www-data",
       {{"apicrypt-v1.binary.apicrypt", "fail"},
        {"apicrypt-v1.binary.apicryptpj", "fail"},
        {"apicrypt-v1.binary.apiuncrypt", "fail"},
        {"apicrypt-v1.binary.apiuncryptpj", "fail"},
        {"apicrypt-v1.sudoers.no-broader-grant", "fail"}},
       {"apicrypt-v1.sudoers.no-broader-grant"}},
      {"aes-not-executable", {{"apicrypt-v2.binary.apiv2aesutility", "fail"}}, {}},
      {"clefs-root-owned", {{"apicrypt-v2.keys.clefs-directory", "fail"}}, {}},
      {"clefs-missing", {{"apicrypt-v2.keys.clefs-directory", "fail"}}, {}},
      {"privatetmp-default", {{"apicrypt-v2.apache.privatetmp", "fail"}}, {}},
      {"compagnon-disabled", {{"apicrypt-v2.service.compagnon", "fail"}}, {}},
      {"compagnon-masked", {{"apicrypt-v2.service.compagnon", "fail"}}, {}},
      {"grants-missing", {{"apicrypt-v1.sudoers.grants", "fail"}}, {}},
      {"grants-dotconf", {{"apicrypt-v1.sudoers.grants", "fail"}}, {}},
      // The root-owned vhost names /srv/ehr, the .htaccess and sudoers /home/ehr:
      // the vhost wins (root-only, first in the policy), the others are a finding,
      // and nothing exists under /srv/ehr.
      {"vhost-disagrees",
       {{"apicrypt-v1.variable.ehr_root", "fail"},
        {"apicrypt-v1.binary.apicrypt", "fail"},
        {"apicrypt-v1.binary.apicryptpj", "fail"},
        {"apicrypt-v1.binary.apiuncrypt", "fail"},
        {"apicrypt-v1.binary.apiuncryptpj", "fail"},
        {"apicrypt-v1.sudoers.grants", "fail"},
        {"apicrypt-v1.sudoers.no-broader-grant", "fail"},
        {"apicrypt-v2.binary.apiv2aesutility", "fail"},
        {"apicrypt-v2.keys.clefs-directory", "fail"}},
       // Commands built on a disputed variable are withheld: every fail is manual.
       {"apicrypt-v1.variable.ehr_root", "apicrypt-v1.binary.apicrypt", "apicrypt-v1.binary.apicryptpj",
        "apicrypt-v1.binary.apiuncrypt", "apicrypt-v1.binary.apiuncryptpj", "apicrypt-v1.sudoers.grants",
        "apicrypt-v1.sudoers.no-broader-grant", "apicrypt-v2.binary.apiv2aesutility",
        "apicrypt-v2.keys.clefs-directory"}},
      // www-data planted shell syntax in the .htaccess: rejected, reported, not used.
      {"htaccess-hostile", {{"apicrypt-v1.variable.ehr_root", "fail"}}, {"apicrypt-v1.variable.ehr_root"}},
      // The fix edits the vhost through its sites-enabled symlink (checked below).
      {"php-admin-value-vhost", {{"apicrypt-v2.php.sys-temp-dir", "fail"}}, {}},
      // Apache ignores the .htaccess (AllowOverride None): so does discovery.
      {"allowoverride-none", {}, {}},
  };
  return all;
}

Statuses expected_for(const Case& c) {
  Statuses out = kCompliant;
  for (const auto& [id, status] : c.changed) out[id] = status;
  return out;
}

std::filesystem::path work_dir(const std::string& name) {
  return std::filesystem::path("/var/tmp/clinic-audit-image-tests") / name;
}

class ImageCase : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const auto& image = ImageFixture::get();
    if (image.base().empty()) GTEST_SKIP() << "image fixture unavailable: " << image.unavailable();
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(work_dir(GetParam().name), ec);
  }
};

nlohmann::json audit(const std::filesystem::path& work, std::optional<int> expected_exit) {
  const Captured run = ImageFixture::get().agent(work, {"run", "--offline", "--no-sign", "--format", "json"});
  if (expected_exit) {
    EXPECT_EQ(run.exit_code, *expected_exit) << run.err;
  }
  return parse_report(run.out);
}

TEST_P(ImageCase, ExactVerdictsThenEveryRemediationPastedWorks) {
  const Case& c = GetParam();
  const auto& image = ImageFixture::get();
  const auto work = work_dir(c.name);
  image.configure(work, c.name);
  const Statuses expected = expected_for(c);
  const bool fails = std::any_of(expected.begin(), expected.end(), [](const auto& e) { return e.second == "fail"; });
  const auto report = audit(work, fails ? 1 : 0);
  ASSERT_EQ(statuses(report), expected);

  // The image's own agent.conf was used (it sets web_user), and the EHR root
  // was discovered with its source named.
  for (const auto& v : report["variables"]) {
    if (v["name"] == "web_user") {
      EXPECT_EQ(v["origin"], "site configuration") << v;
    }
    if (v["name"] == "ehr_root" && c.name != "vhost-disagrees") {
      EXPECT_EQ(v["value"], "/home/ehr");
      EXPECT_EQ(v["origin"], "discovered");
      // Without the grants file sudo reads, the .htaccess is the only source left.
      const bool no_grants = c.name == "grants-missing" || c.name == "grants-dotconf";
      EXPECT_EQ(v["source"], no_grants ? "/home/ehr/public_html/.htaccess:1 (.htaccess, not root-only)"
                                       : "/etc/sudoers.d/apicrypt:1 (sudoers grant, only root can change it)")
          << v;
    }
    if (v["name"] == "ehr_root" && c.name == "vhost-disagrees") {
      EXPECT_EQ(v["value"], "/srv/ehr");
      EXPECT_EQ(v["source"],
                "/etc/apache2/sites-enabled/msehr.local.conf:4 (Apache configuration, only root can change it)")
          << v;
    }
    if (v["name"] == "ehr_root" && c.name == "allowoverride-none") {
      ASSERT_FALSE(v["notes"].empty());
      EXPECT_NE(v["notes"][0].get<std::string>().find(
                    "/home/ehr/public_html/.htaccess:1 sets MEDSHAKEEHRPATH but Apache ignores it there"),
                std::string::npos)
          << v["notes"];
    }
  }

  // Every failing result: commands to paste, or (listed in the case) none
  // because a person must act; never both missing and unlisted.
  std::vector<std::string> commands, fixed, manual;
  for (const auto& r : report["results"]) {
    if (r["status"] != "fail") continue;
    const std::string id = r["check_id"];
    EXPECT_FALSE(r["remediation"].get<std::string>().empty()) << id;
    if (r["remediation_commands"].empty()) {
      manual.push_back(id);
      continue;
    }
    fixed.push_back(id);
    for (const auto& command : r["remediation_commands"]) commands.push_back(command);
  }
  std::vector<std::string> expected_manual = c.manual;
  std::sort(expected_manual.begin(), expected_manual.end());
  std::sort(manual.begin(), manual.end());
  EXPECT_EQ(manual, expected_manual);
  if (commands.empty()) return;

  const Captured applied = image.apply(work, commands);
  ASSERT_EQ(applied.exit_code, 0) << "sh -e failed on the pasted remediation:\n" << applied.err;
  const auto after = audit(work, std::nullopt);
  const auto now = statuses(after);
  for (const auto& id : fixed) EXPECT_EQ(now.at(id), "pass") << id << " after pasting its remediation";
  // a2ensite's symlink is still a symlink: the fix edited its target.
  // (configure-clinic.sh made it in the case's upper layer.)
  EXPECT_TRUE(std::filesystem::is_symlink(work / "upper/etc/apache2/sites-enabled/msehr.local.conf"))
      << "the sites-enabled link was replaced by a file";
  // Fixing one thing breaks nothing else.
  for (const auto& [id, status] : now) {
    if (status == "fail") {
      EXPECT_NE(std::find(expected_manual.begin(), expected_manual.end(), id), expected_manual.end()) << id;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Issue17, ImageCase, ::testing::ValuesIn(cases()), [](const auto& param_info) {
  std::string name = param_info.param.name;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

}  // namespace
}  // namespace clinic_audit::testing
