// Over 400 lines: every language-dependent output of the agent, checked in
// both languages against the catalog, kept together (issue #18 item 4).
// Issue #18 items 3 and 4: the agent speaks French when asked (LANG,
// agent.conf's <language>, --lang), every catalog message in French output
// is translated (compared with po/clinic-audit.pot and po/fr.po, not with a
// word list), machine fields do not change with the language, French output
// is valid UTF-8 through a pipe and on a terminal.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "fixture_root.hpp"
#include "french_catalog.hpp"
#include "i18n.hpp"
#include "render_text.hpp"
#include "output_text.hpp"
#include "report_json.hpp"
#include "schema_validation.hpp"

namespace clinic_audit::testing {
namespace {

AgentRun audit(const std::string& root, const std::vector<std::string>& extra) {
  std::vector<std::string> args{"run",      "--root",      root,        "--policy", "apicrypt-v1",
                                "--policy", "apicrypt-v2", "--offline", "--no-sign"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_agent(args);
}

// --- tests -----------------------------------------------------------------

// msgfmt --check does not know fmt's {N}: every placeholder of a message is
// in its translation and the translation invents none (a missing one would
// drop a path from the French report; an extra one falls back to English).
TEST(FrenchCatalog, TranslationsKeepEveryPlaceholder) {
  auto placeholders = [](const std::string& text) {
    std::multiset<std::string> out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '{') {
        ++i;
        continue;
      }
      if (text[i] != '{') continue;
      const auto close = text.find('}', i);
      if (close == std::string::npos) break;
      out.insert(text.substr(i, close - i + 1));
      i = close;
    }
    return std::set<std::string>(out.begin(), out.end());
  };
  const auto catalog = french_catalog();
  ASSERT_GT(catalog.size(), 300U);
  for (const auto& [msgid, msgstr] : catalog) {
    EXPECT_FALSE(msgstr.empty()) << msgid;
    EXPECT_EQ(placeholders(msgid), placeholders(msgstr)) << msgid << "\n -> " << msgstr;
  }
}

TEST(FrenchOutput, TextReportInBothLanguagesSameVerdicts) {
  LanguageEnvironment env;
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun en = audit(root, {"--format", "text"});
  const AgentRun fr = audit(root, {"--format", "text", "--lang", "fr"});
  EXPECT_EQ(en.exit_code, 1) << en.err;
  EXPECT_EQ(fr.exit_code, en.exit_code) << fr.err;
  for (const char* english : {"STATUS", "SEVERITY", "POLICY", "CHECK", "SUMMARY", "FAIL", "NOT COMPLIANT", "checks:"}) {
    EXPECT_NE(en.out.find(english), std::string::npos) << english << "\n" << en.out;
  }
  for (const char* french :
       {"ÉTAT", "GRAVITÉ", "POLITIQUE", "CONTRÔLE", "RÉSUMÉ", "ÉCHEC", "NON CONFORME",
        "contrôles :", "constaté :", "attendu :", "correction :", "à exécuter en root (copier ces lignes) :"}) {
    EXPECT_NE(fr.out.find(french), std::string::npos) << french << "\n" << fr.out;
  }
  // The same check ids, the same remediation commands (commands never change).
  for (const char* id :
       {"apicrypt-v1.binary.apicrypt", "apicrypt-v1.sudoers.grants", "apicrypt-v2.keys.clefs-directory"}) {
    EXPECT_NE(fr.out.find(id), std::string::npos) << id;
  }
  auto commands = [](const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      const auto trimmed = line.substr(std::min(line.size(), line.find_first_not_of(' ')));
      if (trimmed.starts_with("chown ") || trimmed.starts_with("chmod ")) lines.push_back(trimmed);
    }
    return lines;
  };
  EXPECT_FALSE(commands(en.out).empty()) << en.out;
  EXPECT_EQ(commands(fr.out), commands(en.out));
}

TEST(FrenchOutput, NoCatalogMessageLeftInEnglish) {
  LanguageEnvironment env;
  const auto root = build_root("apicrypt-noncompliant");
  std::string all;
  const std::vector<std::vector<std::string>> commands{
      {"--lang", "fr", "run", "--root", root, "--policy", "apicrypt-v1", "--policy", "apicrypt-v2", "--offline",
       "--no-sign"},
      {"--lang", "fr", "run", "--root", root, "--policy", "ekermed", "--no-sign"},  // --root: probes skipped
      {"--lang", "fr", "explain", "apicrypt-v1.binary.apicrypt"},
      {"--lang", "fr", "explain", "ekermed.media"},
      {"--lang", "fr", "list"},
      {"--lang", "fr", "list", "--types"},
      {"--lang", "fr", "run", "--policy", "apicrypt-v3", "--offline", "--only", "nothing"},
      {"--lang", "fr", "--help-all"},
      {"--lang", "fr", "run", "--help"},
      {"--lang", "fr", "runn"},
      {"--lang", "fr", "run", "--offline", "--only", "nothing.at.all", "--root", root},
      {"--lang", "fr", "-v", "-q", "version"},
  };
  for (const auto& args : commands) {
    const AgentRun run = run_agent(args);
    all += run.out + "\n" + run.err + "\n";
  }
  ASSERT_NE(all.find("ÉCHEC"), std::string::npos) << all;
  ASSERT_NE(all.find("Sous-commandes"), std::string::npos) << all;
  const auto untranslated = untranslated_in(all);
  std::string list;
  for (const auto& message : untranslated) list += "  " + message + "\n";
  EXPECT_TRUE(untranslated.empty()) << "English catalog messages in French output:\n"
                                    << list << "\n--- output:\n"
                                    << all;
}

TEST(FrenchOutput, TheDetectorFindsAnUntranslatedMessage) {
  // The same comparison on English output must find catalog messages: the
  // test above cannot pass by comparing nothing.
  LanguageEnvironment env;
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun en = audit(root, {"--format", "text"});
  const auto found = untranslated_in(en.out);
  EXPECT_GE(found.size(), 5U) << en.out;
}

TEST(FrenchOutput, ChoiceFromEnvironmentConfigurationAndOption) {
  const auto root = build_root("apicrypt-noncompliant");
  const auto config_dir = fixture_dir("config");
  std::filesystem::create_directories(config_dir);
  const auto fr_conf = (config_dir / "fr.conf").string();
  const auto en_conf = (config_dir / "en.conf").string();
  std::ofstream(fr_conf) << "<agent-config xmlns=\"urn:clinic-audit:config:1\"><language>fr</language></agent-config>\n";
  std::ofstream(en_conf) << "<agent-config xmlns=\"urn:clinic-audit:config:1\"><language>en</language></agent-config>\n";
  auto lang_of = [&](const std::map<std::string, std::string>& env, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"run", "--root", root, "--policy", "apicrypt-v1", "--offline", "--no-sign"};
    args.insert(args.end(), extra.begin(), extra.end());
    const AgentRun run = run_agent(args, env);
    if (run.out.find("NON CONFORME") != std::string::npos) return std::string("fr");
    if (run.out.find("NOT COMPLIANT") != std::string::npos) return std::string("en");
    return "neither: " + run.out + run.err;
  };
  // Whether fr_FR.UTF-8 is generated on this machine or not: not needed.
  EXPECT_EQ(lang_of({}, {}), "en");
  EXPECT_EQ(lang_of({{"LANG", "fr_FR.UTF-8"}}, {}), "fr");
  EXPECT_EQ(lang_of({{"LANG", "fr_FR.UTF-8"}, {"LC_MESSAGES", "en_US.UTF-8"}}, {}), "en");
  EXPECT_EQ(lang_of({{"LC_ALL", "fr_CA.UTF-8"}, {"LC_MESSAGES", "en_US.UTF-8"}}, {}), "fr");
  EXPECT_EQ(lang_of({{"LANG", "de_DE.UTF-8"}, {"LANGUAGE", "fr:en"}}, {}), "fr");
  EXPECT_EQ(lang_of({{"LC_ALL", "fr_FR.UTF-8"}}, {"--lang", "en"}), "en");
  EXPECT_EQ(lang_of({{"LC_ALL", "fr_FR.UTF-8"}}, {"--config", en_conf}), "en");
  EXPECT_EQ(lang_of({}, {"--config", fr_conf}), "fr");
  EXPECT_EQ(lang_of({}, {"--config", fr_conf, "--lang", "en"}), "en");
  EXPECT_EQ(lang_of({}, {"--lang=fr"}), "fr");
  // A bad value is a usage error naming the choices.
  const AgentRun bad = run_agent({"--lang", "de", "version"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("fr"), std::string::npos) << bad.err;
}

TEST(FrenchOutput, MachineFieldsDoNotChangeAndReportsRecordLang) {
  LanguageEnvironment env;
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun en = audit(root, {"--format", "json"});
  const AgentRun fr = audit(root, {"--format", "json", "--lang", "fr"});
  const auto en_report = parse_report(en.out);
  const auto fr_report = parse_report(fr.out);  // schema-valid with lang
  ASSERT_FALSE(en_report.is_null());
  ASSERT_FALSE(fr_report.is_null());
  EXPECT_EQ(en_report["lang"], "en");
  EXPECT_EQ(fr_report["lang"], "fr");
  EXPECT_EQ(statuses(en_report), statuses(fr_report));
  ASSERT_EQ(en_report["results"].size(), fr_report["results"].size());
  for (std::size_t i = 0; i < en_report["results"].size(); ++i) {
    const auto& a = en_report["results"][i];
    const auto& b = fr_report["results"][i];
    for (const char* field : {"check_id", "policy_id", "type", "severity", "status", "remediation_commands"}) {
      EXPECT_EQ(a[field], b[field]) << field;
    }
    std::set<std::string> keys_a, keys_b;
    for (const auto& [key, value] : a.items()) keys_a.insert(key);
    for (const auto& [key, value] : b.items()) keys_b.insert(key);
    EXPECT_EQ(keys_a, keys_b);
  }
  EXPECT_EQ(en_report["summary"], fr_report["summary"]);

  const AgentRun en_xml = audit(root, {"--format", "xml"});
  const AgentRun fr_xml = audit(root, {"--format", "xml", "--lang", "fr"});
  EXPECT_EQ(validate_xml_report(fr_xml.out), "") << fr_xml.out;
  EXPECT_NE(fr_xml.out.find("lang=\"fr\""), std::string::npos);
  EXPECT_NE(en_xml.out.find("lang=\"en\""), std::string::npos);

  // Nagios: the status word and the performance data are the same.
  const AgentRun en_nagios = audit(root, {"--format", "nagios"});
  const AgentRun fr_nagios = audit(root, {"--format", "nagios", "--lang", "fr"});
  EXPECT_EQ(en_nagios.exit_code, fr_nagios.exit_code);
  EXPECT_EQ(en_nagios.out.substr(0, en_nagios.out.find(" - ")), fr_nagios.out.substr(0, fr_nagios.out.find(" - ")));
  auto perfdata = [](const std::string& text) {  // without the run's duration
    const auto bar = text.find('|');
    return text.substr(bar, text.find("'duration'") - bar);
  };
  EXPECT_EQ(perfdata(en_nagios.out), perfdata(fr_nagios.out));

  // Prometheus: the same series, labels and values apart from timestamps.
  const AgentRun en_prom = audit(root, {"--format", "prometheus"});
  const AgentRun fr_prom = audit(root, {"--format", "prometheus", "--lang", "fr"});
  EXPECT_EQ(validate_prometheus_metrics(fr_prom.out), "");
  auto series = [](const std::string& text) {
    std::vector<std::string> names;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line.find("timestamp") != std::string::npos || line.find("duration") != std::string::npos ||
          line.find("_seconds") != std::string::npos)
        continue;
      names.push_back(line);
    }
    return names;
  };
  EXPECT_EQ(series(en_prom.out), series(fr_prom.out));

  // JUnit: the same test cases and failure types.
  const AgentRun fr_junit = audit(root, {"--format", "junit", "--lang", "fr"});
  EXPECT_EQ(validate_junit_report(fr_junit.out), "") << fr_junit.out;
  EXPECT_NE(fr_junit.out.find("name=\"apicrypt-v1.binary.apicrypt\""), std::string::npos) << fr_junit.out;
}

TEST(FrenchOutput, ValidUtf8ThroughAPipe) {
  LanguageEnvironment env;
  const auto root = build_root("apicrypt-noncompliant");
  const AgentRun fr = audit(root, {"--format", "text", "--lang", "fr"});
  ASSERT_NE(fr.out.find("ÉCHEC"), std::string::npos);
  EXPECT_TRUE(valid_utf8(fr.out)) << fr.out;
  EXPECT_TRUE(valid_utf8(fr.err)) << fr.err;
}

TEST(FrenchOutput, ValidUtf8OnATerminal) {
  LanguageEnvironment env;
  const auto root = build_root("apicrypt-noncompliant");
  const TerminalRun run = run_agent_on_terminal({"--lang", "fr", "--color", "always", "run", "--root", root, "--policy",
                                                 "apicrypt-v1", "--offline", "--no-sign"});
  ASSERT_TRUE(WIFEXITED(run.wait_status));
  EXPECT_EQ(WEXITSTATUS(run.wait_status), 1) << run.output;
  const std::string text = without_colour(run.output);
  ASSERT_NE(text.find("ÉCHEC"), std::string::npos) << text;
  EXPECT_NE(run.output.find("\x1b["), std::string::npos);  // it did see a terminal
  EXPECT_TRUE(valid_utf8(text)) << text;
}

// Columns are counted in characters: "ÉCHEC" (5 characters, 6 bytes),
// "DÉROGATION", "élevée" must not shift the columns after them.
TEST(FrenchOutput, TableColumnsAlignWithAccentedWords) {
  ASSERT_EQ(i18n::set_language(i18n::Language::fr), std::nullopt);
  Report report;
  report.agent_version = "0";
  report.host.hostname = "poste-accueil";
  auto add = [&](Status status, Severity severity, const std::string& id) {
    ResultRecord r;
    r.check_id = id;
    r.policy_id = "politique-été";
    r.type = "file";
    r.title = "t";
    r.status = status;
    r.severity = severity;
    r.summary = "résumé de " + id;
    report.results.push_back(r);
  };
  add(Status::fail, Severity::high, "a.échec");
  add(Status::waived, Severity::critical, "b");
  add(Status::pass, Severity::low, "c.réussi");
  add(Status::not_applicable, Severity::medium, "d");
  add(Status::skipped, Severity::info, "e");
  const std::string text = render_text(report, false);
  i18n::set_language(i18n::Language::en);
  // Character column of `needle` in each line that holds it.
  auto column = [](const std::string& line, const std::string& needle) {
    const auto at = line.find(needle);
    return at == std::string::npos ? std::string::npos : report_output::display_width(line.substr(0, at));
  };
  std::istringstream in(text);
  std::string header;
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("ÉTAT")) header = line;
    if (line.find("politique-été") != std::string::npos) rows.push_back(line);
  }
  ASSERT_FALSE(header.empty()) << text;
  ASSERT_EQ(rows.size(), 5U) << text;
  const auto policy_column = column(header, "POLITIQUE");
  const auto check_column = column(header, "CONTRÔLE");
  const auto summary_column = column(header, "RÉSUMÉ");
  ASSERT_NE(column(header, "GRAVITÉ"), std::string::npos);
  for (const auto& row : rows) {
    EXPECT_EQ(column(row, "politique-été"), policy_column) << text;
    EXPECT_EQ(column(row, "résumé de"), summary_column) << text;
    const auto id_column = column(row, "  a.échec") != std::string::npos    ? column(row, "  a.échec") + 2
                           : column(row, "  c.réussi") != std::string::npos ? column(row, "  c.réussi") + 2
                                                                            : check_column;
    EXPECT_EQ(id_column, check_column) << text;
  }
  EXPECT_NE(text.find("DÉROGATION"), std::string::npos) << text;
  EXPECT_NE(text.find("élevée"), std::string::npos) << text;
}

}  // namespace
}  // namespace clinic_audit::testing
