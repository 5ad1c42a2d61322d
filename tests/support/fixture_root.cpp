#include "fixture_root.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace clinic_audit::testing {
namespace {

void check(int rc, const std::string& what) {
  if (rc == 0) return;
  const int err = errno;
  // Fixtures own files as root and other users: only root may chown them. Run
  // by anyone else, the test says so with kNeedsRootMarker, which CTest turns
  // into "skipped" (cmake/Testing.cmake), so `ctest -LE root` passes for a
  // developer without root. Run as root (CI), this never happens.
  if (err == EPERM && ::geteuid() != 0) {
    throw std::runtime_error(what + ": " + std::strerror(err) + " (" + kNeedsRootMarker + ")");
  }
  throw std::runtime_error(what + ": " + std::strerror(err));
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      char next = text[++i];
      out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

std::filesystem::path fixture_dir(std::string_view name) {
  // CTest runs every test in its own process, several at once: each test gets
  // its own directory so that one test's setup never removes another's files.
  std::filesystem::path base = std::filesystem::path(CA_TEST_BINARY_DIR) / "test-roots";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    std::string test = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : test) {
      if (c == '/') c = '_';
    }
    base /= test;
  }
  return base / std::string(name);
}

std::filesystem::path source_dir() { return CA_TEST_SOURCE_DIR; }

FixtureRoot::FixtureRoot(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  check(::chmod(dir_.c_str(), 0755), "chmod " + dir_.string());
}

std::filesystem::path FixtureRoot::host(std::string_view in_root) const {
  std::string_view rel = in_root;
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  return dir_ / std::string(rel);
}

void FixtureRoot::ensure_parent(std::string_view path) {
  auto parent = host(path).parent_path();
  if (!std::filesystem::exists(parent)) std::filesystem::create_directories(parent);
}

FixtureRoot& FixtureRoot::dir(std::string_view path, mode_t mode, uid_t uid, gid_t gid) {
  auto p = host(path);
  std::filesystem::create_directories(p);
  check(::chown(p.c_str(), uid, gid), "chown " + p.string());
  check(::chmod(p.c_str(), mode), "chmod " + p.string());
  return *this;
}

FixtureRoot& FixtureRoot::file(std::string_view path, std::string_view content, mode_t mode, uid_t uid, gid_t gid) {
  ensure_parent(path);
  auto p = host(path);
  std::filesystem::remove(p);
  {
    std::ofstream out(p, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
  }
  check(::chown(p.c_str(), uid, gid), "chown " + p.string());
  check(::chmod(p.c_str(), mode), "chmod " + p.string());
  return *this;
}

FixtureRoot& FixtureRoot::symlink(std::string_view path, std::string_view target) {
  ensure_parent(path);
  auto p = host(path);
  std::filesystem::remove(p);
  check(::symlink(std::string(target).c_str(), p.c_str()), "symlink " + p.string());
  return *this;
}

FixtureRoot& FixtureRoot::fifo(std::string_view path, mode_t mode) {
  ensure_parent(path);
  auto p = host(path);
  std::filesystem::remove(p);
  check(::mkfifo(p.c_str(), mode), "mkfifo " + p.string());
  return *this;
}

FixtureRoot& FixtureRoot::sparse(std::string_view path, off_t size, mode_t mode, uid_t uid, gid_t gid) {
  file(path, "", mode, uid, gid);
  auto p = host(path);
  check(::truncate(p.c_str(), size), "truncate " + p.string());
  return *this;
}

FixtureRoot& FixtureRoot::debian_accounts() {
  file("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                      "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                      "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
                      "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                      "alice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
  file("/etc/group", "root:x:0:\n"
                     "daemon:x:1:\n"
                     "bin:x:2:\n"
                     "adm:x:4:alice\n"
                     "sudo:x:27:alice\n"
                     "www-data:x:33:\n"
                     "nogroup:x:65534:\n"
                     "alice:x:1000:\n");
  return *this;
}

FixtureRoot& FixtureRoot::apply_manifest(const std::filesystem::path& manifest) {
  std::ifstream in(manifest);
  if (!in) throw std::runtime_error("cannot open manifest " + manifest.string());
  std::string line;
  int line_no = 0;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(manifest.string() + ":" + std::to_string(line_no) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    std::istringstream words(line);
    std::string kind, path;
    words >> kind >> path;
    auto octal = [&](const std::string& text) { return static_cast<mode_t>(std::stoul(text, nullptr, 8)); };
    try {
      if (kind == "dir") {
        std::string mode, uid, gid;
        words >> mode >> uid >> gid;
        dir(path, octal(mode), static_cast<uid_t>(std::stoul(uid)), static_cast<gid_t>(std::stoul(gid)));
      } else if (kind == "file" || kind == "big") {
        std::string mode, uid, gid;
        words >> mode >> uid >> gid;
        std::string rest;
        std::getline(words, rest);
        auto start = rest.find_first_not_of(' ');
        rest = start == std::string::npos ? "" : rest.substr(start);
        const auto m = octal(mode);
        const auto u = static_cast<uid_t>(std::stoul(uid));
        const auto g = static_cast<gid_t>(std::stoul(gid));
        if (kind == "big") {
          sparse(path, static_cast<off_t>(std::stoll(rest)), m, u, g);
        } else if (rest.rfind("= ", 0) == 0 || rest == "=") {
          file(path, unescape(rest.size() > 2 ? rest.substr(2) : ""), m, u, g);
        } else if (!rest.empty() && rest.front() == '@') {
          std::ifstream src(manifest.parent_path() / rest.substr(1), std::ios::binary);
          if (!src) fail("cannot read " + rest.substr(1));
          std::stringstream content;
          content << src.rdbuf();
          file(path, content.str(), m, u, g);
        } else {
          file(path, "", m, u, g);
        }
      } else if (kind == "link") {
        std::string target;
        words >> target;
        symlink(path, target);
      } else if (kind == "fifo") {
        std::string mode;
        words >> mode;
        fifo(path, octal(mode));
      } else {
        fail("unknown entry kind '" + kind + "'");
      }
    } catch (const std::invalid_argument&) {
      fail("bad number");
    }
  }
  return *this;
}

}  // namespace clinic_audit::testing
