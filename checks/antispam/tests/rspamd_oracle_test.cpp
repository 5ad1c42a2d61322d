// Real oracle: rspamd 3.4's own Lua map loader (lua_maps.lua
// map_add_from_ucl, run by `rspamadm lua` in a private network namespace)
// decides whether a multimap `map` array holds entries (a "static" map) or
// names map files; rspamd_array_is_static_data must agree on every case.
// rspamadm configdump on a fixture configuration directory then shows the
// rule as rspamd merged it (local.d), and the check must read the same map.
#include <gtest/gtest.h>

#include <sstream>

#include "antispam/antispam_check.hpp"
#include "antispam/filters.hpp"
#include "common/context.hpp"
#include "fixture_root.hpp"
#include "oracle_support.hpp"

namespace clinic_audit::antispam {
namespace {

using clinic_audit::testing::FixtureRoot;
using clinic_audit::testing::fixture_dir;

constexpr const char* kRspamadm = "/usr/bin/rspamadm";

// Lua long-bracket string: the element as it is, whatever it holds.
std::string lua_string(const std::string& text) { return "[==[" + text + "]==]"; }

TEST(RspamdOracle, MapArrayIsEntriesOrPathsAsLuaMapsDecides) {
  if (!std::filesystem::exists(kRspamadm)) GTEST_SKIP() << "rspamd is not installed (scripts/deps/antispam.list)";
  const std::vector<std::string> firsts = {"/@visiotlm\\.esante-bretagne\\.fr$/",
                                           "/visiotlm\\.esante-bretagne\\.fr$/",
                                           "/etc/rspamd/local.d/wl.map",
                                           "visiotlm.esante-bretagne.fr",
                                           "@visiotlm.esante-bretagne.fr",
                                           "regexp;/@visiotlm\\./",
                                           "re;/visiotlm\\./",
                                           "file:///etc/rspamd/local.d/wl.map",
                                           "./wl.map",
                                           "/1visiotlm/",
                                           "/_x/",
                                           "glob;*@visiotlm.esante-bretagne.fr",
                                           "^votre-teleconsultation@",
                                           "/Visiotlm/i"};
  FixtureRoot root(fixture_dir("antispam-rspamd-maps"));
  std::string script = "local lua_maps = require 'lua_maps'\n";
  for (std::size_t i = 0; i < firsts.size(); ++i) {
    // A distinct second element keeps lua_maps' cache from answering twice.
    script += "do local m = lua_maps.map_add_from_ucl({" + lua_string(firsts[i]) + ", 'x" + std::to_string(i) +
              "'}, 'regexp', 'case') print('CASE " + std::to_string(i) +
              " ' .. tostring(m and m.__data and m.__data:get_uri())) end\n";
  }
  root.file("/t.lua", script);
  const CommandResult r = testing::run_rspamadm({"lua", root.host("/t.lua").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (std::size_t i = 0; i < firsts.size(); ++i) {
    const std::string tag = "CASE " + std::to_string(i) + " ";
    const std::size_t at = r.out.find(tag);
    ASSERT_NE(at, std::string::npos) << r.out;
    const std::string uri = r.out.substr(at + tag.size(), r.out.find('\n', at) - at - tag.size());
    EXPECT_EQ(rspamd_array_is_static_data(firsts[i]), uri == "static") << firsts[i] << " -> " << uri;
  }
}

TEST(RspamdOracle, ConfigdumpShowsTheRuleTheCheckReads) {
  if (!std::filesystem::exists(kRspamadm)) GTEST_SKIP() << "rspamd is not installed (scripts/deps/antispam.list)";
  FixtureRoot root(fixture_dir("antispam-rspamd-configdump"));
  // rspamd's own configuration tree, with the fixture's local.d on top.
  std::filesystem::create_directories(root.host("/etc"));
  std::filesystem::copy("/etc/rspamd", root.host("/etc/rspamd"), std::filesystem::copy_options::recursive);
  const std::string multimap =
      testing::read_text(clinic_audit::testing::source_dir() /
                         "tests/fixtures/antispam/rspamd_multimap_inline_regexp/etc/rspamd/local.d/multimap.conf");
  root.file("/etc/rspamd/local.d/multimap.conf", multimap);
  const std::string conf = root.host("/etc/rspamd").string();
  const CommandResult r = testing::run_rspamadm({"--var=CONFDIR=" + conf, "--var=LOCAL_CONFDIR=" + conf, "configdump",
                                                 "-c", conf + "/rspamd.conf", "-C", "multimap"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The merged rule, as rspamd holds it: the map array with its one regexp entry.
  EXPECT_NE(r.out.find("\"EKERMED_WHITELIST\":{"), std::string::npos) << r.out.substr(0, 2000);
  EXPECT_NE(r.out.find("\"map\":[\"/@visiotlm\\\\.esante-bretagne\\\\.fr$/\"]"), std::string::npos)
      << r.out.substr(0, 4000);
  EXPECT_NE(r.out.find("\"regexp\":true"), std::string::npos);

  RootFs fs(root.path());
  Params params;
  params.add("sender", "votre-teleconsultation@visiotlm.esante-bretagne.fr");
  ProcessRunner runner;
  Context context(fs, runner, NetworkSettings{true, std::nullopt, std::chrono::milliseconds(100)});
  auto verdict = evaluate_rspamd(fs, SenderOptions{*parse_sender("votre-teleconsultation@visiotlm.esante-bretagne.fr"),
                                                   "", "", false, -10.0, ""});
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->state, FilterState::whitelisted) << verdict->summary;
}

}  // namespace
}  // namespace clinic_audit::antispam
