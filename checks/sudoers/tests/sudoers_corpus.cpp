#include "sudoers_corpus.hpp"

#include <unistd.h>

#include <sstream>
#include <stdexcept>

#include "check_test_helpers.hpp"
#include "fixture_root.hpp"

namespace clinic_audit::sudoers::testing {

namespace fs = std::filesystem;
using clinic_audit::testing::read_text;

fs::path corpus_dir() { return clinic_audit::testing::source_dir() / "tests/fixtures/sudoers/diff"; }

std::vector<std::string> corpus_cases() { return clinic_audit::testing::subdirectory_names(corpus_dir()); }

std::string short_hostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  const std::string name(buf);
  return name.substr(0, name.find('.'));
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

fs::path install_corpus_case(const std::string& name, const std::string& fixture_name) {
  const fs::path source = corpus_dir() / name;
  const fs::path dir = clinic_audit::testing::fixture_dir(fixture_name);
  clinic_audit::testing::FixtureRoot root(dir);
  for (const auto& entry : fs::recursive_directory_iterator(source)) {
    const std::string rel = replace_all("/" + fs::relative(entry.path(), source).string(), "@HOST@", short_hostname());
    if (rel == "/modes") continue;
    if (entry.is_directory()) root.dir(rel, 0755);
    else root.file(rel, replace_all(read_text(entry.path()), "@ROOT@", dir.string()), 0440);
  }
  std::istringstream modes(fs::exists(source / "modes") ? read_text(source / "modes") : "");
  std::string path;
  std::string mode;
  uid_t uid = 0;
  gid_t gid = 0;
  while (modes >> path >> mode >> uid >> gid) {
    const fs::path host = root.host(path);
    fs::permissions(host, static_cast<fs::perms>(std::stoul(mode, nullptr, 8)));
    if (::lchown(host.c_str(), uid, gid) != 0) throw std::runtime_error("chown " + host.string());
  }
  return dir;
}

}  // namespace clinic_audit::sudoers::testing
