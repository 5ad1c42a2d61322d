// Issue #18 item 1: sudo's syntax messages, which the sudoers check quotes
// as visudo prints them, are worded in French as the REAL visudo words them
// under a French locale (sudo's own catalog, sudoers.mo of Debian's sudo
// package; LANGUAGE=fr with LANG=C.UTF-8 is enough, no fr_FR locale needs
// to be generated). On the same bad files, our French lines must equal
// `LANGUAGE=fr visudo -c -f FILE`'s, and our English lines visudo's in C.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "check_test_helpers.hpp"
#include "common/command_runner.hpp"
#include "common/root_fs.hpp"
#include "fixture_root.hpp"
#include "i18n.hpp"
#include "sudoers/sudoers_includes.hpp"
#include "sudoers/visudo_messages.hpp"
#include "sudoers_corpus.hpp"

namespace clinic_audit::sudoers {
namespace {

namespace fs = std::filesystem;
using clinic_audit::testing::read_text;
using testing::corpus_dir;
using testing::short_hostname;

// A corpus case copied as the differential test does; its main file.
fs::path install_corpus_case(const std::string& name) {
  return testing::install_corpus_case(name, "visudo-fr-" + name) / "sudoers";
}

constexpr const char* kVisudo = "/usr/sbin/visudo";

// Bad entries beyond the differential corpus: every visudo message our
// parser reproduces appears at least once here or in the corpus.
const std::vector<std::string>& extra_cases() {
  static const std::vector<std::string> cases = {
      "% ALL = /bin/ls\n",
      "+ ALL = /bin/ls\n",
      "@include \"\"\n",
      "Defaults env_reset=yes\n",
      "Defaults secure_path\n",
      "Defaults lecture=sometimes\n",
      // A value that reads as an errno text stays as written: only the
      // strerror(3) part of "unable to open" is sudo's, and translated.
      "Defaults lecture=\"No such file or directory\"\n",
      "Defaults:alice passwd_tries=x\n",
      "Defaults editor=vi\n",
      "Defaults umask+=077\n",
      "Defaults no_such_setting\n",
      "a ALL = CWD=relative /bin/ls\n",
      "a ALL = /usr/bin/sudoedit /etc/hosts\n",
      "a ALL = /bin/ls ^-l\n",
      "Cmnd_Alias ALL = /bin/ls\n",
      "Cmnd_Alias A = /bin/ls\nCmnd_Alias A = /bin/cat\n",
      "a ALL = /bin/ls \\\n\\\n",
      "a ALL = (root /bin/ls\nfoo bar baz\n",
      "a ALL = sha224:abc ALL\n",
      "User_Alias U = bob carol\n",
  };
  return cases;
}

fs::path install_extra_case(std::size_t index) {
  const fs::path dir = clinic_audit::testing::fixture_dir("visudo-fr-extra-" + std::to_string(index));
  clinic_audit::testing::FixtureRoot root(dir);
  root.file("/sudoers", extra_cases().at(index), 0440);
  return dir / "sudoers";
}

CommandResult visudo(const fs::path& file, bool french) {
  ProcessRunner runner;
  clinic_audit::CommandSpec spec;
  spec.program = kVisudo;
  spec.args = {"-c", "-f", file.string()};
  spec.max_output = 1 << 20;
  spec.env = {{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"}, {"LANG", french ? "C.UTF-8" : "C"}};
  if (french) spec.env["LANGUAGE"] = "fr";
  return runner.run(spec);
}

// "FILE:LINE:COL: MESSAGE" lines of visudo's report, in order.
std::vector<std::string> located_lines(const std::string& err) {
  static const std::regex located(R"((/[^:\n]+):(\d+):(\d+): ([^\n]*))");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(err.begin(), err.end(), located); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[0].str());
  }
  return out;
}

class Language {
 public:
  explicit Language(i18n::Language language) {
    ::setenv("CLINIC_AUDIT_LOCALEDIR", CA_TEST_BUILD_DIR "/locale", 1);
    EXPECT_EQ(i18n::set_language(language), std::nullopt);
  }
  ~Language() { i18n::set_language(i18n::Language::en); }
  Language(const Language&) = delete;
  Language& operator=(const Language&) = delete;
};

// Compares our lines for the tree at `main` with visudo's, in one language;
// returns how many error lines were compared.
std::size_t compare_with_visudo(const fs::path& main, bool french) {
  const RootFs host_fs("/");
  LoadOptions options;
  options.short_hostname = short_hostname();
  options.refuse_insecure_files = false;  // as visudo
  const SudoersTree tree = load_sudoers(host_fs, main.string(), options);
  const CommandResult theirs_run = visudo(main, french);
  EXPECT_FALSE(theirs_run.timed_out);
  if (theirs_run.exit_code == 0 || !tree.error) return 0;  // verdicts: sudoers_differential_test
  const std::string english_err = french ? visudo(main, false).err : theirs_run.err;
  Language language(french ? i18n::Language::fr : i18n::Language::en);
  std::vector<std::string> theirs = located_lines(theirs_run.err);
  std::vector<std::string> ours;
  std::size_t compared = 0;
  for (const auto& e : tree.errors) {
    const std::string message = visudo_message_text(e.message);
    if (e.column > 0) {
      ours.push_back(visudo_describe(e));
    } else if (english_err.find(e.message) != std::string::npos) {
      // Found after parsing (Defaults values, include depth): visudo names
      // the place its own way; where our English message is visudo's, our
      // French must be French visudo's. (Where it is not, e.g. a missing
      // include that sudo reports as "unable to open", the English
      // differential test compares the file named, not the words.)
      EXPECT_NE(theirs_run.err.find(message), std::string::npos)
          << "ours: " << message << "\nvisudo: " << theirs_run.err;
      std::erase_if(theirs, [&](const std::string& t) { return t.ends_with(": " + message); });
      ++compared;
    }
  }
  EXPECT_EQ(ours, theirs) << main << "\nvisudo" << (french ? " (fr)" : "") << ":\n" << theirs_run.err;
  return compared + ours.size();
}

TEST(FrenchVisudo, SudoShipsItsFrenchCatalog) {
  // Debian's sudo package: dpkg -L sudo | grep fr.
  EXPECT_TRUE(fs::exists("/usr/share/locale/fr/LC_MESSAGES/sudoers.mo"));
  ASSERT_TRUE(fs::exists(kVisudo)) << "sudo is not installed: scripts/deps/sudoers.list";
  // The real visudo speaks French with LANGUAGE=fr and LANG=C.UTF-8.
  const fs::path main = install_extra_case(0);
  EXPECT_NE(visudo(main, true).err.find("groupe vide"), std::string::npos) << visudo(main, true).err;
}

TEST(FrenchVisudo, ExtraCasesWordedAsFrenchVisudo) {
  ASSERT_TRUE(fs::exists(kVisudo));
  std::size_t compared = 0;
  for (std::size_t i = 0; i < extra_cases().size(); ++i) {
    SCOPED_TRACE(extra_cases()[i]);
    const fs::path main = install_extra_case(i);
    compared += compare_with_visudo(main, false);
    compared += compare_with_visudo(main, true);
  }
  EXPECT_GE(compared, 2 * extra_cases().size() - 4);
}

TEST(FrenchVisudo, CorpusWordedAsFrenchVisudo) {
  ASSERT_TRUE(fs::exists(kVisudo));
  std::size_t compared = 0;
  for (const auto& name : clinic_audit::testing::subdirectory_names(corpus_dir())) {
    SCOPED_TRACE(name);
    const fs::path main = install_corpus_case(name);
    compared += compare_with_visudo(main, true);
  }
  EXPECT_GE(compared, 30U);
}

// Messages no visudo run here shows (sudo's own runtime wording, our
// wording of why sudo refuses a file), checked against their catalog.
TEST(FrenchVisudo, OtherSudoMessages) {
  Language french(i18n::Language::fr);
  EXPECT_EQ(visudo_message_text("unable to open /etc/sudoers.d/x: No such file or directory"),
            "ouverture de /etc/sudoers.d/x impossible: Aucun fichier ou répertoire de ce nom");
  EXPECT_EQ(visudo_message_text("/etc/sudoers (owner uid 5, gid 0, mode 0440) is owned by uid 5, sudo requires 0"),
            "/etc/sudoers (propriétaire uid 5, gid 0, mode 0440) appartient à l'uid 5 : sudo exige 0");
  EXPECT_EQ(visudo_message_text("not one of sudo's messages"), "not one of sudo's messages");
  Language english(i18n::Language::en);
  EXPECT_EQ(visudo_message_text("syntax error"), "syntax error");
}

}  // namespace
}  // namespace clinic_audit::sudoers
