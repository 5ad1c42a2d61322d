// The command line sets up only the subcommands, and their options, an
// invocation can reach (command_line.hpp, issue #19 item 5). Held here against the full
// set-up it replaces: for every invocation of a generated corpus (every
// subcommand alone, with --help, -h, --help-all, an unknown option, every
// option of every subcommand, every other subcommand after it, values that
// validators refuse, valid runs), both parsers give the same outcome: the
// same error or help (name, message, exit code, what app.exit prints), the
// same subcommand chosen and the same values parsed.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "cli/command_line.hpp"

namespace clinic_audit {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += item + '|';
  return out;
}

struct Outcome {
  std::string error, what, out, err, chosen, values;
  int code = 0;
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "error=" << o.error << " code=" << o.code << " what=" << o.what << "\nout=" << o.out << "\nerr=" << o.err
            << "\nchosen=" << o.chosen << "\nvalues=" << o.values;
}

std::string values_of(const CommandLine& cli) {
  std::ostringstream v;
  v << cli.verbose << cli.quiet << ' ' << cli.color << ' ' << cli.lang_option << " run:" << join(cli.run.policies)
    << ' ' << join(cli.run.formats) << ' ' << join(cli.run.only) << ' ' << cli.run.trigger << ' ' << cli.run.offline
    << ' ' << cli.root << ' ' << cli.out_dir << ' ' << cli.config << ' ' << cli.state_dir << ' ' << cli.no_sign
    << " catalog:" << join(cli.catalog.policies) << ' ' << cli.catalog_config << ' ' << cli.catalog_root << ' '
    << cli.catalog.types << ' ' << cli.check_id << " keygen:" << cli.keygen.key_path << ' ' << cli.keygen.cert_path
    << ' ' << cli.keygen.rsa_bits << cli.keygen.force << cli.rsa << ' ' << cli.csr
    << " verify:" << join(cli.verify_inputs) << ' ' << cli.ca_file << " status:" << cli.status.format << ' '
    << cli.status.max_age_hours << ' ' << cli.status.reports_dir << ' ' << cli.status.out.value_or("-") << ' '
    << cli.status.timeout_seconds << cli.status.version;
  return v.str();
}

std::vector<const char*> argv_of(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"clinic-audit"};
  for (const auto& arg : args) argv.push_back(arg.c_str());
  return argv;
}

Outcome parse_with(bool full, const std::vector<std::string>& args) {
  const auto argv = argv_of(args);
  const int argc = static_cast<int>(argv.size());
  CommandLine cli(full ? OptionScope::all() : OptionScope::for_arguments(argc, argv.data()));
  Outcome outcome;
  try {
    cli.app.parse(argc, argv.data());
  } catch (const CLI::ParseError& e) {
    outcome.error = e.get_name();
    outcome.what = e.what();
    std::ostringstream out, err;
    outcome.code = cli.app.exit(e, out, err);
    outcome.out = out.str();
    outcome.err = err.str();
  }
  for (const auto* sub : cli.app.get_subcommands()) outcome.chosen += sub->get_name() + ' ';
  outcome.values = values_of(cli);
  return outcome;
}

// Every subcommand name and every option name (long and short) of the full set-up.
struct Names {
  std::vector<std::string> subcommands, options;
};

Names names() {
  CommandLine cli(OptionScope::all());
  Names names;
  std::set<std::string> options;
  for (const auto* opt : cli.app.get_options()) {
    for (const auto& n : opt->get_lnames()) options.insert("--" + n);
    for (const auto& n : opt->get_snames()) options.insert("-" + n);
  }
  for (const auto* sub : cli.app.get_subcommands({})) {
    names.subcommands.push_back(sub->get_name());
    for (const auto* opt : sub->get_options()) {
      for (const auto& n : opt->get_lnames()) options.insert("--" + n);
      for (const auto& n : opt->get_snames()) options.insert("-" + n);
    }
  }
  names.options.assign(options.begin(), options.end());
  return names;
}

std::vector<std::vector<std::string>> corpus() {
  const Names n = names();
  std::vector<std::vector<std::string>> c{
      {},
      {"--help"},
      {"-h"},
      {"--help-all"},
      {"-V"},
      {"--version"},
      {"--bogus"},
      {"-v", "-q"},
      {"--color", "sometimes"},
      {"--lang", "de", "run"},
      {"--", "run"},
      {"run", "--format", "yaml"},
      {"run", "--trigger", "sometimes"},
      {"run", "--root", "/nonexistent-root-dir"},
      {"run",   "--policy",    "apicrypt-v1", "--format", "json",   "--offline", "--no-sign", "--root",
       "/",     "--state-dir", "/tmp/s",      "--only",   "a",      "--only",    "b",         "--trigger",
       "timer", "--out",       "/tmp",        "--config", "c.conf", "-v"},
      {"--quiet", "list", "--policy", "ekermed", "--types", "--root", "/"},
      {"explain", "apicrypt.some-check", "--policy", "apicrypt-v2", "--config", "c"},
      {"explain", "a", "b"},
      {"keygen", "--rsa", "--rsa-bits", "4096", "--csr", "x.csr", "--force", "--key", "k", "--cert", "c"},
      {"keygen", "--rsa-bits", "12"},
      {"verify", "a.json", "b.json", "--ca", "ca.pem"},
      {"enroll", "--collector", "https://c", "--token", "t", "--ca-fingerprint", "ab", "--force"},
      {"enroll", "--collector", "https://c"},
      {"submit", "--collector", "https://c", "--config", "c", "--state-dir", "s"},
      {"status", "--format", "json", "--max-age", "2", "--reports", "r", "--out", "o", "-t", "5", "-V"},
      {"status", "--max-age", "-1"},
      {"status", "--timeout", "100000"},
      {"status", "--format", "xml"},
      {"run", "--help-all"},
      {"version", "--help-all"},
      {"-vh"},
      {"-hv", "list"},
      {"run", "-vh"},
      {"-qh", "status", "--format", "json"},
      {"--he"},
  };
  for (const auto& sub : n.subcommands) {
    for (const char* extra : {"", "--help", "-h", "--help-all", "--bogus", "extra", "--", "-V"}) {
      c.push_back(*extra ? std::vector<std::string>{sub, extra} : std::vector<std::string>{sub});
    }
    for (const auto& opt : n.options) {
      c.push_back({sub, opt});
      c.push_back({sub, opt, "value"});
      c.push_back({sub, opt + "=value"});
      c.push_back({opt, "value", sub});
    }
    for (const auto& other : n.subcommands) {
      c.push_back({sub, other});
      c.push_back({sub, other, "--help"});
      c.push_back({sub, "--help", other});
      c.push_back({"-v", sub, "x", other});
    }
  }
  return c;
}

TEST(CommandLineScope, EveryInvocationParsesAsWithEveryOptionSetUp) {
  const auto invocations = corpus();
  ASSERT_GT(invocations.size(), 1500u);
  std::size_t errors = 0, helps = 0;
  for (const auto& args : invocations) {
    const Outcome full = parse_with(true, args);
    const Outcome lazy = parse_with(false, args);
    EXPECT_EQ(lazy, full) << "clinic-audit " << join(args);
    if (!full.error.empty()) ++errors;
    if (full.error == "CallForHelp" || full.error == "CallForAllHelp") ++helps;
  }
  // The corpus exercises errors, help screens and successful parses alike.
  EXPECT_GT(errors, 1000u);
  EXPECT_GT(helps, 30u);
  EXPECT_LT(errors, invocations.size());
}

TEST(CommandLineScope, OnlyTheNamedSubcommandIsSetUp) {
  const std::vector<const char*> argv{"clinic-audit", "run", "--policy", "apicrypt-v1"};
  CommandLine cli(OptionScope::for_arguments(static_cast<int>(argv.size()), argv.data()));
  ASSERT_EQ(cli.app.get_subcommands({}).size(), 1u);
  EXPECT_EQ(cli.run_cmd, cli.app.get_subcommands({}).front());
  EXPECT_EQ(cli.list_cmd, nullptr);
  EXPECT_EQ(cli.version_cmd, nullptr);
  EXPECT_FALSE(CommandLine::chosen(cli.list_cmd));

  // Help creates every subcommand (the help screen lists them), without options
  // but their help flags, those of `version` (which has none of its own).
  const std::vector<const char*> help{"clinic-audit", "-vh"};
  CommandLine listed(OptionScope::for_arguments(2, help.data()));
  std::vector<std::string> listed_names;
  const std::size_t base = listed.version_cmd->get_options().size();
  for (const auto* sub : listed.app.get_subcommands({})) {
    listed_names.push_back(sub->get_name());
    EXPECT_EQ(sub->get_options().size(), base) << sub->get_name();
  }
  EXPECT_EQ(listed_names, CommandLine::subcommand_names());
  EXPECT_EQ(cli.run_cmd->get_options().size(), base + 10);

  const std::vector<const char*> help_all{"clinic-audit", "--help-all"};
  CommandLine all(OptionScope::for_arguments(2, help_all.data()));
  EXPECT_EQ(all.status_cmd->get_options().size(), base + 6);
  EXPECT_EQ(all.list_cmd->get_options().size(), base + 4);
}

}  // namespace
}  // namespace clinic_audit
