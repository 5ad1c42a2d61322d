#include "openssl_fixtures.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "fixture_root.hpp"

namespace clinic_audit::openssl::testing {
namespace {

const std::string kMain = "/etc/ssl/openssl.cnf";

std::string chain(const std::string& lines) {
  return "\n[openssl_init]\nssl_conf = ssl_sect\n\n[ssl_sect]\nsystem_default = system_default_sect\n\n"
         "[system_default_sect]\n" +
         lines;
}

ConfigCase with_main(std::string name, std::string main_text) {
  return {std::move(name), {{kMain, std::move(main_text)}}, {}, {}};
}

std::vector<ConfigCase> make_cases() {
  const std::string deb = debian12_cnf();
  auto sd = [&](const std::string& lines) { return debian12_with_system_default(lines); };
  std::vector<ConfigCase> cases = {
      with_main("debian12-stock", deb),
      with_main("level0", sd("CipherString = DEFAULT@SECLEVEL=0\n")),
      with_main("level0-colon", sd("CipherString = DEFAULT:@SECLEVEL=0\n")),
      with_main("level1", sd("CipherString = DEFAULT@SECLEVEL=1\n")),
      with_main("level1-colon", sd("CipherString = DEFAULT:@SECLEVEL=1\n")),
      with_main("level2", sd("CipherString = DEFAULT@SECLEVEL=2\n")),
      with_main("level2-colon", sd("CipherString = DEFAULT:@SECLEVEL=2\n")),
      with_main("level3", sd("CipherString = DEFAULT@SECLEVEL=3\n")),
      with_main("level3-colon", sd("CipherString = DEFAULT:@SECLEVEL=3\n")),
      with_main("seclevel-only", sd("CipherString = @SECLEVEL=1\n")),
      with_main("quoted-and-comment", sd("CipherString = \"DEFAULT@SECLEVEL=0\"  # Apicrypt\n")),
      with_main("continuation", sd("CipherString = DEFAULT\\\n@SECLEVEL=0\n")),
      with_main("crlf",
                [&] {
                  std::string text = sd("CipherString = DEFAULT@SECLEVEL=1\nMinProtocol = TLSv1.2\n");
                  std::string out;
                  for (char c : text) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
                  return out;
                }()),
      with_main("bogus-cipher", sd("CipherString = BOGUS@SECLEVEL=1\n")),
      with_main("no-ssl_conf", deb + "\n[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=0\n"),
      with_main("minproto-tls12", sd("MinProtocol = TLSv1.2\nCipherString = DEFAULT@SECLEVEL=2\n")),
      with_main("minproto-tls13", sd("MinProtocol = TLSv1.3\n")),
      with_main("minproto-tls1", sd("MinProtocol = TLSv1\nCipherString = DEFAULT@SECLEVEL=1\n")),
      with_main("minproto-bogus", sd("MinProtocol = TLSv9\nCipherString = DEFAULT@SECLEVEL=3\n")),
      // Issue #21 item 7: lines libssl silently skips (ssl_conf.c SSL_CONF_cmd()).
      with_main("unknown-command", sd("CipherStrng = DEFAULT@SECLEVEL=0\n")),
      with_main("skipped-then-applied",
                sd("CipherStrng = DEFAULT@SECLEVEL=0\nMinProtocol = TLSv9\nCipherString = DEFAULT@SECLEVEL=1\n")),
      with_main("minproto-bogus-level2", sd("MinProtocol = bogus\nCipherString = DEFAULT@SECLEVEL=2\n")),
      with_main("overridden-cipherstring",
                sd("CipherString = DEFAULT@SECLEVEL=0\nMinProtocol = TLSv1.2\nCipherString = DEFAULT@SECLEVEL=2\n")),
      with_main("prefixed-unknown-command", sd("client.CipherStrng = DEFAULT@SECLEVEL=0\nMaxProtocol = TLSv1.4\n")),
      with_main("file-commands", sd("VerifyCAFile = /etc/ssl/missing.pem\nCertificate = /etc/ssl/missing.pem\n"
                                    "CipherString = DEFAULT@SECLEVEL=1\n")),
      with_main("undefined-variable", sd("CipherString = DEFAULT@SECLEVEL=$level\n")),
      with_main("variable", deb + "\n[openssl_init]\nlevel = 0\n" +
                                chain("CipherString = DEFAULT@SECLEVEL=${openssl_init::level}\n")),
      with_main("dollarid", sd(".pragma dollarid:on\nlev$el = 3\nCipherString = DEFAULT@SECLEVEL=${lev$el}\n")),
      with_main("explicit-section",
                sd("MinProtocol = TLSv1.2\n") + "\n[pbm]\nsystem_default_sect::CipherString = DEFAULT@SECLEVEL=0\n"),
      with_main("broken-section", sd("CipherString = DEFAULT@SECLEVEL=0\n[ unterminated\n")),
      {"include-file",
       {{kMain, deb + "\n.include /etc/ssl/openssl.d/tls.cnf\n"},
        {"/etc/ssl/openssl.d/tls.cnf", chain("CipherString = DEFAULT@SECLEVEL=0\n")}},
       {},
       {}},
      {"include-missing", {{kMain, sd("CipherString = DEFAULT@SECLEVEL=3\n.include /etc/ssl/absent.cnf\n")}}, {}, {}},
      {"include-undefined-variable",
       {{kMain, sd("CipherString = DEFAULT@SECLEVEL=0\n.include $nowhere/x.cnf\n")}},
       {},
       {}},
      {"include-dir",
       {{kMain, deb + "\n.include /etc/ssl/openssl.cnf.d\n"},
        {"/etc/ssl/openssl.cnf.d/00-chain.cnf", chain("MinProtocol = TLSv1.2\n")},
        {"/etc/ssl/openssl.cnf.d/10-level.conf", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=3\n"},
        {"/etc/ssl/openssl.cnf.d/README", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=0\n"}},
       {},
       {}},
      {"include-dir-two-levels",
       {{kMain, sd("") + ".include /etc/ssl/levels\n"},
        {"/etc/ssl/levels/b.cnf", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=0\n"},
        {"/etc/ssl/levels/a.cnf", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=3\n"},
        {"/etc/ssl/levels/c.cnf", "[system_default_sect]\nMinProtocol = TLSv1.2\n"}},
       {},
       {}},
      {"include-dir-quirk",
       {{kMain, sd("") + ".include /etc/ssl/quirk\n"},
        {"/etc/ssl/quirk/a.cnf", "[system_default_sect]\n.include /etc/ssl/x.cnf\nCipherString = DEFAULT@SECLEVEL=1\n"},
        {"/etc/ssl/quirk/b.cnf", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=3\n"},
        {"/etc/ssl/quirk/inner/c.cnf", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=0\n"},
        {"/etc/ssl/x.cnf", "# nothing but a comment\n"}},
       {},
       {}},
      {"include-nested-dir",
       {{kMain, sd("") + ".include /etc/ssl/outer\n"},
        {"/etc/ssl/outer/a.cnf", ".include /etc/ssl/inner\n[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=1\n"},
        {"/etc/ssl/inner/z.cnf", "[system_default_sect]\nCipherString = DEFAULT@SECLEVEL=0\n"}},
       {},
       {}},
      {"include-includedir",
       {{kMain, deb + "\n.pragma includedir:/etc/ssl/extra\n.include tls.cnf\n"},
        {"/etc/ssl/extra/tls.cnf", chain("CipherString = DEFAULT@SECLEVEL=0\n")}},
       {},
       {}},
      {"include-relative-cwd",
       {{kMain, deb + "\n.include etc/ssl/rel.cnf\n"},
        {"/etc/ssl/rel.cnf", chain("CipherString = DEFAULT@SECLEVEL=3\n")}},
       {},
       {}},
      {"include-variable-path",
       {{kMain, deb + "\n[openssl_init]\nssl_dir = /etc/ssl/inc\n.include = $ssl_dir/tls.cnf\n"},
        {"/etc/ssl/inc/tls.cnf", chain("CipherString = DEFAULT@SECLEVEL=0\n")}},
       {},
       {}},
      {"include-symlink-escape",
       {{kMain, deb + "\n.include /etc/ssl/link.cnf\n"},
        {"/etc/ssl/real.cnf", chain("CipherString = DEFAULT@SECLEVEL=1\n")}},
       {{"/etc/ssl/link.cnf", "../../etc/../../../etc/ssl/real.cnf"}},
       {}},
      {"abspath-relative",
       {{kMain, sd("CipherString = DEFAULT@SECLEVEL=0\n.pragma abspath:true\n.include rel.cnf\n")}},
       {},
       {}},
      {"symlinked-main",
       {{"/etc/ssl-real/openssl.cnf", sd("CipherString = DEFAULT@SECLEVEL=1\n")}},
       {{kMain, "/etc/alternatives/openssl.cnf"}, {"/etc/alternatives/openssl.cnf", "../ssl-real/openssl.cnf"}},
       {}},
      {"no-config", {}, {}, {"/etc/ssl"}},
  };
  for (auto& c : cases) c.links.emplace_back("/usr/lib/ssl/openssl.cnf", kMain);
  return cases;
}

}  // namespace

std::string debian12_cnf() {
  const auto path = clinic_audit::testing::source_dir() / "tests/fixtures/openssl/debian12-openssl.cnf";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string debian12_with_system_default(const std::string& lines) { return debian12_cnf() + chain(lines); }

std::vector<ConfigCase> differential_cases() { return make_cases(); }

const ConfigCase& find_case(const std::string& name) {
  static const std::vector<ConfigCase> cases = make_cases();
  for (const auto& c : cases) {
    if (c.name == name) return c;
  }
  throw std::runtime_error("no openssl fixture case " + name);
}

std::filesystem::path build_root(const ConfigCase& c) {
  clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("openssl-" + c.name));
  for (const auto& dir : c.dirs) root.dir(dir);
  for (const auto& [path, text] : c.files) root.file(path, text);
  for (const auto& [path, target] : c.links) root.symlink(path, target);
  return root.path();
}

}  // namespace clinic_audit::openssl::testing
