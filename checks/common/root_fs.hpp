// Read-only access to the audited file system, confined to a root directory.
//
// `--root DIR` audits a mounted system image: every path a check names is an
// absolute path *inside* the image. Resolution walks the path one component at
// a time with openat(O_PATH|O_NOFOLLOW), so:
//   - an absolute symlink target is re-rooted at DIR (as chroot(2) would see it),
//   - ".." never climbs above DIR (like "/.." on a live system),
//   - more than 40 symlinks is ELOOP (the kernel's limit, path_resolution(7)),
//   - nothing outside DIR is ever opened.
// The live system is simply RootFs("/").
//
// Reads never block (FIFOs and devices are refused before they are opened) and
// are capped in size, so a hostile image cannot hang or exhaust the auditor.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit {

// A file-system problem at an in-root path (ENOENT, ELOOP, EACCES, not a
// regular file, too large...). `path()` is the path as seen inside the root.
class FsError : public std::runtime_error {
 public:
  FsError(std::string path, int err, const std::string& message)
      : std::runtime_error(message), path_(std::move(path)), errno_(err) {}
  const std::string& path() const { return path_; }
  int error_number() const { return errno_; }

 private:
  std::string path_;
  int errno_;
};

enum class FileType { regular, directory, symlink, fifo, socket, char_device, block_device, unknown };
std::string_view to_string(FileType type);

struct FileInfo {
  std::string path;  // canonical in-root path (symlinks resolved unless lstat)
  FileType type = FileType::unknown;
  mode_t mode = 0;  // permission bits incl. setuid/setgid/sticky (no type bits)
  uid_t uid = 0;
  gid_t gid = 0;
  off_t size = 0;
  // Raw system.posix_acl_access extended attribute (acl(5)); empty when the
  // object has no extended ACL. Decoded by checks/file/permissions.
  std::string acl_xattr;
};

struct DirEntry {
  std::string name;
  FileType type = FileType::unknown;  // of the entry itself (symlinks not followed)
};

// One object crossed while resolving a path: every directory walked through,
// every symlink followed, and the final object. Used to judge who could
// replace a file (anyone who can write any directory on the way).
struct PathStep {
  FileInfo info;
  bool is_symlink_hop = false;  // a symlink that resolution followed
};

class RootFs {
 public:
  // Default read cap for configuration files.
  static constexpr std::size_t kDefaultMaxRead = 4 * 1024 * 1024;

  // How a path is resolved. `fast` (the default) first asks the kernel to
  // open the whole path at once, confined to the root (openat2(2) with
  // RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS), when the path is plain (no ".",
  // "..", "//", trailing "/") and crosses no symlink: one system call instead
  // of two per component (issue #19 item 5); a plain path through symlinks
  // is opened by the kernel confined the same way and its canonical path
  // read back from /proc/self/fd. Anything else -- ".", "..", any error but
  // "does not exist", a kernel without openat2 -- takes the component walk,
  // so results and error messages are the walk's.
  // `component_walk` always walks (tests compare the two).
  enum class Resolution { fast, component_walk };

  explicit RootFs(std::filesystem::path root, Resolution resolution = Resolution::fast);
  ~RootFs();
  RootFs(const RootFs&) = delete;
  RootFs& operator=(const RootFs&) = delete;

  const std::filesystem::path& root() const { return root_; }
  bool is_live() const { return root_ == "/"; }

  // Canonical in-root path of `path` (which must be absolute inside the root).
  // Throws FsError (ENOENT, ELOOP, ENOTDIR, EACCES...).
  std::string resolve(std::string_view path, bool follow_last = true) const;

  // Metadata; nullopt when the path (or a component) does not exist.
  // Throws FsError for other failures (loops, permission).
  std::optional<FileInfo> stat(std::string_view path) const;
  std::optional<FileInfo> lstat(std::string_view path) const;
  bool exists(std::string_view path) const { return stat(path).has_value(); }

  // Every object crossed on the way to `path`, from the root directory to the
  // final object, symlink hops included. Throws FsError when resolution fails.
  std::vector<PathStep> walk(std::string_view path) const;

  // Whole content of a regular file, at most `max_bytes` (a larger file is an
  // FsError naming its size: configuration files are small).
  std::string read_file(std::string_view path, std::size_t max_bytes = kDefaultMaxRead) const;
  // Same, but nullopt when the file does not exist.
  std::optional<std::string> read_file_if_exists(std::string_view path, std::size_t max_bytes = kDefaultMaxRead) const;

  // Streams a regular file to `sink` in chunks (constant memory), at most
  // `max_bytes` (beyond: FsError): for digests of files of any size.
  void read_file_chunks(std::string_view path, std::size_t max_bytes,
                        const std::function<void(const char*, std::size_t)>& sink) const;

  // Entries of a directory, sorted by name in byte order ("." and ".." left out).
  std::vector<DirEntry> list_dir(std::string_view path) const;
  // The same in readdir(3) order, for programs whose semantics depend on it
  // (OpenSSL's .include of a directory reads entries as readdir returns them).
  std::vector<DirEntry> list_dir_unsorted(std::string_view path) const;
  // Symlink target text of `path` itself (not followed).
  std::string read_link(std::string_view path) const;

  // Host path of an in-root canonical path, for tools that must be handed a
  // file (e.g. `php -c`). Resolve first; never build one by string concatenation.
  std::filesystem::path host_path(std::string_view canonical_in_root) const;

 private:
  struct Walked;
  // `missing` (stat/lstat): a component that does not exist sets it and
  // returns an empty Walked instead of throwing -- most stat() calls of an
  // audit probe for files that are absent, and a throw costs ~15k
  // instructions (issue #19 item 5).
  Walked walk_to(std::string_view path, bool follow_last, std::vector<PathStep>* steps, bool* missing = nullptr) const;
  // The kernel's one-call resolution of a plain path (see Resolution); false
  // when the component walk must decide.
  bool open_in_root(std::string_view path, bool follow_last, Walked& out, bool* missing) const;
  bool open_through_symlinks(const std::string& path, bool follow_last, Walked& out) const;
  // Opens the walked object again for reading (`flags` hold O_RDONLY...).
  int reopen(const Walked& walked, int flags) const;

  std::filesystem::path root_;
  int root_fd_ = -1;
  Resolution resolution_ = Resolution::fast;
  std::string root_real_;  // the root's path as /proc/self/fd shows it; "" when unknown
};

// "Stat or false": what a check asks before it reads. Absence is an answer
// (nullopt, false); anything else that stops the stat (a loop, a directory we
// cannot search) is still an FsError, so the check says `error` naming the
// path rather than "not there" (issue #20 item 2). Symlinks are followed.
inline std::optional<FileType> type_of(const RootFs& fs, std::string_view path) {
  const auto info = fs.stat(path);
  if (!info) return std::nullopt;
  return info->type;
}
inline bool is_dir(const RootFs& fs, std::string_view path) { return type_of(fs, path) == FileType::directory; }
inline bool is_regular_file(const RootFs& fs, std::string_view path) { return type_of(fs, path) == FileType::regular; }

}  // namespace clinic_audit
