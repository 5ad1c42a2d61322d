// The collector as it is deployed and audited (issue #11 items 1, 9, 10):
// the packaged configuration, the errors a configuration shows only when
// used, export's misleading argument combinations, and verify on the rows
// export and the dashboard read beside each report's bytes.
#include <gtest/gtest.h>

#include <filesystem>

#include "collector_harness.hpp"

namespace clinic_audit::collector::test {
namespace {

const std::string kMachineA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

// As deployed: the packaged conffile parses (its comment held "--", which
// XML forbids: every command failed on it), and what is wrong only when
// used is refused at load time, exit 65, naming file and line, or names
// the file and the fix.
TEST(CollectorCli, DeployedConfigurationErrorsAreNamedAndExit65) {
  Collector collector("", false);
  const auto run = [&](const std::string& config_text, const std::string& command) {
    write_file(collector.dir() / "t.conf", config_text);
    return sh(quote(collector_binary()) + " --config " + quote(collector.dir() / "t.conf") + " " + command);
  };
  const std::string head = "<collector-config xmlns=\"urn:clinic-audit:collector:1\">\n";
  const std::string data = "  <data-dir>" + (collector.dir() / "fresh").string() + "</data-dir>\n";

  const Shell shipped =
      sh(quote(collector_binary()) + " --config " +
         quote(std::string(CA_SOURCE_DIR_FOR_TESTS) + "/installer/collector/collector.conf") + " token list");
  EXPECT_EQ(shipped.output.find("collector.conf:1"), std::string::npos) << shipped.output;
  for (char line = '2'; line <= '9'; ++line) {
    EXPECT_EQ(shipped.output.find(std::string("collector.conf:") + line), std::string::npos) << shipped.output;
  }

  Shell bad = run(head + "  <listen address=\"localhost\" port=\"8443\"/>\n" + data + "</collector-config>\n", "init");
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.output.find("t.conf:2:"), std::string::npos) << bad.output;
  for (const char* url : {"mysql://x/y", "sqlite:"}) {
    bad = run(head + "  <listen port=\"8443\"/>\n  <database url=\"" + url + "\"/>\n</collector-config>\n", "init");
    EXPECT_EQ(bad.exit_code, 65) << url << ": " << bad.output;
    EXPECT_NE(bad.output.find("t.conf:3:"), std::string::npos) << url << ": " << bad.output;
  }
  // A PostgreSQL URL's password never appears in a message.
  bad =
      run(head +
              "  <listen port=\"8443\"/>\n  <database url=\"postgresql://u:S3CRETPW@[bad/db\"/>\n</collector-config>\n",
          "init");
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(bad.output.find("S3CRETPW"), std::string::npos) << bad.output;
  // A relative sqlite: path is the configuration's directory's, not the
  // working directory's (systemd's is /).
  write_file(collector.dir() / "t.conf", head + "  <listen port=\"8443\"/>\n" + data +
                                             "  <database url=\"sqlite:relative.db\"/>\n</collector-config>\n");
  const Shell relative =
      sh("cd / && " + quote(collector_binary()) + " --config " + quote(collector.dir() / "t.conf") + " init");
  EXPECT_EQ(relative.exit_code, 0) << relative.output;
  EXPECT_TRUE(std::filesystem::exists(collector.dir() / "relative.db"));

  // Only init creates the database: a root `token list` made one the
  // service's user could not write.
  const std::string fresh = head + "  <listen port=\"8443\"/>\n" + data + "</collector-config>\n";
  bad = run(fresh, "token list");
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.output.find("no database"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(collector.dir() / "fresh" / "collector.db"));
  // serve without the server's certificate names it.
  ASSERT_EQ(run(fresh, "init").exit_code, 0);
  bad = run(fresh, "serve");
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.output.find((collector.dir() / "fresh" / "server.crt").string()), std::string::npos) << bad.output;
  // A region's own CA certificate (no key here) is never replaced by
  // init --create-ca, nor is anything written.
  const Shell own = sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                       quote(collector.dir() / "own.key") + " -subj /CN=own-region -days 30 -out " +
                       quote(collector.dir() / "fresh" / "ca.crt"));
  ASSERT_EQ(own.exit_code, 0) << own.output;
  const std::string before = read_file(collector.dir() / "fresh" / "ca.crt");
  bad = run(fresh, "init --create-ca");
  EXPECT_EQ(bad.exit_code, 65) << bad.output;
  EXPECT_EQ(read_file(collector.dir() / "fresh" / "ca.crt"), before);
  EXPECT_FALSE(std::filesystem::exists(collector.dir() / "fresh" / "ca.key"));
  EXPECT_FALSE(std::filesystem::exists(collector.dir() / "fresh" / "server.key"));
}

// export's argument combinations that would mislead: refused before any output.
TEST(CollectorExport, PolicyWithHistoryAndOriginalsIntoAFileAreUsageErrors) {
  Collector collector("", false);
  Shell both = collector.cli("export --history --policy apicrypt-v1");
  EXPECT_EQ(both.exit_code, 64) << both.output;
  write_file(collector.dir() / "a-file", "x");
  const Shell file = collector.cli("export --history --originals " + quote(collector.dir() / "a-file"));
  EXPECT_EQ(file.exit_code, 64) << file.output;
  EXPECT_EQ(file.output.find("report_id"), std::string::npos) << "a CSV header was written: " << file.output;
  EXPECT_EQ(collector.cli("export --at 2026-11-31").exit_code, 64);
}

// What export and the dashboard read beside the bytes (the result rows, the
// counts, the host's latest report) is checked against the bytes too: an
// edit there passed `verify` while `export` printed it.
TEST(CollectorVerify, NamesEditedResultsCountsAndAMissingLatestReport) {
  Collector collector;
  const AgentIdentity a = collector.issue("cab-a", kMachineA);
  const SignedReport a1 = collector.make_report(a, seq(1));
  ASSERT_EQ(collector.submit(a1, &a).status, 201);
  const SignedReport a2 = collector.make_report(a, seq(2, a1.sha256));
  ASSERT_EQ(collector.submit(a2, &a).status, 201);
  collector.stop();
  const std::string db = quote(collector.dir() / "data" / "collector.db");
  const auto copy = collector.dir() / "pristine.db";
  std::filesystem::copy_file(collector.dir() / "data" / "collector.db", copy);
  const auto tampered = [&](const std::string& sql) {
    std::filesystem::copy_file(copy, collector.dir() / "data" / "collector.db",
                               std::filesystem::copy_options::overwrite_existing);
    EXPECT_EQ(sh("sqlite3 " + db + " " + quote(sql)).exit_code, 0) << sql;
    std::string output;
    EXPECT_FALSE(collector.verify_passes(&output)) << sql;
    return output;
  };
  std::string output;
  ASSERT_TRUE(collector.verify_passes(&output)) << output;
  for (const char* sql :
       {"UPDATE results SET status = CASE status WHEN 'pass' THEN 'fail' ELSE 'pass' END WHERE position = 0",
        "UPDATE results SET summary = 'all fine' WHERE position = 0", "UPDATE reports SET n_pass = n_pass + 1",
        "UPDATE reports SET compliant = 1 - compliant", "UPDATE reports SET hostname = 'elsewhere'",
        "DELETE FROM results WHERE position = 0"}) {
    const std::string found = tampered(sql);
    EXPECT_NE(found.find("differ from the report's bytes"), std::string::npos) << sql << "\n" << found;
  }
  const std::string gone = tampered("DELETE FROM reports WHERE sequence = 2");
  EXPECT_NE(gone.find("latest report"), std::string::npos) << gone;
}

}  // namespace
}  // namespace clinic_audit::collector::test
