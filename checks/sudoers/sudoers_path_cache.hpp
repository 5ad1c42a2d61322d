// What the `sudoers` check asks of the audited file system for every rule
// (does the command exist, its canonical path, who could replace it),
// answered once per path and once per directory: 100,000 rules naming
// commands under the same directories must not walk from the root, nor
// throw and catch an ENOENT, for each rule (issue #16 item 5).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/accounts.hpp"
#include "common/root_fs.hpp"
#include "file/permissions.hpp"

namespace clinic_audit::sudoers {

class PathCache {
 public:
  PathCache(const RootFs& fs, const Accounts& accounts) : fs_(fs), accounts_(accounts) {}

  // RootFs::exists(), from cached directory listings where the path is
  // plain (no ".", "..", symlink on the way). Throws FsError as it does.
  bool exists(const std::string& path);
  // RootFs::resolve(), nullopt when the path does not exist or cannot be resolved.
  std::optional<std::string> resolve(const std::string& path);
  // The same, kept in the cache (stable until the cache goes): nullptr when
  // the path does not exist or cannot be resolved.
  const std::string* resolved(const std::string& path);
  // non_root_writers() of a path, once per path.
  const std::vector<WriterFinding>& writers(const std::string& path);

  const RootFs& fs() const { return fs_; }
  const Accounts& accounts() const { return accounts_; }

 private:
  // Names in a directory, or nullptr when it is not worth caching (huge) or unreadable.
  const std::unordered_set<std::string>* listing(const std::string& dir);

  const RootFs& fs_;
  const Accounts& accounts_;
  std::unordered_map<std::string, bool> exists_;
  std::unordered_map<std::string, std::optional<std::string>> resolved_;
  std::unordered_map<std::string, std::unique_ptr<std::unordered_set<std::string>>> listings_;
  std::unordered_map<std::string, std::vector<WriterFinding>> writers_;
};

}  // namespace clinic_audit::sudoers
