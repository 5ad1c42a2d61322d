// Helpers for the real-oracle tests: run Debian's own programs
// (spamassassin, postmap, postconf) on the fixtures, never touching the
// network: spamassassin runs with -L (local tests only) inside a fresh
// network namespace (unshare -n) when the kernel allows it.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/command_runner.hpp"

namespace clinic_audit::antispam::testing {

// Runs `program args...` (absolute path, no shell) with a 60 s limit.
CommandResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::string& stdin_data = {}, const std::string& home = {});
// True when `unshare -n` works here (tests run as root in CI).
bool can_unshare_network();
// /usr/bin/rspamadm with `args`, in a network namespace of its own when
// the kernel allows it (rspamd's Lua may try to resolve names).
CommandResult run_rspamadm(const std::vector<std::string>& args);
// Rule names listed in the X-Spam-Status "tests=" field of spamassassin -t output.
std::vector<std::string> spam_status_tests(const std::string& output);
std::string read_text(const std::filesystem::path& path);
// postmap -s / -q - output, "key<TAB>value" a line, as a map; nullopt (and
// the bad line in `bad`) if a line has no tab.
std::optional<std::map<std::string, std::string>> postmap_pairs(const std::string& output, std::string& bad);

}  // namespace clinic_audit::antispam::testing
