#include "sudoers_path_cache.hpp"

namespace clinic_audit::sudoers {
namespace {

// Directories with more entries are not listed into memory; their paths
// are asked one by one.
constexpr std::size_t kMaxListed = 65536;

// "/a/b/c" with no empty, "." or ".." component.
bool plain(const std::string& path) {
  if (path.size() < 2 || path[0] != '/' || path.back() == '/') return false;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view part(path.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

const std::unordered_set<std::string>* PathCache::listing(const std::string& dir) {
  if (auto found = listings_.find(dir); found != listings_.end()) return found->second.get();
  std::unique_ptr<std::unordered_set<std::string>> names;
  try {
    std::vector<DirEntry> entries = fs_.list_dir_unsorted(dir);
    if (entries.size() <= kMaxListed) {
      names = std::make_unique<std::unordered_set<std::string>>();
      names->reserve(entries.size());
      for (auto& e : entries) {
        // Symlinks are followed by RootFs::exists(): not decided from the listing.
        if (e.type != FileType::symlink) names->insert(std::move(e.name));
        else names->insert("\x01" + e.name);
      }
    }
  } catch (const FsError&) {
  }
  return listings_.emplace(dir, std::move(names)).first->second.get();
}

bool PathCache::exists(const std::string& path) {
  if (auto found = exists_.find(path); found != exists_.end()) return found->second;
  bool result = false;
  const std::size_t slash = path.rfind('/');
  if (!plain(path)) {
    result = fs_.exists(path);
  } else {
    const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    if (parent != "/" && !exists(parent)) {
      return false;  // nothing under a missing directory (the parent's answer is kept)
    } else {
      const std::string name = path.substr(slash + 1);
      const auto* names = listing(parent);
      if (names == nullptr || names->count("\x01" + name) != 0) {
        result = fs_.exists(path);
      } else {
        // Answered from the listing again next time: not kept, so that
        // 100,000 rules naming missing commands add nothing (issue #20 item 4).
        return names->count(name) != 0;
      }
    }
  }
  exists_.emplace(path, result);
  return result;
}

std::optional<std::string> PathCache::resolve(const std::string& path) {
  const std::string* found = resolved(path);
  return found != nullptr ? std::optional<std::string>(*found) : std::nullopt;
}

const std::string* PathCache::resolved(const std::string& path) {
  if (auto found = resolved_.find(path); found != resolved_.end()) return found->second ? &*found->second : nullptr;
  std::optional<std::string> result;
  try {
    // A missing path is not kept: exists() answers it from its cache.
    if (!exists(path)) return nullptr;
    result = fs_.resolve(path);
  } catch (const FsError&) {
  }
  const auto& kept = resolved_.emplace(path, std::move(result)).first->second;
  return kept ? &*kept : nullptr;
}

const std::vector<WriterFinding>& PathCache::writers(const std::string& path) {
  if (auto found = writers_.find(path); found != writers_.end()) return found->second;
  std::vector<WriterFinding> found = non_root_writers(fs_, accounts_, path);
  return writers_.emplace(path, std::move(found)).first->second;
}

}  // namespace clinic_audit::sudoers
