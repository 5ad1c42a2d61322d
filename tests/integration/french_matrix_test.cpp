// Over 400 lines: one table-driven matrix (roots x policies x formats x
// languages) with the extractors of the machine and human parts of each
// format it compares, kept together.
// Issue #18 item 4, "the whole suite's text outputs in both languages": the
// agent runs on the integration tests' fixture roots (compliant and
// non-compliant), with every shipped policy, writing every format at once
// (--out), in English and in French. For each case:
//   (a) the machine parts are identical: exit code, JSON and XML structure
//       and values apart from human text and `lang`, Nagios status line and
//       perfdata, Prometheus series, JUnit test cases and failure types, the
//       text report's check ids in the same order and remediation commands;
//   (b) no catalog message appears in English in any French output;
//   (c) every French output is valid UTF-8, through a pipe (stdout) and on
//       a terminal (forkpty);
//   (d) the French text table's columns line up counted in characters.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "fixture_root.hpp"
#include "french_catalog.hpp"
#include "output_text.hpp"
#include "report_json.hpp"
#include "schema_validation.hpp"

namespace clinic_audit::testing {
namespace {

namespace fs = std::filesystem;

const char* const kRoots[] = {"apicrypt-compliant", "apicrypt-noncompliant"};
const char* const kPolicies[] = {"apicrypt-v1", "apicrypt-v2", "ekermed"};
const char* const kFormats[] = {"text", "json", "xml", "nagios", "junit", "prometheus"};

// The files of one run, by format.
struct Outputs {
  int exit_code = -1;
  std::string err;
  std::map<std::string, std::string> by_format;
};

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string format_of(const fs::path& file) {
  const std::string name = file.filename().string();
  if (name.ends_with(".junit.xml")) return "junit";
  if (name.ends_with(".nagios.txt")) return "nagios";
  if (name.ends_with(".xml")) return "xml";
  if (name.ends_with(".json")) return "json";
  if (name.ends_with(".prom")) return "prometheus";
  if (name.ends_with(".txt")) return "text";
  return name;
}

Outputs run_all_formats(const std::string& root, const std::string& policy, const std::string& lang) {
  const fs::path out = fixture_dir("out-" + policy + "-" + lang + "-" + fs::path(root).filename().string());
  fs::remove_all(out);
  fs::create_directories(out);
  // Its own state directory: the report chain (sequence, previous_sha256)
  // starts afresh for each language, and the host's /var/lib/clinic-audit
  // is left alone.
  const fs::path state = out.string() + ".state";
  fs::remove_all(state);
  std::vector<std::string> args{"--lang",    lang,        "run",   "--root",     root,          "--policy",    policy,
                                "--offline", "--no-sign", "--out", out.string(), "--state-dir", state.string()};
  for (const char* format : kFormats) {
    args.emplace_back("--format");
    args.emplace_back(format);
  }
  const AgentRun run = run_agent(args);
  Outputs outputs{run.exit_code, run.err, {}};
  for (const auto& entry : fs::directory_iterator(out))
    outputs.by_format[format_of(entry.path())] = read_all(entry.path());
  return outputs;
}

// --- (a) machine parts -----------------------------------------------------

// Fields whose value is text for people (or changes from run to run).
const std::set<std::string> kHumanJsonFields = {"title",     "summary",    "remediation",      "observed",
                                                "expected",  "notes",      "rejected_because", "lang",
                                                "report_id", "started_at", "finished_at",      "duration_ms",
                                                "timestamp"};

// `a` and `b` have the same keys, array lengths and, outside human fields,
// the same values. Differences are appended to `diff` with their path.
void compare_json(const nlohmann::json& a, const nlohmann::json& b, const std::string& path, std::string& diff) {
  if (a.type() != b.type()) {
    diff += path + ": type differs\n";
    return;
  }
  if (a.is_object()) {
    std::set<std::string> keys_a, keys_b;
    for (const auto& [key, value] : a.items()) keys_a.insert(key);
    for (const auto& [key, value] : b.items()) keys_b.insert(key);
    if (keys_a != keys_b) diff += path + ": keys differ\n";
    for (const auto& key : keys_a) {
      if (!b.contains(key) || kHumanJsonFields.count(key) != 0) continue;
      compare_json(a[key], b[key], path + "." + key, diff);
    }
  } else if (a.is_array()) {
    if (a.size() != b.size()) {
      diff += path + ": array sizes differ\n";
      return;
    }
    for (std::size_t i = 0; i < a.size(); ++i) compare_json(a[i], b[i], path + "[" + std::to_string(i) + "]", diff);
  } else if (a != b) {
    diff += path + ": " + a.dump() + " vs " + b.dump() + "\n";
  }
}

// XML elements, attributes and values in document order, human attributes
// and text left out (the report's and JUnit's).
const std::set<std::string> kHumanXmlAttributes = {"title",      "summary",          "remediation", "observed",
                                                   "expected",   "message",          "lang",        "report_id",
                                                   "started_at", "finished_at",      "duration_ms", "time",
                                                   "timestamp",  "rejected_because", "notes"};
const std::set<std::string> kHumanXmlElements = {"title",    "summary", "remediation", "observed",
                                                 "expected", "note",    "notes",       "rejected_because"};

void xml_skeleton(const pugi::xml_node& node, std::string& out) {
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() == pugi::node_element) {
      out += "<" + std::string(child.name());
      for (const pugi::xml_attribute& attr : child.attributes()) {
        out += " " + std::string(attr.name());
        if (kHumanXmlAttributes.count(attr.name()) == 0) out += "=" + std::string(attr.value());
      }
      out += ">";
      if (kHumanXmlElements.count(child.name()) == 0) xml_skeleton(child, out);
      out += "</>";
    } else if (child.type() == pugi::node_pcdata && std::string(node.name()) != "failure" &&
               std::string(node.name()) != "error" && std::string(node.name()) != "system-out") {
      out += std::string(child.value());
    }
  }
}

std::string xml_skeleton(const std::string& text) {
  pugi::xml_document doc;
  if (!doc.load_string(text.c_str())) return "not XML";
  std::string out;
  xml_skeleton(doc, out);
  return out;
}

// Nagios: the status word, the counts and the perfdata apart from duration.
std::string nagios_machine(const std::string& text) {
  const std::string first = text.substr(0, text.find('\n'));
  const auto dash = first.find(" - ");
  const auto bar = first.find('|');
  if (dash == std::string::npos || bar == std::string::npos) return "unexpected: " + first;
  return first.substr(0, dash) + first.substr(bar, first.find("'duration'") - bar);
}

// Prometheus: every sample line apart from time-dependent series.
std::vector<std::string> prometheus_series(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.find("timestamp") != std::string::npos || line.find("duration") != std::string::npos ||
        line.find("_seconds") != std::string::npos)
      continue;
    lines.push_back(line);
  }
  return lines;
}

// The text report: check ids of the table in order, and the command lines
// to paste (the lines indented under "run as root (copy these lines):"),
// which never change.
std::vector<std::string> text_machine(const std::string& text) {
  static const std::regex id(R"((apicrypt-v1|apicrypt-v2|ekermed)\.[A-Za-z0-9._-]+)");
  std::vector<std::string> out;
  std::istringstream in(text);
  std::size_t command_indent = 0;  // 0: not under a "run as root" line
  for (std::string line; std::getline(in, line);) {
    const std::size_t indent = line.find_first_not_of(' ');
    if (command_indent != 0 && indent == command_indent) {
      out.push_back("cmd " + line.substr(indent));
      continue;
    }
    command_indent = 0;
    std::smatch m;
    if (indent == 0 && !line.starts_with("variable ") && std::regex_search(line, m, id)) out.push_back("id " + m.str());
    if (line.ends_with("(copy these lines):") || line.ends_with("(copier ces lignes) :")) command_indent = indent + 2;
  }
  return out;
}

// --- (b) the human text of each format ------------------------------------

// JSON: the values of the human fields only (enum values such as
// "not_applicable" or "policy default" are machine parts and stay English).
void json_human_text(const nlohmann::json& value, const std::string& key, std::string& out) {
  static const std::set<std::string> kHuman = {"title",    "summary", "remediation",     "observed",
                                               "expected", "notes",   "rejected_because"};
  if (value.is_object()) {
    for (const auto& [k, v] : value.items()) json_human_text(v, k, out);
  } else if (value.is_array()) {
    for (const auto& v : value) json_human_text(v, key, out);
  } else if (value.is_string() && kHuman.count(key) != 0) {
    out += value.get<std::string>() + "\n";
  }
}

// XML (report and JUnit): human attributes, and the text of human elements
// and of JUnit's failure/error bodies.
void xml_human_text(const pugi::xml_node& node, std::string& out) {
  static const std::set<std::string> kHuman = {"title", "summary", "remediation", "observed", "expected",        "note",
                                               "notes", "message", "failure",     "error",    "rejected_because"};
  for (const pugi::xml_node& child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    for (const pugi::xml_attribute& attr : child.attributes()) {
      if (kHuman.count(attr.name()) == 0) continue;
      std::string value = attr.value();
      // JUnit <skipped message="not_applicable: ...">: the status is a machine part.
      if (std::string(child.name()) == "skipped") value = value.substr(std::min(value.size(), value.find(": ") + 2));
      out += value + "\n";
    }
    if (kHuman.count(child.name()) != 0) out += std::string(child.text().get()) + "\n";
    xml_human_text(child, out);
  }
}

std::string human_text(const std::string& format, const std::string& text) {
  std::string out;
  if (format == "json") {
    json_human_text(nlohmann::json::parse(text, nullptr, false), "", out);
  } else if (format == "xml" || format == "junit") {
    pugi::xml_document doc;
    if (doc.load_string(text.c_str())) xml_human_text(doc, out);
  } else if (format == "nagios") {
    // "STATUS - text | perfdata" then "FAIL [severity] id: summary" lines:
    // the status words, severities and perfdata labels are machine parts.
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      const auto dash = line.find(" - ");
      const auto colon = line.find(": ");
      if (dash != std::string::npos) out += line.substr(dash + 3, line.find('|') - dash - 3) + "\n";
      else if (colon != std::string::npos) out += line.substr(colon + 2) + "\n";
    }
  } else if (format == "text") {
    out = text;
  }  // prometheus: series names and labels only
  return out;
}

// --- (d) columns -----------------------------------------------------------

// The byte offset where character column `column` starts in `line` (its
// size when the line is shorter): counted with the renderer's own
// display_width, on code point boundaries.
std::size_t byte_offset_of_column(const std::string& line, std::size_t column) {
  for (std::size_t at = 0; at < line.size(); ++at) {
    if ((static_cast<unsigned char>(line[at]) & 0xC0) == 0x80) continue;  // inside a code point
    if (report_output::display_width(std::string_view(line).substr(0, at)) >= column) return at;
  }
  return line.size();
}

// Every table row of a text report starts its policy, check and summary
// cells at the character column of the header's titles.
std::string misaligned_rows(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string problems;
  std::size_t header = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].starts_with("ÉTAT ")) header = i;
  }
  if (header == lines.size()) return "no French table header";
  auto column = [](const std::string& line, const std::string& needle) {
    const auto at = line.find(needle);
    return at == std::string::npos ? std::string::npos : report_output::display_width(line.substr(0, at));
  };
  const auto policy_col = column(lines[header], "POLITIQUE");
  const auto check_col = column(lines[header], "CONTRÔLE");
  std::size_t rows = 0;
  for (std::size_t i = header + 1; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string& row = lines[i];
    if (row[0] == ' ') continue;  // detail lines under a row
    ++rows;
    // The cell that starts at the policy column is a policy id and the one
    // at the check column a check id starting with it.
    const std::string rest = row.substr(std::min(row.size(), byte_offset_of_column(row, policy_col)));
    const std::string policy = rest.substr(0, rest.find(' '));
    const std::string from_check = row.substr(std::min(row.size(), byte_offset_of_column(row, check_col)));
    if (policy.empty() || !from_check.starts_with(policy + ".")) problems += "misaligned: " + row + "\n";
  }
  if (rows == 0) problems += "no table row\n";
  return problems;
}

// --- the matrix ------------------------------------------------------------

struct Case {
  std::string root;
  std::string policy;
};

std::vector<Case> all_cases() {
  std::vector<Case> cases;
  for (const char* root : kRoots) {
    for (const char* policy : kPolicies) cases.push_back({root, policy});
  }
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<Case>& param_info) {
  std::string name = param_info.param.root + "_" + param_info.param.policy;
  for (char& ch : name) {
    if (ch == '-' || ch == '.') ch = '_';
  }
  return name;
}

class BothLanguages : public ::testing::TestWithParam<Case> {};

TEST_P(BothLanguages, SameMachinePartsNoEnglishValidUtf8AlignedColumns) {
  LanguageEnvironment env;
  const Case& c = GetParam();
  const std::string root = build_root(c.root);
  const Outputs en = run_all_formats(root, c.policy, "en");
  const Outputs fr = run_all_formats(root, c.policy, "fr");
  ASSERT_EQ(en.by_format.size(), std::size(kFormats)) << en.err;
  ASSERT_EQ(fr.by_format.size(), std::size(kFormats)) << fr.err;
  // (a)
  EXPECT_EQ(en.exit_code, fr.exit_code) << en.err << fr.err;
  EXPECT_TRUE(en.exit_code == 0 || en.exit_code == 1 || en.exit_code == 2) << en.err;
  const auto en_json = parse_report(en.by_format.at("json"));
  const auto fr_json = parse_report(fr.by_format.at("json"));  // schema-valid in both languages
  ASSERT_FALSE(en_json.is_null());
  ASSERT_FALSE(fr_json.is_null());
  EXPECT_EQ(en_json["lang"], "en");
  EXPECT_EQ(fr_json["lang"], "fr");
  std::string diff;
  compare_json(en_json, fr_json, "", diff);
  EXPECT_EQ(diff, "");
  EXPECT_EQ(validate_xml_report(fr.by_format.at("xml")), "");
  EXPECT_EQ(xml_skeleton(en.by_format.at("xml")), xml_skeleton(fr.by_format.at("xml")));
  EXPECT_EQ(validate_junit_report(fr.by_format.at("junit")), "");
  EXPECT_EQ(xml_skeleton(en.by_format.at("junit")), xml_skeleton(fr.by_format.at("junit")));
  EXPECT_EQ(nagios_machine(en.by_format.at("nagios")), nagios_machine(fr.by_format.at("nagios")));
  EXPECT_EQ(validate_prometheus_metrics(fr.by_format.at("prometheus")), "");
  EXPECT_EQ(prometheus_series(en.by_format.at("prometheus")), prometheus_series(fr.by_format.at("prometheus")));
  EXPECT_EQ(text_machine(en.by_format.at("text")), text_machine(fr.by_format.at("text")));
  EXPECT_FALSE(text_machine(fr.by_format.at("text")).empty());
  // (b) and (c), files and stderr
  std::string all_french = fr.err;
  for (const auto& [format, text] : fr.by_format) {
    EXPECT_TRUE(valid_utf8(text)) << format;
    all_french += human_text(format, text) + "\n";
  }
  EXPECT_TRUE(valid_utf8(fr.err)) << fr.err;
  std::string english_left;
  for (const auto& message : untranslated_in(all_french)) english_left += "  " + message + "\n";
  EXPECT_EQ(english_left, "") << all_french;
  // The same extraction from the English run does find catalog messages:
  // the comparison above is not vacuous for this case.
  std::string all_english = en.err;
  for (const auto& [format, text] : en.by_format) all_english += human_text(format, text) + "\n";
  EXPECT_GE(untranslated_in(all_english).size(), 3U) << all_english;
  // (c) through a pipe: the text report on stdout
  const AgentRun piped = run_agent({"--lang", "fr", "run", "--root", root, "--policy", c.policy, "--offline",
                                    "--no-sign", "--state-dir", fixture_dir("state-piped").string()});
  EXPECT_EQ(piped.exit_code, fr.exit_code);
  EXPECT_TRUE(valid_utf8(piped.out)) << piped.out;
  EXPECT_NE(piped.out.find("CONTRÔLE"), std::string::npos) << piped.out;
  // (d)
  EXPECT_EQ(misaligned_rows(fr.by_format.at("text")), "") << fr.by_format.at("text");
  EXPECT_EQ(misaligned_rows(piped.out), "") << piped.out;
}

INSTANTIATE_TEST_SUITE_P(RootsAndPolicies, BothLanguages, ::testing::ValuesIn(all_cases()), case_name);

// (c) on a terminal: every root and policy through forkpty, with colour.
class OnATerminal : public ::testing::TestWithParam<Case> {};

TEST_P(OnATerminal, FrenchTextIsValidUtf8AndAligned) {
  LanguageEnvironment env;
  const Case& c = GetParam();
  const std::string root = build_root(c.root);
  const std::string state = fixture_dir("state").string();
  const TerminalRun run = run_agent_on_terminal({"--lang", "fr", "--color", "always", "run", "--root", root, "--policy",
                                                 c.policy, "--offline", "--no-sign", "--state-dir", state});
  ASSERT_TRUE(WIFEXITED(run.wait_status));
  EXPECT_NE(run.output.find("\x1b["), std::string::npos);  // it did see a terminal
  const std::string text = without_colour(run.output);
  EXPECT_TRUE(valid_utf8(text)) << text;
  EXPECT_EQ(misaligned_rows(text), "") << text;
}

INSTANTIATE_TEST_SUITE_P(RootsAndPolicies, OnATerminal, ::testing::ValuesIn(all_cases()), case_name);

}  // namespace
}  // namespace clinic_audit::testing
