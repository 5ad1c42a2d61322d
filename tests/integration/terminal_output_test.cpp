// Issue #20 item 1 (output part): terminal control characters from the
// audited machine (a plugin's output, a file name, /etc/hostname) never
// reach the technician's terminal raw. Text and nagios show them as visible
// escapes (\x1b), log lines too; JSON and XML stay valid (schema-checked by
// parse_report) with U+FFFD in their place.
#include <gtest/gtest.h>

#include <fstream>

#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

// Bytes a terminal would act on: ESC, BEL, CR, BS, C1 CSI (C2 9B), and an
// invalid byte (FF).
const std::string kHostile = "\x1b[2J\x1b]0;owned\x07\r\b\xc2\x9b"
                             "31m\xff";

bool has_raw_controls(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b || c == 0x07 || c == '\r' || c == '\b' || c == 0xff) return true;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x9b) return true;
  }
  return false;
}

class TerminalOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    FixtureRoot dir(fixture_dir("files"));
    plugin_ = dir.host("/loud.sh").string();
    // printf with octal escapes: the plugin prints the hostile bytes itself.
    dir.file("/loud.sh",
             "#!/bin/sh\nprintf 'CRITICAL - \\033[2J\\033]0;owned\\007\\r\\b\\302\\23331m\\377 end\\n'\nexit 2\n",
             0755);
    // A policy file whose own name holds ESC, for the log line naming it.
    policy_ = dir.path().string() + "/pol\x1b[31micy.xml";
    std::ofstream(policy_) << "<?xml version=\"1.0\"?>\n<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"loud\" "
                              "version=\"1\">\n  <title>t</title><description>d</description>\n"
                              "  <check id=\"loud.plugin\" type=\"exec\" severity=\"high\"><title>t</title>"
                              "<rationale>r</rationale><remediation>none</remediation>"
                              "<reference seed=\"s\" section=\"s\"/><param name=\"command\">"
                           << plugin_ << "</param><param name=\"network\">false</param></check>\n</policy>\n";
  }
  AgentRun audit(const std::string& format, bool verbose = false) {
    std::vector<std::string> args{"run", "--policy", policy_, "--offline", "--no-sign", "--format", format};
    if (verbose) args.push_back("--verbose");
    return run_agent(args);
  }
  std::string plugin_, policy_;
};

TEST_F(TerminalOutput, TextShowsControlsAsEscapes) {
  const AgentRun run = audit("text");
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_FALSE(has_raw_controls(run.out)) << run.out;
  EXPECT_NE(run.out.find("CRITICAL - \\x1b[2J\\x1b]0;owned\\x07\\r\\x08\\u009b31m\\xff end"), std::string::npos)
      << run.out;
}

TEST_F(TerminalOutput, NagiosShowsControlsAsEscapes) {
  const AgentRun run = audit("nagios");
  EXPECT_EQ(run.exit_code, 2) << run.err;  // CRITICAL: a high-severity fail
  EXPECT_FALSE(has_raw_controls(run.out)) << run.out;
  EXPECT_NE(run.out.find("FAIL [high] loud.plugin: CRITICAL - \\x1b[2J\\x1b]0;owned\\x07\\r\\x08\\u009b31m\\xff end\n"),
            std::string::npos)
      << run.out;
}

TEST_F(TerminalOutput, JsonAndXmlStayValidWithReplacementCharacters) {
  const AgentRun json = audit("json");
  EXPECT_EQ(json.exit_code, 1) << json.err;
  const auto r = result_of(parse_report(json.out), "loud.plugin");  // schema-validated
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(r["summary"],
            "CRITICAL - " + fffd + "[2J" + fffd + "]0;owned" + fffd + "\r" + fffd + fffd + "31m" + fffd + " end");
  const AgentRun xml = audit("xml");
  EXPECT_EQ(xml.exit_code, 1) << xml.err;
  std::string without_cr = xml.out;  // CR is an XML character, kept (or written &#13;)
  std::erase(without_cr, '\r');
  EXPECT_FALSE(has_raw_controls(without_cr)) << xml.out;
  EXPECT_NE(xml.out.find("]0;owned"), std::string::npos);
}

TEST_F(TerminalOutput, LogLinesShowControlsAsEscapes) {
  const AgentRun run = audit("json", true);
  EXPECT_FALSE(has_raw_controls(run.err)) << run.err;
  EXPECT_NE(run.err.find("loading policy " + std::filesystem::path(policy_).parent_path().string() +
                         "/pol\\x1b[31micy.xml"),
            std::string::npos)
      << run.err;
}

TEST(TerminalOutputErrors, PolicyErrorsNamingAHostileFileAreEscaped) {
  const auto dir = fixture_dir("bad");
  std::filesystem::create_directories(dir);
  const std::string file = dir.string() + "/bad\x1b]0;x\x07.xml";
  std::ofstream(file) << "<policy";
  const AgentRun run = run_agent({"run", "--policy", file, "--offline", "--no-sign"});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_FALSE(has_raw_controls(run.err)) << run.err;
  EXPECT_NE(run.err.find("error 1: " + dir.string() + "/bad\\x1b]0;x\\x07.xml:1: "), std::string::npos) << run.err;
}

}  // namespace
}  // namespace clinic_audit::testing
