// Issue #19 item 5: libxml2 off the agent's default path. The two parsers
// behind XmlDocument give the same element tree (pugixml on the default
// path, libxml2 reached through dlopen otherwise); the strict XML subset and
// the agent.conf fast check accept nothing libxml2 refuses; the binary does
// not link libxml2 and a default run never loads it, while the paths that
// need it still do.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "config/agent_config_fast.hpp"
#include "fixture_root.hpp"
#include "policy/load_error.hpp"
#include "policy/xml_document.hpp"
#include "run_agent.hpp"
#include "xml/libxml2_api.hpp"
#include "xml/pugi_tree.hpp"
#include "xml/xml_subset.hpp"

namespace clinic_audit {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write(const fs::path& file, std::string_view text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

// The slow path's tree: libxml2, no schema (only parsing is compared here).
xml::XmlElement libxml2_tree(std::string_view content) {
  return *XmlDocument::load_with_libxml2(content, "t.xml", {}, XmlDocument::Schema::already_validated).root();
}

TEST(XmlTrees, EveryPolicyFileGivesTheSameTreeWithBothParsers) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(testing::source_dir() / "policies")) {
    if (entry.path().extension() == ".xml") files.push_back(entry.path());
  }
  for (const auto& entry : fs::recursive_directory_iterator(testing::source_dir() / "tests" / "fixtures")) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml" &&
        read(entry.path()).find("urn:clinic-audit:policy:1") != std::string::npos) {
      files.push_back(entry.path());
    }
  }
  ASSERT_GE(files.size(), 3U);
  int compared = 0;
  for (const auto& file : files) {
    const std::string text = read(file);
    xml::XmlElement slow;
    try {
      slow = libxml2_tree(text);
    } catch (const LoadFailure&) {
      continue;  // not well-formed, or a DOCTYPE: never read by pugixml
    }
    const xml::XmlElement fast = xml::tree_from_pugixml(text);
    EXPECT_EQ(xml::first_difference(slow, fast), "") << file;
    ++compared;
  }
  EXPECT_GE(compared, 3);
}

TEST(XmlTrees, LinesTextAndAttributesAsLibxml2GivesThem) {
  const std::string text =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
      "<!-- a comment > with <markup> -->\n"
      "<p:root xmlns:p=\"urn:x\" xmlns=\"urn:d\" a=\"1\"\n"
      "   b='two\tthree\nfour'\n"
      "   c=\"x > y\"\n"
      ">\n"
      "  <item xml:lang=\"fr\" q=\"&amp;&lt;&#65;\">t&amp;x<![CDATA[ <raw> ]]>&#x263A;<!-- no --><?pi not text?></item>\r\n"
      "  <empty/>\n"
      "  <nested\n    deep=\"1\"\n    ><a>1</a>  <b\n/><p:c>3</p:c></nested>\n"
      "  <blank>   </blank>\n"
      "</p:root>\n";
  const xml::XmlElement slow = libxml2_tree(text);
  const xml::XmlElement fast = xml::tree_from_pugixml(text);
  EXPECT_EQ(xml::first_difference(slow, fast), "");
  EXPECT_EQ(fast.ns, "urn:x");
  EXPECT_EQ(fast.line, 7);  // the '>' that ends the start tag (b's value holds a line break)
  ASSERT_EQ(fast.children.size(), 4U);
  EXPECT_EQ(fast.children[0].ns, "urn:d");
  EXPECT_EQ(fast.children[0].text, "t&x <raw> \xE2\x98\xBA");
  EXPECT_EQ(fast.children[2].line, 12);
  EXPECT_EQ(fast.children[3].text, "   ");
}

TEST(XmlSubset, DocumentsInsideItParseWithoutAnyLibxml2Message) {
  const char* const inside[] = {
      "<a/>",
      "\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8'?>\n<a x=\"1\" y='&lt;2&gt;'>t&amp;<!-- c --><b/></a>\n<!-- end -->\n",
      "<?xml version=\"1.0\"?><a\n\tx = \"1\"\n></a >",
      "<a>\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 ] ]> -></a>",
      "<agent-config xmlns=\"urn:clinic-audit:config:1\"><policy>apicrypt-v1</policy></agent-config>",
  };
  for (const char* text : inside) {
    EXPECT_TRUE(xml::within_strict_subset(text)) << text;
    // Any error or warning from libxml2 would be a LoadFailure here.
    EXPECT_NO_THROW(libxml2_tree(text)) << text;
    EXPECT_EQ(xml::first_difference(libxml2_tree(text), xml::tree_from_pugixml(text)), "") << text;
  }
}

TEST(XmlSubset, RefusesWhatLibxml2RefusesOrPugixmlReadsDifferently) {
  const char* const outside[] = {
      "",
      "<!DOCTYPE a><a/>",
      "<a><![CDATA[x]]></a>",
      "<a>&#65;</a>",
      "<a>&nbsp;</a>",
      "<a>&amp</a>",
      "<a x=\"1\" x=\"2\"/>",
      "<a x=\"1\"y=\"2\"/>",
      "<a x=\"<\"/>",
      "<a x=1/>",
      "<a>]]></a>",
      "<a><!-- x -- y --></a>",
      "<a><!-- x ---></a>",
      "<a></b>",
      "<a>",
      "<a/><b/>",
      "<a/>text",
      "text<a/>",
      "<?pi?><a/>",
      "<a><?pi x?></a>",
      "<p:a xmlns:p=\"u\"/>",
      "<?xml version=\"1.1\"?><a/>",
      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
      " <?xml version=\"1.0\"?><a/>",
      "<a>\x01</a>",
      "<a>\xC3</a>",
      "<a>\xC0\x80</a>",
      "<a>\xED\xA0\x80</a>",
      "<a>\xEF\xBF\xBE</a>",
      "<1a/>",
      "< a/>",
      "<a/ >",
  };
  for (const char* text : outside) EXPECT_FALSE(xml::within_strict_subset(text)) << text;
}

// --- agent.conf -------------------------------------------------------------

const char* const kFullConfig =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- /etc/clinic-audit/agent.conf -->\n"
    "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n"
    "  <policy>apicrypt-v1</policy>\n"
    "  <policy>/etc/clinic-audit/policies/site.xml</policy>\n"
    "  <variable name=\"web_user\">www-data</variable>\n"
    "  <variable name=\"_x1\"> spaced &amp; text </variable>\n"
    "  <waiver check=\"apicrypt-v1.binary.apicrypt\" expires=\"2028-02-29\">replaced in March</waiver>\n"
    "  <reports keep=\"100000\"/>\n"
    "  <proxy url=\"http://proxy.clinic.example:3128\"/>\n"
    "  <collector url=\"https://collector.example/api/v1\" retry-base-ms=\"2000\" retry-cap-ms=\"86400000\"\n"
    "             max-attempts=\"8\" max-run-seconds=\"900\" timeout-seconds=\"600\"/>\n"
    "  <spool max-reports=\"1000\" max-bytes=\"1099511627776\"/>\n"
    "  <signing key=\"/etc/clinic-audit/agent.key\" cert=\"/etc/clinic-audit/agent.crt\" chain=\"\"/>\n"
    "  <language>fr</language>\n"
    "</agent-config>\n";

fs::path config_xsd() { return testing::source_dir() / "agent" / "config" / "agent-config.xsd"; }

// The fast path's verdict on `text`: accepted without libxml2?
bool fast_accepts(std::string_view text) {
  if (!xml::within_strict_subset(text)) return false;
  try {
    return agent_config_certainly_valid(xml::tree_from_pugixml(text));
  } catch (const xml::XmlSyntaxError&) {
    return false;
  }
}

// Whenever the fast path accepts, libxml2 validates the same bytes against
// the schema without a message and builds the same tree.
void expect_sound(std::string_view text) {
  if (!fast_accepts(text)) return;
  try {
    const XmlDocument slow = XmlDocument::load_with_libxml2(text, "agent.conf", config_xsd());
    EXPECT_EQ(xml::first_difference(*slow.root(), xml::tree_from_pugixml(text)), "") << text;
  } catch (const LoadFailure& e) {
    ADD_FAILURE() << "fast path accepted what libxml2 refuses: " << e.what() << "\n" << text;
  }
}

TEST(AgentConfigFast, DeepNestingGoesToLibxml2) {
  // Deep nesting (the pugixml tree is built recursively) goes to libxml2.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  for (int i = 0; i < 100000; ++i) deep += "</a>";
  EXPECT_FALSE(xml::within_strict_subset(deep));
  EXPECT_THROW(XmlDocument::load(deep, "deep.conf", config_xsd(), XmlDocument::Schema::validate,
                                 agent_config_certainly_valid),
               LoadFailure);
}

TEST(AgentConfigFast, PlainValidFilesSkipLibxml2AndGiveTheSameTree) {
  const std::string minimal = "<agent-config xmlns=\"urn:clinic-audit:config:1\"/>";
  // The file the package installs as /etc/clinic-audit/agent.conf.
  const std::string shipped = read(testing::source_dir() / "installer" / "agent.conf");
  ASSERT_FALSE(shipped.empty());
  for (const std::string& text : {std::string(kFullConfig), minimal, shipped}) {
    EXPECT_TRUE(fast_accepts(text)) << text;
    expect_sound(text);
    const XmlDocument doc = XmlDocument::load(text, "agent.conf", config_xsd(), XmlDocument::Schema::validate,
                                              agent_config_certainly_valid);
    EXPECT_FALSE(doc.read_by_libxml2());
  }
}

TEST(AgentConfigFast, ValidButUnusualFilesGoThroughLibxml2AndStillLoad) {
  // Each valid per agent-config.xsd, none written the plain way.
  const char* const unusual[] = {
      "<waiver check=\"a\" expires=\"2027-01-01Z\">r</waiver>",
      "<reports keep=\" 5\"/>",
      "<reports keep=\"+5\"/>",
      "<reports keep=\"005\"/>",
      "<language> fr </language>",
      "<proxy url=\"http://[::1]:3128/\"/>",
      "<policy><![CDATA[x]]></policy>",
      "<policy>&#120;</policy>",
  };
  for (const char* element : unusual) {
    const std::string text =
        std::string("<agent-config xmlns=\"urn:clinic-audit:config:1\">") + element + "</agent-config>";
    EXPECT_FALSE(fast_accepts(text)) << text;
    const XmlDocument doc = XmlDocument::load(text, "agent.conf", config_xsd(), XmlDocument::Schema::validate,
                                              agent_config_certainly_valid);
    EXPECT_TRUE(doc.read_by_libxml2()) << text;
  }
}

TEST(AgentConfigFast, InvalidFilesGetLibxml2sErrorsWithFileAndLine) {
  const std::string text =
      "<agent-config xmlns=\"urn:clinic-audit:config:1\">\n  <reports keep=\"0\"/>\n</agent-config>\n";
  EXPECT_FALSE(fast_accepts(text));
  try {
    XmlDocument::load(text, "agent.conf", config_xsd(), XmlDocument::Schema::validate, agent_config_certainly_valid);
    ADD_FAILURE() << "keep=0 accepted";
  } catch (const LoadFailure& e) {
    EXPECT_NE(std::string(e.what()).find("agent.conf:2:"), std::string::npos) << e.what();
  }
}

// Every one-byte change of the full file, and insertions of markup that the
// schema or XML refuses, judged by the fast path and by libxml2.
TEST(AgentConfigFast, NothingTheFastPathAcceptsIsRefusedByLibxml2) {
  const std::string base = kFullConfig;
  const std::string replacements = "<>&\"' =/-_.:0a9Z\n\t\x01\xC3";
  int accepted = 0;
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (char c : replacements) {
      std::string changed = base;
      changed[at] = c;
      expect_sound(changed);
      accepted += fast_accepts(changed) ? 1 : 0;
    }
  }
  const char* const inserts[] = {"<policy/>",
                                 "<policy></policy>",
                                 "<language>de</language>",
                                 "<reports keep=\"100001\"/>",
                                 "<spool max-bytes=\"1023\"/>",
                                 "<waiver check=\"a\" expires=\"2027-02-29\">r</waiver>",
                                 "<variable name=\"A\">x</variable>",
                                 "<reports>  </reports>",
                                 "<reports><!--c--></reports>",
                                 "<policy>x<!-- c -->y</policy>",
                                 "<unknown/>",
                                 "text",
                                 "<policy xmlns=\"\">x</policy>",
                                 "<collector url=\"http://h:\"/>",
                                 "<proxy url=\"http://h:123456\"/>",
                                 "<proxy url=\"ftp://h\"/>",
                                 "<signing key=\"k\" extra=\"1\"/>"};
  const auto at = base.find("  <language>");
  for (const char* insert : inserts) {
    std::string changed = base;
    changed.insert(at, insert);
    expect_sound(changed);
  }
  // The mutations that keep the file valid and plain (a letter changed in
  // a value, a digit in a bound...) stay on the fast path.
  EXPECT_GT(accepted, 200);
}

// --- the binary ---------------------------------------------------------------

TEST(AgentBinary, DoesNotLinkLibxml2) {
  const std::string command = "readelf -d " + testing::agent_binary() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (const std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << output;
  ASSERT_NE(output.find("(NEEDED)"), std::string::npos) << output;
  EXPECT_EQ(output.find("libxml2"), std::string::npos) << output;
}

// The shared objects the agent loaded, from the dynamic loader's own log.
struct Traced {
  testing::AgentRun run;
  bool loaded_libxml2 = false;
};
Traced traced(const std::vector<std::string>& args, const fs::path& dir, std::map<std::string, std::string> env = {}) {
  const fs::path log = dir / "ld";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("ld.")) fs::remove(entry.path());
  }
  env["LD_DEBUG"] = "files";
  env["LD_DEBUG_OUTPUT"] = log.string();
  Traced out{testing::run_agent(args, env), false};
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("ld.") &&
        read(entry.path()).find("libxml2.so") != std::string::npos) {
      out.loaded_libxml2 = true;
    }
  }
  return out;
}

TEST(AgentBinary, DefaultPathsDoNotLoadLibxml2AndTheOthersDo) {
  const fs::path dir = testing::fixture_dir("traces");
  fs::create_directories(dir / "root");
  fs::create_directories(dir / "state");
  // The full file, its policies the shipped ones.
  std::string config = kFullConfig;
  const std::string site_line = "  <policy>/etc/clinic-audit/policies/site.xml</policy>\n";
  config.replace(config.find(site_line), site_line.size(), "  <policy>ekermed</policy>\n");
  write(dir / "agent.conf", config);
  const std::string conf = (dir / "agent.conf").string();
  const std::vector<std::string> run{"run",
                                     "--offline",
                                     "--no-sign",
                                     "--format",
                                     "json",
                                     "--root",
                                     (dir / "root").string(),
                                     "--state-dir",
                                     (dir / "state").string(),
                                     "--config",
                                     conf};
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"version"}, {"list", "--config", conf}, {"explain", "apicrypt-v1.binary.apicrypt"}, run}) {
    const Traced t = traced(args, dir);
    EXPECT_TRUE(t.run.exit_code >= 0 && t.run.exit_code <= 2) << args[0] << ": " << t.run.err;
    EXPECT_FALSE(t.loaded_libxml2) << args[0];
  }
  // A site's own policy (any byte changed) is validated by libxml2.
  std::string policy = read(testing::source_dir() / "policies" / "apicrypt-v1.xml");
  policy += "<!-- edited -->\n";
  write(dir / "site.xml", policy);
  const Traced site = traced({"list", "--config", conf, "--policy", (dir / "site.xml").string()}, dir);
  EXPECT_EQ(site.run.exit_code, 0) << site.run.err;
  EXPECT_TRUE(site.loaded_libxml2);
  EXPECT_NE(site.run.out.find("apicrypt-v1.binary.apicrypt"), std::string::npos);
  // So is an agent.conf outside the fast path, which still loads.
  write(dir / "unusual.conf",
        "<agent-config xmlns=\"urn:clinic-audit:config:1\"><language> fr </language></agent-config>");
  const Traced unusual = traced({"list", "--config", (dir / "unusual.conf").string()}, dir);
  EXPECT_EQ(unusual.run.exit_code, 0) << unusual.run.err;
  EXPECT_TRUE(unusual.loaded_libxml2);
}

TEST(AgentBinary, WithoutLibxml2TheSlowPathSaysWhichLibraryIsMissing) {
  const fs::path dir = testing::fixture_dir("no-libxml2");
  fs::create_directories(dir / "lib");
  // A shared object that is not libxml2 under its name: dlopen finds it
  // first (LD_LIBRARY_PATH), dlsym finds none of libxml2's functions.
  std::error_code ec;
  fs::copy_file("/lib/x86_64-linux-gnu/libz.so.1", dir / "lib" / "libxml2.so.2", fs::copy_options::overwrite_existing,
                ec);
  if (ec) GTEST_SKIP() << "no libz.so.1 to stand in for libxml2: " << ec.message();
  std::string policy = read(testing::source_dir() / "policies" / "apicrypt-v1.xml") + "<!-- edited -->\n";
  write(dir / "site.xml", policy);
  const auto run = testing::run_agent({"list", "--policy", (dir / "site.xml").string()},
                                      {{"LD_LIBRARY_PATH", (dir / "lib").string()}});
  EXPECT_EQ(run.exit_code, 65) << run.err;
  EXPECT_NE(run.err.find("libxml2.so.2"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("site.xml"), std::string::npos) << run.err;
  // The shipped policies need no libxml2 at all.
  const auto shipped = testing::run_agent({"list"}, {{"LD_LIBRARY_PATH", (dir / "lib").string()}});
  EXPECT_EQ(shipped.exit_code, 0) << shipped.err;
}

}  // namespace
}  // namespace clinic_audit
