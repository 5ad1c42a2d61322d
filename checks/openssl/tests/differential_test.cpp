// Differential tests (issue #5, item 5): for each configuration, what the
// check derives offline from the files equals what the OpenSSL library
// applies when it loads the same files itself (the oracle, chrooted into the
// same fixture root, in a process of its own).
#include <gtest/gtest.h>

#include <charconv>
#include <map>

#include "common/command_runner.hpp"
#include "common/root_fs.hpp"
#include "openssl_analysis.hpp"
#include "openssl_fixtures.hpp"
#include "openssl_verdict.hpp"

namespace clinic_audit::openssl {
namespace {

std::map<std::string, std::string> run_oracle(const std::filesystem::path& root) {
  ProcessRunner runner;
  CommandSpec spec;
  spec.program = CA_OPENSSL_ORACLE;
  spec.args = {root.string()};
  const CommandResult result = runner.run(spec);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::map<std::string, std::string> values;
  std::string_view text = result.out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (auto eq = line.find('='); eq != std::string_view::npos) {
      values[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
  }
  return values;
}

int number(const std::map<std::string, std::string>& values, const std::string& key) {
  auto it = values.find(key);
  if (it == values.end()) {
    ADD_FAILURE() << "oracle printed no " << key;
    return -1;
  }
  int value = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
  return value;
}

class Differential : public ::testing::TestWithParam<testing::ConfigCase> {};

TEST_P(Differential, OfflineAnalysisEqualsWhatOpenSSLApplies) {
  const auto root = testing::build_root(GetParam());
  const auto oracle = run_oracle(root);

  RootFs fs(root);
  ProcessRunner runner;
  const Analysis a = analyze(fs, runner, ProbeCommand{CA_OPENSSL_PROBE, {}}, "/usr/lib/ssl/openssl.cnf");

  // The file loads (or not) for both; then the applied values are equal.
  EXPECT_EQ(a.config.exists && !a.config.error, a.config.exists && number(oracle, "nconf_load") == 1)
      << (a.config.error ? a.config.error->message : "");
  EXPECT_EQ(a.effective.ctx_ok ? 1 : 0, number(oracle, "ctx"));
  EXPECT_EQ(a.effective.security_level, number(oracle, "security_level"));
  EXPECT_EQ(a.effective.min_proto, number(oracle, "min_proto"));
  EXPECT_EQ(a.effective.max_proto, number(oracle, "max_proto"));
  EXPECT_EQ(a.effective.tls12_ciphers, number(oracle, "tls12_ciphers"));
  EXPECT_EQ(a.effective.tls13_ciphers, number(oracle, "tls13_ciphers"));

  // And the verdict on the offline values is the verdict on the library's.
  Analysis from_library;
  from_library.config.path = a.config.path;
  from_library.config.exists = a.config.exists;
  if (a.config.error) from_library.config.error = a.config.error;
  from_library.defaults = a.defaults;
  from_library.effective = a.effective;
  from_library.effective.ctx_ok = number(oracle, "ctx") == 1;
  from_library.effective.security_level = number(oracle, "security_level");
  from_library.effective.min_proto = number(oracle, "min_proto");
  from_library.effective.max_proto = number(oracle, "max_proto");
  from_library.effective.tls12_ciphers = number(oracle, "tls12_ciphers");
  from_library.effective.tls13_ciphers = number(oracle, "tls13_ciphers");
  const LevelLimits apicrypt{1, 2};
  EXPECT_EQ(judge(a, std::nullopt, apicrypt).status, judge(from_library, std::nullopt, apicrypt).status);

  // Lines we call silently skipped (issue #21 item 7): OpenSSL itself must
  // apply exactly the same without them. A refused CipherString is not skipped: SSL_CTX_set_cipher_list() has
  // already applied what it could (its @SECLEVEL, an emptied list) when it
  // fails; and a line whose name another value expands ($name) is still a
  // variable. Those are left in place.
  testing::ConfigCase without = GetParam();
  without.name += "-without-skipped";
  int pruned_lines = 0;
  for (const auto& r : a.effective.rejected) {
    if (!claims_no_effect(r)) continue;
    bool used_as_variable = false;
    for (const auto& [path, text] : without.files) {
      used_as_variable = used_as_variable || text.find("$" + r.name) != std::string::npos ||
                         text.find("${" + r.name) != std::string::npos;
    }
    if (used_as_variable) continue;
    ++pruned_lines;
    {
      std::optional<Origin> origin;
      for (const auto& c : a.settings.commands) origin = c.name == r.name ? c.origin : origin;
      ASSERT_TRUE(origin) << r.name;
      for (auto& [path, text] : without.files) {
        if (path != origin->file) continue;
        std::size_t start = 0;
        for (int line = 1; line < origin->line; ++line) start = text.find('\n', start) + 1;
        text.erase(start, text.find('\n', start) - start);  // keep the newline: line numbers stay
      }
    }
  }
  if (pruned_lines > 0) {
    const auto pruned = run_oracle(testing::build_root(without));
    for (const char* key : {"ctx", "security_level", "min_proto", "max_proto", "tls12_ciphers", "tls13_ciphers"}) {
      EXPECT_EQ(number(pruned, key), number(oracle, key))
          << key << ": a line we call skipped changes what OpenSSL applies";
    }
  }
}

std::string case_name(const ::testing::TestParamInfo<testing::ConfigCase>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Configurations, Differential, ::testing::ValuesIn(testing::differential_cases()), case_name);

TEST(DifferentialCases, CoverAtLeastFifteenConfigurations) { EXPECT_GE(testing::differential_cases().size(), 15U); }

}  // namespace
}  // namespace clinic_audit::openssl
