// Everything a check may use to look at the host. Checks never touch global
// paths, spawn processes or open sockets on their own: they go through this,
// so that `--root`, `--offline` and the tests' fixtures hold for every check
// (DESIGN.md §3). One Context serves all checks of a run concurrently, so
// every member is safe to use from several threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "accounts.hpp"
#include "command_runner.hpp"
#include "root_fs.hpp"

namespace clinic_audit {

struct NetworkSettings {
  bool offline = false;                    // --offline: no network operation at all, DNS included
  std::optional<std::string> https_proxy;  // from agent.conf, else https_proxy/HTTPS_PROXY
  std::chrono::milliseconds probe_timeout{2000};
};

class Context {
 public:
  Context(const RootFs& fs, CommandRunner& commands, NetworkSettings network);

  const RootFs& fs() const { return fs_; }
  // Users and groups of the audited root; loaded once on first use.
  // Throws FsError when /etc/passwd or /etc/group cannot be read.
  const Accounts& accounts() const;
  CommandRunner& commands() const { return commands_; }
  const NetworkSettings& network() const { return network_; }
  // True when auditing the running system (no --root): a check may then also
  // ask live programs (systemctl, the loaded OpenSSL library). With --root it
  // must judge from files only.
  bool live() const { return fs_.is_live(); }
  // Where a check may keep answers that are costly to recompute between runs
  // (the agent's state directory + "/cache"; issue #19 item 5). Empty: no
  // cache. Set before the checks run.
  void set_cache_directory(std::filesystem::path directory) { cache_directory_ = std::move(directory); }
  const std::filesystem::path& cache_directory() const { return cache_directory_; }

 private:
  const RootFs& fs_;
  CommandRunner& commands_;
  NetworkSettings network_;
  mutable std::mutex accounts_mutex_;
  mutable std::unique_ptr<Accounts> accounts_;
  std::filesystem::path cache_directory_;
};

}  // namespace clinic_audit
