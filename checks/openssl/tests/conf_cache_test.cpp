// NCONF's parse kept between runs (issue #19 item 5, conf_cache.hpp): the
// remembered answer gives the same analysis as the library's own; a change
// to any keyed input asks the library again; an entry that cannot be
// trusted, or does not parse completely, is ignored; a text NCONF refuses is
// never kept.
#include "conf_cache.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/command_runner.hpp"
#include "common/root_fs.hpp"
#include "conf_loader.hpp"
#include "cache_entry_files.hpp"
#include "needs_root.hpp"
#include "openssl_analysis.hpp"
#include "openssl_fixtures.hpp"

namespace clinic_audit::openssl {
namespace {

namespace fs = std::filesystem;

// Everything the check reads from a loaded configuration.
std::string describe(const LoadedConfig& c) {
  std::string out = c.exists ? "exists" : "absent";
  out += c.error ? "|error " + c.error->message + " at " + where(c.error->origin) : "|loads";
  if (c.conf) out += "|" + serialize_conf_data(*c.conf);
  const SslSettings s = extract_ssl_settings(c);
  out += "|" + s.openssl_conf + "|" + s.ssl_conf + "|" + s.system_default + "|" + s.missing_link;
  for (const auto& cmd : s.commands) {
    out += "|" + cmd.name + "=" + cmd.value + (cmd.origin ? "@" + where(*cmd.origin) : std::string());
  }
  return out + "|synthesized:\n" + synthesize_ssl_config(c);
}

class ConfCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = private_test_dir("ca-conf-cache");
    settings_.directory = dir_ / "state" / "cache";
    // Stand-ins for the files that steer the dynamic loader and for the
    // executable, written now, after this process started: a negative
    // margin takes them as settled (the racy test below keeps the default).
    settings_.racy_margin = std::chrono::milliseconds(-3600 * 1000);
    settings_.loader_files = {dir_ / "ld.so.cache", dir_ / "ld.so.preload"};
    settings_.executable = dir_ / "exe";
    write_text(dir_ / "ld.so.cache", "loader cache stand-in", 0644);
    write_text(dir_ / "exe", "executable stand-in", 0755);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // load_config() of `text` as the root's /etc/ssl/openssl.cnf.
  LoadedConfig load(const std::string& text, bool with_cache = true) {
    fs::create_directories(dir_ / "root/etc/ssl");
    write_text(dir_ / "root/etc/ssl/openssl.cnf", text, 0644);
    RootFs fs(dir_ / "root");
    return load_config(fs, "/etc/ssl/openssl.cnf", {},
                       with_cache ? std::optional<ProbeCacheSettings>(settings_) : std::nullopt);
  }

  fs::path entry_for(const std::string& text) const { return settings_.directory / conf_cache_entry_name(text); }

  fs::path dir_;
  ProbeCacheSettings settings_;
};

const std::string kText = testing::debian12_with_system_default("CipherString = DEFAULT@SECLEVEL=1\n");

TEST_F(ConfCacheTest, HitAndMissGiveTheSameConfigurationOnEveryDifferentialCase) {
  int hits = 0;
  std::set<std::string> texts;
  for (const auto& c : testing::differential_cases()) {
    const auto root = testing::build_root(c);
    RootFs fs(root);
    const LoadedConfig plain = load_config(fs, "/usr/lib/ssl/openssl.cnf");
    EXPECT_EQ(plain.conf_cache, CacheOutcome::not_cacheable);
    const LoadedConfig first = load_config(fs, "/usr/lib/ssl/openssl.cnf", {}, settings_);
    const LoadedConfig second = load_config(fs, "/usr/lib/ssl/openssl.cnf", {}, settings_);
    EXPECT_EQ(describe(first), describe(plain)) << c.name;
    EXPECT_EQ(describe(second), describe(plain)) << c.name;
    if (!plain.exists) continue;
    if (plain.error) {
      // A refused text always asks the library (its error text is the
      // library's); an include path NCONF cannot expand stops the loading
      // before the cache is asked at all.
      for (const LoadedConfig* run : {&first, &second}) {
        EXPECT_TRUE(run->conf_cache == CacheOutcome::miss_not_stored || run->conf_cache == CacheOutcome::not_cacheable)
            << c.name;
      }
      if (first.conf_cache == CacheOutcome::miss_not_stored) {
        EXPECT_FALSE(fs::exists(entry_for(plain.text))) << c.name;
      }
    } else {
      // Cases that flatten to the same text share one entry.
      const bool seen = !texts.insert(plain.text).second;
      EXPECT_EQ(first.conf_cache, seen ? CacheOutcome::hit : CacheOutcome::miss_stored) << c.name;
      EXPECT_EQ(second.conf_cache, CacheOutcome::hit) << c.name;
      hits += second.conf_cache == CacheOutcome::hit;
    }
  }
  EXPECT_GE(hits, 10);
}

TEST_F(ConfCacheTest, TheAnalysisAndItsProbeAnswersAreTheSameFromTheCache) {
  const ProbeCommand probe{CA_OPENSSL_PROBE, {}};
  for (const char* name : {"level0", "level3", "debian12-stock", "bogus-cipher", "include-dir-quirk"}) {
    const auto root = testing::build_root(testing::find_case(name));
    RootFs fs(root);
    ProcessRunner runner;
    std::optional<ProbeCacheSettings> cache = settings_;
    cache->root = root.string();
    const Analysis plain = analyze(fs, runner, probe, "/usr/lib/ssl/openssl.cnf");
    analyze(fs, runner, probe, "/usr/lib/ssl/openssl.cnf", false, cache);
    const Analysis cached = analyze(fs, runner, probe, "/usr/lib/ssl/openssl.cnf", false, cache);
    EXPECT_EQ(cached.config.conf_cache, CacheOutcome::hit) << name;
    EXPECT_EQ(describe(cached.config), describe(plain.config)) << name;
    EXPECT_EQ(cached.level_source, plain.level_source) << name;
    EXPECT_EQ(cached.effective.security_level, plain.effective.security_level) << name;
    EXPECT_EQ(cached.effective.min_proto, plain.effective.min_proto) << name;
    EXPECT_EQ(cached.effective.rejected.size(), plain.effective.rejected.size()) << name;
  }
}

TEST_F(ConfCacheTest, AChangeToEachKeyedInputAsksTheLibraryAgain) {
  ASSERT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored);
  ASSERT_EQ(load(kText).conf_cache, CacheOutcome::hit);
  // The text, by one byte.
  std::string other = kText;
  other.back() = ' ';
  EXPECT_EQ(load(other).conf_cache, CacheOutcome::miss_stored);
  ASSERT_EQ(load(kText).conf_cache, CacheOutcome::hit);

  // Each file that steers the loader, and the executable (rewritten: its
  // identity changes; a file that appears counts too).
  auto changed = [&](const fs::path& file) {
    write_text(file, "changed " + file.string(), 0644);
    EXPECT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored) << file;
    EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit) << file;
  };
  changed(dir_ / "ld.so.cache");
  changed(dir_ / "ld.so.preload");
  changed(dir_ / "exe");

  // The environment, which NCONF reads for a variable the text names
  // ($ENV::NAME, config(5)), even split by a continuation: each change of
  // such a variable (set, changed, unset) asks the library again, and the
  // answer follows the variable.
  const std::string reads_env = kText + "\n[ from_env ]\nv = $ENV::CA_CONF_CACHE\\\n_TEST\n";
  auto value_of_v = [](const LoadedConfig& c) {
    return c.conf ? c.conf->value("from_env", "v").value_or("(none)") : std::string("(no data)");
  };
  ::unsetenv("CA_CONF_CACHE_TEST");
  const LoadedConfig unset = load(reads_env);
  ASSERT_TRUE(unset.error) << "NCONF refuses an undefined variable";  // never cached
  EXPECT_NE(unset.conf_cache, CacheOutcome::miss_stored);
  ::setenv("CA_CONF_CACHE_TEST", "one", 1);
  EXPECT_EQ(load(reads_env).conf_cache, CacheOutcome::miss_stored);
  const LoadedConfig one = load(reads_env);
  EXPECT_EQ(one.conf_cache, CacheOutcome::hit);
  EXPECT_EQ(value_of_v(one), "one");
  ::setenv("CA_CONF_CACHE_TEST", "two", 1);
  const LoadedConfig two = load(reads_env);
  EXPECT_EQ(two.conf_cache, CacheOutcome::miss_stored);
  EXPECT_EQ(value_of_v(two), "two");
  EXPECT_EQ(load(reads_env).conf_cache, CacheOutcome::hit);
  ::unsetenv("CA_CONF_CACHE_TEST");
  EXPECT_TRUE(load(reads_env).error);
  // A variable the text does not name (systemd's INVOCATION_ID changes at
  // every start) is not in the key, and no value reaches the entry.
  ::setenv("CA_UNNAMED_BY_THE_TEXT", "secret-token-value", 1);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit);
  ::setenv("CA_UNNAMED_BY_THE_TEXT", "another-value", 1);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit);
  ::setenv("CA_CONF_CACHE_TEST", "secret-token-value", 1);
  EXPECT_EQ(load(reads_env).conf_cache, CacheOutcome::miss_stored);
  EXPECT_EQ(read_text(entry_for(reads_env)).find("secret-token-value"), std::string::npos);
  ::unsetenv("CA_UNNAMED_BY_THE_TEXT");
  ::unsetenv("CA_CONF_CACHE_TEST");

  // A recorded object (libcrypto itself) that is not the same file any more.
  std::string entry = read_text(entry_for(kText));
  const auto at = entry.find("/libcrypto.so");
  ASSERT_NE(at, std::string::npos) << entry;
  const auto line = entry.rfind("\nobject ", at) + 8;
  entry.insert(line, "1");  // another device number
  write_text(entry_for(kText), entry);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit);
}

TEST_F(ConfCacheTest, ASearchPathInTheEnvironmentIsNeverCached) {
  for (const char* variable : {"LD_LIBRARY_PATH", "LD_PRELOAD", "LD_AUDIT", "GLIBC_TUNABLES"}) {
    const char* before = std::getenv(variable);
    const std::optional<std::string> saved = before != nullptr ? std::optional<std::string>(before) : std::nullopt;
    ::setenv(variable, "", 1);
    const LoadedConfig c = load(kText);
    EXPECT_EQ(c.conf_cache, CacheOutcome::not_cacheable) << variable;
    EXPECT_TRUE(c.conf) << variable;
    if (saved) {
      ::setenv(variable, saved->c_str(), 1);
    } else {
      ::unsetenv(variable);
    }
  }
  EXPECT_FALSE(fs::exists(entry_for(kText)));
}

TEST_F(ConfCacheTest, AFileChangedSinceTheProcessStartedIsRacyAndNotStored) {
  settings_.racy_margin = std::chrono::milliseconds(2000);
  // ld.so.cache's stand-in was written after this process started.
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::miss_not_stored);
  EXPECT_FALSE(fs::exists(entry_for(kText)));
  // The real files are older: stored.
  settings_.loader_files = {"/etc/ld.so.cache", "/etc/ld.so.preload"};
  // (the test binary may have been linked seconds ago: an installed
  // program, older than the margin, stands for the executable)
  settings_.executable = "/bin/sh";
  struct stat st {};
  ASSERT_EQ(::stat("/bin/sh", &st), 0);
  ASSERT_LT(st.st_ctim.tv_sec + 5, ::time(nullptr));
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit);
}

TEST_F(ConfCacheTest, AnEntryThatCannotBeTrustedOrParsedIsIgnored) {
  ASSERT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored);
  const fs::path entry = entry_for(kText);
  const std::string good = read_text(entry);
  const LoadedConfig plain = load(kText, /*with_cache=*/false);
  // Each damaged entry is ignored (the library answers, the same as
  // without the cache) and replaced by a good one.
  auto ignored = [&](const std::string& why, const std::function<void()>& damage) {
    write_text(entry, good);
    damage();
    const LoadedConfig c = load(kText);
    EXPECT_EQ(c.conf_cache, CacheOutcome::miss_stored) << why;
    EXPECT_EQ(describe(c), describe(plain)) << why;
    EXPECT_EQ(read_text(entry), good) << why;
    EXPECT_FALSE(fs::is_symlink(entry)) << why;
  };
  ignored("truncated", [&] { write_text(entry, good.substr(0, good.size() - 5)); });
  ignored("cut inside the payload", [&] { write_text(entry, good.substr(0, good.size() / 2)); });
  ignored("trailing bytes", [&] { write_text(entry, good + "x"); });
  ignored("another header", [&] { write_text(entry, "clinic-audit openssl nconf cache 2\n" + good.substr(35)); });
  ignored("a size that does not match", [&] {
    std::string text = good;
    text.replace(text.find("\noutput ") + 8, 1, "9");
    write_text(entry, text);
  });
  ignored("an entry written for another text", [&] {
    std::string text = good;
    const auto at = text.find("SECLEVEL=1");
    text[at + 9] = '2';
    write_text(entry, text);
  });
  ignored("a block of zeros inside the payload (a torn write: the size kept, the data not)", [&] {
    std::string text = good;
    const auto at = text.find("DEFAULT@SECLEVEL=1", text.find("\noutput "));
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 7, std::string(7, '\0'));
    write_text(entry, text);
  });
  ignored("mode 0644", [&] { ::chmod(entry.c_str(), 0644); });
  ignored("a symbolic link to a good entry", [&] {
    write_text(dir_ / "elsewhere", good);
    fs::remove(entry);
    fs::create_symlink(dir_ / "elsewhere", entry);
  });
  ignored("a hard link", [&] { fs::create_hard_link(entry, dir_ / "second-link"); });
  fs::remove(dir_ / "second-link");
  if (::geteuid() == 0) {
    ignored("owned by another user", [&] { ASSERT_EQ(::chown(entry.c_str(), 65534, 65534), 0); });
  }
  // A directory others may write to: nothing is read from it, nor written.
  write_text(entry, good);
  ::chmod(settings_.directory.c_str(), 0770);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::miss_not_stored);
  ::chmod(settings_.directory.c_str(), 0700);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit);
}

TEST_F(ConfCacheTest, ForeignOwnedEntryIsIgnored) {
  CA_REQUIRE_ROOT();
  ASSERT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored);
  ASSERT_EQ(::chown(entry_for(kText).c_str(), 65534, 65534), 0);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::miss_stored);
  EXPECT_EQ(load(kText).conf_cache, CacheOutcome::hit);
}

TEST_F(ConfCacheTest, ARefusedConfigurationIsNeverStored) {
  const std::string refused = "a = $undefined_variable\n";
  const LoadedConfig first = load(refused);
  ASSERT_TRUE(first.error);
  EXPECT_EQ(first.conf_cache, CacheOutcome::miss_not_stored);
  EXPECT_FALSE(fs::exists(entry_for(refused)));
  EXPECT_EQ(describe(load(refused)), describe(load(refused, false)));
}

TEST_F(ConfCacheTest, TheDefaultConfigurationPathIsTheLibrarysOwn) {
  CacheOutcome outcome{};
  const std::string plain = default_config_path();
  EXPECT_EQ(default_config_path(settings_, &outcome), plain);
  EXPECT_EQ(outcome, CacheOutcome::miss_stored);
  EXPECT_EQ(default_config_path(settings_, &outcome), plain);
  EXPECT_EQ(outcome, CacheOutcome::hit);
  write_text(dir_ / "exe", "another executable", 0755);
  EXPECT_EQ(default_config_path(settings_, &outcome), plain);
  EXPECT_EQ(outcome, CacheOutcome::miss_stored);
  EXPECT_TRUE(plain.starts_with('/')) << plain;
}

TEST(ConfData, SerializesBackToTheSameData) {
  ConfData data;
  data.sections.push_back({"default", {{"a", ""}, {"b", "multi\nline\r\nvalue"}}});
  data.sections.push_back({"", {}});
  data.sections.push_back({"s p", {{"x", "\x01\xff"}}});
  EXPECT_EQ(parse_conf_data(serialize_conf_data(data)), data);
  // NCONF's strings are C strings: a NUL byte can only be a torn entry.
  ConfData torn = data;
  torn.sections.back().values.back().second = std::string("nul\0byte", 8);
  EXPECT_FALSE(parse_conf_data(serialize_conf_data(torn)));
  EXPECT_EQ(parse_conf_data(""), ConfData{});
  EXPECT_FALSE(parse_conf_data("name 1\na\nvalue 1\nb\n"));  // a value outside any section
  EXPECT_FALSE(parse_conf_data(serialize_conf_data(data) + "section 3\nab\n"));
}

}  // namespace
}  // namespace clinic_audit::openssl
