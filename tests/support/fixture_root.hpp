// Builds fixture root trees for tests with real ownership and modes (tests
// run as root in CI; chown to numeric ids needs no such user on the host).
//
// Programmatic: FixtureRoot r(dir); r.file("/etc/sudoers", "...", 0440, 0, 0);
// From a manifest (tests/fixtures/roots/NAME.manifest), one entry a line:
//   dir  PATH MODE UID GID
//   file PATH MODE UID GID = inline text (\n and \t escapes)
//   file PATH MODE UID GID @relative/source/file   (relative to the manifest)
//   link PATH TARGET
//   fifo PATH MODE
//   big  PATH MODE UID GID SIZE        (a sparse file of SIZE bytes)
// Parent directories are created 0755 root:root unless listed before.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "needs_root.hpp"

namespace clinic_audit::testing {

class FixtureRoot {
 public:
  // Creates (after removing any previous content) the directory `dir`.
  explicit FixtureRoot(std::filesystem::path dir);

  const std::filesystem::path& path() const { return dir_; }
  std::filesystem::path host(std::string_view in_root) const;

  FixtureRoot& dir(std::string_view path, mode_t mode = 0755, uid_t uid = 0, gid_t gid = 0);
  FixtureRoot& file(std::string_view path, std::string_view content, mode_t mode = 0644, uid_t uid = 0, gid_t gid = 0);
  FixtureRoot& symlink(std::string_view path, std::string_view target);
  FixtureRoot& fifo(std::string_view path, mode_t mode = 0644);
  FixtureRoot& sparse(std::string_view path, off_t size, mode_t mode = 0644, uid_t uid = 0, gid_t gid = 0);
  // Standard Debian accounts (root, daemon, www-data=33, nobody) in /etc/passwd, /etc/group.
  FixtureRoot& debian_accounts();
  // Applies a manifest (format above). Throws std::runtime_error naming file:line.
  FixtureRoot& apply_manifest(const std::filesystem::path& manifest);

 private:
  void ensure_parent(std::string_view path);
  std::filesystem::path dir_;
};

// Directory for a test's fixtures under the build tree:
// <build>/test-roots/<Suite.Test>/<name> (unique per test: CTest runs tests in parallel).
std::filesystem::path fixture_dir(std::string_view name);
// Source tree root (for shipped policies and fixture manifests).
std::filesystem::path source_dir();

}  // namespace clinic_audit::testing
