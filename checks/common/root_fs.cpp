// Over 400 lines: the root-confined path walk (openat O_PATH|O_NOFOLLOW,
// symlink re-rooting, the kernel's 40-link limit) and every read built on it,
// kept in one file so that the invariant nothing outside the root is opened is
// reviewed in one place.
#include "root_fs.hpp"
#include "i18n.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>

#include "unique_fd.hpp"
#include "system_error_text.hpp"

namespace clinic_audit {
namespace {

// path_resolution(7): the kernel gives up after 40 symlinks.
constexpr int kMaxSymlinks = 40;

FileType type_of(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return FileType::regular;
    case S_IFDIR: return FileType::directory;
    case S_IFLNK: return FileType::symlink;
    case S_IFIFO: return FileType::fifo;
    case S_IFSOCK: return FileType::socket;
    case S_IFCHR: return FileType::char_device;
    case S_IFBLK: return FileType::block_device;
    default: return FileType::unknown;
  }
}

FileType type_of_dirent(unsigned char d_type) {
  switch (d_type) {
    case DT_REG: return FileType::regular;
    case DT_DIR: return FileType::directory;
    case DT_LNK: return FileType::symlink;
    case DT_FIFO: return FileType::fifo;
    case DT_SOCK: return FileType::socket;
    case DT_CHR: return FileType::char_device;
    case DT_BLK: return FileType::block_device;
    default: return FileType::unknown;
  }
}

std::string join(const std::vector<std::string>& names) {
  if (names.empty()) return "/";
  std::string out;
  for (const auto& name : names) {
    out += '/';
    out += name;
  }
  return out;
}

// Splits a path (or a symlink target) into components. Empty and "."
// components are dropped, except that a path ending in "/" or "/." keeps a
// final "." so that, as in the kernel, the component before it must be a
// directory (a symlink there is followed): "/etc/passwd/" is ENOTDIR.
void split_into(std::string_view path, std::deque<std::string>& out, bool front) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    std::string_view part = path.substr(pos, next - pos);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    pos = next + 1;
  }
  const bool trailing = !path.empty() && (path.back() == '/' || path == "." ||
                                          (path.size() >= 2 && path.substr(path.size() - 2) == "/."));
  if (trailing && !parts.empty() && parts.back() != "..") parts.emplace_back(".");
  if (front) {
    out.insert(out.begin(), parts.begin(), parts.end());
  } else {
    out.insert(out.end(), parts.begin(), parts.end());
  }
}

FsError fs_error(const std::string& path, int err, std::string_view what) {
  // `what` is a message marked N_() at the call sites: translated here.
  std::string message = path + ": " + _(std::string(what).c_str());
  if (err != 0) {
    message += ": ";
    message += i18n::error_text(err);
  }
  return FsError(path, err, message);
}

std::string fd_acl(int path_fd, const std::string& path) {
  // getxattr(2) does not accept O_PATH descriptors; the /proc link does.
  const std::string proc = "/proc/self/fd/" + std::to_string(path_fd);
  constexpr const char* kName = "system.posix_acl_access";
  // Most ACLs fit in 4 KiB, but an ACL can be as large as an extended
  // attribute may be (64 KiB): never drop one (and the writers it names)
  // because it did not fit, ask for its size and read it again.
  std::string buf(4096, '\0');
  for (int attempt = 0; attempt < 8; ++attempt) {
    const ssize_t n = ::getxattr(proc.c_str(), kName, buf.data(), buf.size());
    if (n >= 0) {
      buf.resize(static_cast<std::size_t>(n));
      return buf;
    }
    if (errno == ENODATA || errno == ENOTSUP) return {};  // no ACL, or none possible here
    if (errno != ERANGE) throw fs_error(path, errno, N_("cannot read the ACL"));
    const ssize_t size = ::getxattr(proc.c_str(), kName, nullptr, 0);
    if (size < 0) {
      if (errno == ENODATA) return {};
      throw fs_error(path, errno, N_("cannot read the ACL"));
    }
    buf.assign(std::max(static_cast<std::size_t>(size), buf.size() * 2), '\0');
  }
  throw fs_error(path, ERANGE, N_("cannot read the ACL (it keeps growing)"));
}

FileInfo info_from(const struct stat& st, std::string path, int path_fd) {
  FileInfo info;
  info.type = type_of(st.st_mode);
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = st.st_size;
  if (info.type == FileType::regular || info.type == FileType::directory) {
    info.acl_xattr = fd_acl(path_fd, path);
  }
  info.path = std::move(path);
  return info;
}

}  // namespace

std::string_view to_string(FileType type) {
  switch (type) {
    case FileType::regular: return N_("regular file");
    case FileType::directory: return N_("directory");
    case FileType::symlink: return N_("symbolic link");
    case FileType::fifo: return "FIFO";
    case FileType::socket: return N_("socket");
    case FileType::char_device: return N_("character device");
    case FileType::block_device: return N_("block device");
    case FileType::unknown: break;
  }
  return N_("unknown file type");
}

struct RootFs::Walked {
  UniqueFd parent;   // directory holding the final object (O_PATH); not set by open_in_root
  UniqueFd object;   // the final object (O_PATH)
  std::string name;  // final component name ("." for the root itself)
  std::string path;  // canonical in-root path
  struct stat st {};
};

namespace {

// Cleared when the kernel (or a seccomp filter, or valgrind) does not know
// openat2(2): every later resolution walks without asking again.
std::atomic<bool> g_openat2_usable{true};

int sys_openat2(int dirfd, const char* path, int flags, std::uint64_t resolve) {
  struct open_how how {};
  how.flags = static_cast<__u64>(static_cast<unsigned int>(flags));
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof how));
}

// RESOLVE_IN_ROOT: the root directory is the audit root, ".." and absolute
// symlinks cannot leave it (openat2(2)); RESOLVE_NO_SYMLINKS: any symlink
// on the way is refused (ELOOP) and left to the component walk, which
// re-roots it and counts hops itself; a final symlink opened O_PATH |
// O_NOFOLLOW is returned as itself.
constexpr std::uint64_t kInRootNoSymlinks = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

// Absolute, at least one component, no empty, "." or ".." component, no
// trailing "/", no NUL: the canonical in-root path is then the path itself
// whenever no symlink is crossed.
bool is_plain_path(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  if (path.find('\0') != std::string_view::npos || path.find("//") != std::string_view::npos) return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, end - start);
    if (component == "." || component == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

RootFs::RootFs(std::filesystem::path root, Resolution resolution) : root_(std::move(root)), resolution_(resolution) {
  if (root_.empty()) root_ = "/";
  root_fd_ = ::open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) {
    throw fs_error(root_.string(), errno, N_("cannot open audit root"));
  }
  if (resolution_ == Resolution::fast) {
    // Where the kernel says the root is (symlinks in --root resolved): the
    // prefix open_through_symlinks takes off. Unknown: that shortcut is off.
    std::array<char, 4096> buf{};
    const std::string proc = "/proc/self/fd/" + std::to_string(root_fd_);
    const ssize_t n = ::readlink(proc.c_str(), buf.data(), buf.size());
    if (n > 0 && static_cast<std::size_t>(n) < buf.size() && buf[0] == '/') {
      root_real_.assign(buf.data(), static_cast<std::size_t>(n));
    }
  }
}

RootFs::~RootFs() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

bool RootFs::open_in_root(std::string_view path, bool follow_last, Walked& out, bool* missing) const {
  if (resolution_ != Resolution::fast || !g_openat2_usable.load(std::memory_order_relaxed) || !is_plain_path(path)) {
    return false;
  }
  const std::string text(path);
  UniqueFd fd(sys_openat2(root_fd_, text.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC, kInRootNoSymlinks));
  if (!fd.valid()) {
    if (errno == ENOSYS || errno == EPERM) g_openat2_usable.store(false, std::memory_order_relaxed);
    // A component is missing and no symlink came before it (that would have
    // been ELOOP): the walk would stop at the same component.
    if (errno == ENOENT && missing != nullptr) {
      *missing = true;
      return true;
    }
    if (errno == ELOOP) return open_through_symlinks(text, follow_last, out);
    return false;  // ENOTDIR, EACCES, EXDEV...: the walk says which component
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return false;
  if (S_ISLNK(st.st_mode) && follow_last) return open_through_symlinks(text, follow_last, out);
  out.object = std::move(fd);
  out.path = text;
  out.name = text.substr(text.rfind('/') + 1);
  out.st = st;
  return true;
}

// A plain path crossing symlinks (/lib on a merged-/usr system, the
// alternatives): the kernel follows them inside the root as the walk does
// (absolute targets re-rooted, ".." stopped at the root, 40 at most), and
// the canonical path is where the object is, read back from
// /proc/self/fd/N without the root's own path. Any doubt -- an error, an
// unlinked object, a path not under the root's -- leaves it to the walk,
// which also says which component failed.
bool RootFs::open_through_symlinks(const std::string& path, bool follow_last, Walked& out) const {
  if (root_real_.empty()) return false;
  const int flags = O_PATH | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW);
  UniqueFd fd(sys_openat2(root_fd_, path.c_str(), flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS));
  if (!fd.valid()) return false;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || st.st_nlink == 0) return false;
  const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
  std::array<char, 4096> buf{};
  const ssize_t n = ::readlink(proc.c_str(), buf.data(), buf.size());
  if (n <= 0 || static_cast<std::size_t>(n) >= buf.size()) return false;
  std::string_view where(buf.data(), static_cast<std::size_t>(n));
  if (root_real_ != "/") {
    if (!where.starts_with(root_real_) || where.size() == root_real_.size() || where[root_real_.size()] != '/') {
      return false;
    }
    where.remove_prefix(root_real_.size());
  }
  if (where.size() < 2 || where.front() != '/') return false;
  out.object = std::move(fd);
  out.path = std::string(where);
  out.name = out.path.substr(out.path.rfind('/') + 1);
  out.st = st;
  return true;
}

int RootFs::reopen(const Walked& walked, int flags) const {
  if (walked.parent.valid()) return ::openat(walked.parent.get(), walked.name.c_str(), flags | O_NOFOLLOW);
  // Resolved by open_in_root: the same plain path, again without symlinks
  // (the caller checks, as after openat, that what it opened is still of
  // the type it stat-ed).
  return sys_openat2(root_fd_, walked.path.c_str(), flags | O_NOFOLLOW, kInRootNoSymlinks);
}

RootFs::Walked RootFs::walk_to(std::string_view path, bool follow_last, std::vector<PathStep>* steps,
                               bool* missing) const {
  if (path.empty() || path.front() != '/') {
    throw fs_error(std::string(path), EINVAL, N_("path must be absolute inside the audited root"));
  }
  if (steps == nullptr) {
    Walked fast;
    if (open_in_root(path, follow_last, fast, missing)) return fast;
  }
  std::deque<std::string> pending;
  split_into(path, pending, false);

  // Stack of directories walked into; index 0 is the root.
  std::vector<UniqueFd> dirs;
  std::vector<std::string> names;
  dirs.emplace_back(::openat(root_fd_, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dirs.back().valid()) throw fs_error("/", errno, N_("cannot open audit root"));
  if (steps != nullptr) {
    struct stat st {};
    if (::fstat(dirs.back().get(), &st) == 0) steps->push_back({info_from(st, "/", dirs.back().get()), false});
  }

  int symlinks = 0;
  while (!pending.empty()) {
    std::string component = std::move(pending.front());
    pending.pop_front();
    if (component == ".") continue;  // trailing-slash marker (see split_into)
    if (component == "..") {
      if (dirs.size() > 1) {
        dirs.pop_back();
        names.pop_back();
      }
      continue;
    }
    const bool last = pending.empty();
    UniqueFd fd(::openat(dirs.back().get(), component.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    names.push_back(component);
    std::string here = join(names);
    if (!fd.valid() && errno == ENOENT && missing != nullptr) {
      *missing = true;
      return {};
    }
    if (!fd.valid()) throw fs_error(here, errno, N_("cannot resolve"));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw fs_error(here, errno, N_("cannot stat"));

    if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
      if (++symlinks > kMaxSymlinks) throw fs_error(here, ELOOP, N_("cannot resolve"));
      std::array<char, 4096> buf{};
      ssize_t n = ::readlinkat(fd.get(), "", buf.data(), buf.size());
      if (n < 0) throw fs_error(here, errno, N_("cannot read symlink"));
      if (static_cast<std::size_t>(n) >= buf.size()) throw fs_error(here, ENAMETOOLONG, N_("cannot read symlink"));
      std::string_view target(buf.data(), static_cast<std::size_t>(n));
      if (steps != nullptr) steps->push_back({info_from(st, here, fd.get()), true});
      names.pop_back();
      if (!target.empty() && target.front() == '/') {
        // Absolute target: re-rooted at the audit root.
        dirs.resize(1);
        names.clear();
      }
      split_into(target, pending, true);
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode)) throw fs_error(here, ENOTDIR, N_("cannot resolve"));
    if (steps != nullptr) steps->push_back({info_from(st, here, fd.get()), false});
    if (last) {
      Walked out;
      out.parent = std::move(dirs.back());
      out.object = std::move(fd);
      out.name = component;
      out.path = std::move(here);
      out.st = st;
      return out;
    }
    dirs.push_back(std::move(fd));
  }

  // The path named a directory we walked into (or the root itself).
  Walked out;
  out.object = std::move(dirs.back());
  if (dirs.size() > 1) {
    out.parent = std::move(dirs[dirs.size() - 2]);
    out.name = names.back();
  } else {
    out.parent = UniqueFd(::openat(root_fd_, ".", O_PATH | O_DIRECTORY | O_CLOEXEC));
    out.name = ".";
  }
  out.path = join(names);
  if (::fstat(out.object.get(), &out.st) != 0) throw fs_error(out.path, errno, N_("cannot stat"));
  return out;
}

std::string RootFs::resolve(std::string_view path, bool follow_last) const {
  return walk_to(path, follow_last, nullptr).path;
}

std::optional<FileInfo> RootFs::stat(std::string_view path) const {
  try {
    bool missing = false;
    Walked w = walk_to(path, true, nullptr, &missing);
    if (missing) return std::nullopt;
    return info_from(w.st, w.path, w.object.get());
  } catch (const FsError& e) {
    if (e.error_number() == ENOENT) return std::nullopt;
    throw;
  }
}

std::optional<FileInfo> RootFs::lstat(std::string_view path) const {
  try {
    bool missing = false;
    Walked w = walk_to(path, false, nullptr, &missing);
    if (missing) return std::nullopt;
    return info_from(w.st, w.path, w.object.get());
  } catch (const FsError& e) {
    if (e.error_number() == ENOENT) return std::nullopt;
    throw;
  }
}

std::vector<PathStep> RootFs::walk(std::string_view path) const {
  std::vector<PathStep> steps;
  walk_to(path, true, &steps);
  return steps;
}

std::string RootFs::read_file(std::string_view path, std::size_t max_bytes) const {
  Walked w = walk_to(path, true, nullptr);
  if (!S_ISREG(w.st.st_mode)) {
    // Refused before opening: opening a FIFO would block, a device could have side effects.
    throw fs_error(w.path, 0, tr("is a {0}, not a regular file", _(to_string(type_of(w.st.st_mode)).data())));
  }
  if (static_cast<std::size_t>(w.st.st_size) > max_bytes) {
    // errno 0: the sentence says it all, strerror's "File too large" adds nothing.
    throw fs_error(w.path, 0, tr("is {0} bytes, over the {1}-byte limit for this file", w.st.st_size, max_bytes));
  }
  UniqueFd fd(reopen(w, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) throw fs_error(w.path, errno, N_("cannot open"));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    throw fs_error(w.path, 0, N_("changed while being opened"));
  }
  std::string content;
  content.resize(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), max_bytes) + 1);
  std::size_t used = 0;
  while (true) {
    if (used == content.size()) {
      if (content.size() > max_bytes) {
        throw fs_error(w.path, 0, tr("grew over the {0}-byte limit for this file while being read", max_bytes));
      }
      content.resize(std::min(content.size() * 2, max_bytes + 1));
    }
    ssize_t n = ::read(fd.get(), content.data() + used, content.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fs_error(w.path, errno, N_("cannot read"));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > max_bytes) {
    throw fs_error(w.path, 0, tr("is over the {0}-byte limit for this file", max_bytes));
  }
  content.resize(used);
  return content;
}

void RootFs::read_file_chunks(std::string_view path, std::size_t max_bytes,
                              const std::function<void(const char*, std::size_t)>& sink) const {
  Walked w = walk_to(path, true, nullptr);
  if (!S_ISREG(w.st.st_mode)) {
    throw fs_error(w.path, 0, tr("is a {0}, not a regular file", _(to_string(type_of(w.st.st_mode)).data())));
  }
  if (static_cast<std::size_t>(w.st.st_size) > max_bytes) {
    throw fs_error(w.path, 0, tr("is {0} bytes, over the {1}-byte limit for this file", w.st.st_size, max_bytes));
  }
  UniqueFd fd(reopen(w, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) throw fs_error(w.path, errno, N_("cannot open"));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw fs_error(w.path, 0, N_("changed while being opened"));
  std::array<char, 65536> buf{};
  std::size_t total = 0;
  while (true) {
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fs_error(w.path, errno, N_("cannot read"));
    }
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
    if (total > max_bytes) {
      throw fs_error(w.path, 0, tr("grew over the {0}-byte limit for this file while being read", max_bytes));
    }
    sink(buf.data(), static_cast<std::size_t>(n));
  }
}

std::optional<std::string> RootFs::read_file_if_exists(std::string_view path, std::size_t max_bytes) const {
  try {
    return read_file(path, max_bytes);
  } catch (const FsError& e) {
    if (e.error_number() == ENOENT) return std::nullopt;
    throw;
  }
}

std::vector<DirEntry> RootFs::list_dir(std::string_view path) const {
  std::vector<DirEntry> entries = list_dir_unsorted(path);
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return entries;
}

std::vector<DirEntry> RootFs::list_dir_unsorted(std::string_view path) const {
  Walked w = walk_to(path, true, nullptr);
  if (!S_ISDIR(w.st.st_mode)) throw fs_error(w.path, ENOTDIR, N_("cannot list"));
  int raw = reopen(w, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0) throw fs_error(w.path, errno, N_("cannot list"));
  DIR* dir = ::fdopendir(raw);
  if (dir == nullptr) {
    int err = errno;
    ::close(raw);
    throw fs_error(w.path, err, N_("cannot list"));
  }
  std::vector<DirEntry> entries;
  while (struct dirent* ent = ::readdir(dir)) {
    std::string_view name = ent->d_name;
    if (name == "." || name == "..") continue;
    FileType type = type_of_dirent(ent->d_type);
    if (type == FileType::unknown) {
      struct stat st {};
      if (::fstatat(::dirfd(dir), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) type = type_of(st.st_mode);
    }
    entries.push_back({std::string(name), type});
  }
  ::closedir(dir);
  return entries;
}

std::string RootFs::read_link(std::string_view path) const {
  Walked w = walk_to(path, false, nullptr);
  if (!S_ISLNK(w.st.st_mode)) throw fs_error(w.path, EINVAL, N_("is not a symbolic link"));
  std::array<char, 4096> buf{};
  ssize_t n = ::readlinkat(w.object.get(), "", buf.data(), buf.size());
  if (n < 0) throw fs_error(w.path, errno, N_("cannot read symlink"));
  return std::string(buf.data(), static_cast<std::size_t>(n));
}

std::filesystem::path RootFs::host_path(std::string_view canonical_in_root) const {
  std::filesystem::path out = root_;
  std::string_view rel = canonical_in_root;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (!rel.empty()) out /= std::filesystem::path(rel);
  return out;
}

}  // namespace clinic_audit
