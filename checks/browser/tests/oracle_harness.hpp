// The real browsers as oracles (issue #14 item 4): a loopback server of
// oracle/probe.html, and runs of Debian's chromium / firefox-esr in a private
// mount namespace where a fixture tree replaces their configuration (the
// host's files are never changed). How and why: tests/README.md.
#pragma once

#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fixture_root.hpp"

extern char** environ;

namespace clinic_audit::browser::oracle {

namespace fs = std::filesystem;

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[512];
    while (fgets(buffer, sizeof buffer, pipe)) out += buffer;
    pclose(pipe);
  }
  return out;
}

// The loopback server of probe.html, stopped (by its pid) at the end of the suite.
class ProbeServer {
 public:
  explicit ProbeServer(const fs::path& work) : results_(work / "results") {
    fs::create_directories(results_);
    const fs::path port_file = work / "port";
    fs::remove(port_file);
    const std::string server = (testing::source_dir() / "checks/browser/tests/oracle/server.py").string();
    const std::string page = (testing::source_dir() / "checks/browser/tests/oracle/probe.html").string();
    const std::string results = results_.string(), port = port_file.string();
    const char* argv[] = {"python3", server.c_str(), page.c_str(), results.c_str(), "6", port.c_str(), nullptr};
    if (posix_spawnp(&pid_, "python3", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
    for (int i = 0; i < 100 && pid_ > 0 && !fs::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    port_ = slurp(port_file);
  }
  ~ProbeServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  ProbeServer(const ProbeServer&) = delete;
  ProbeServer& operator=(const ProbeServer&) = delete;
  std::string origin() const { return "http://127.0.0.1:" + port_; }
  const fs::path& results() const { return results_; }
  bool running() const { return pid_ > 0 && !port_.empty(); }

 private:
  fs::path results_;
  pid_t pid_ = -1;
  std::string port_;
};

// A fixture: files of a tree (paths relative to the tree; "ORIGIN" in a
// content is replaced by the probe's origin; content "FIFO" makes a FIFO,
// "SYMLINK:target" a symlink).
struct Fixture {
  using Files = std::vector<std::pair<std::string, std::string>>;
  Fixture(std::string name_, Files files_, bool screen_ = false, bool prompt_ = false, int timeout_ = 60,
          std::string extra_flags_ = "", std::string query_ = "")
      : name(std::move(name_)),
        files(std::move(files_)),
        screen(screen_),
        prompt(prompt_),
        timeout(timeout_),
        extra_flags(std::move(extra_flags_)),
        query(std::move(query_)) {}
  std::string name;
  Files files;
  bool screen;              // also probe getDisplayMedia (&screen=1)
  bool prompt;              // Firefox: no prompt bypass, a pending request means "a human is asked"
  int timeout;              // seconds before the browser is killed (a hang is an answer too)
  std::string extra_flags;  // appended to the browser's command line
  std::string query;        // appended to the page's URL ("&only=audio": one device only)
  // Firefox: open the page in a (headless) window instead of --screenshot,
  // killed after `timeout` seconds: policies applied at UI startup
  // (Permissions) are then in effect.
  bool window = false;
};

inline std::string with_origin(std::string text, const std::string& origin) {
  for (std::size_t at; (at = text.find("ORIGIN")) != std::string::npos;) text.replace(at, 6, origin);
  return text;
}

// Firefox: a file "profile/user.js" is the profile's own user.js (appended to
// the harness's lines), not part of the tree.
inline const std::string kProfileUserJs = "profile/user.js";

inline void write_tree(const fs::path& root, const Fixture& f, const std::string& origin) {
  for (const auto& [path, content] : f.files) {
    if (path == kProfileUserJs) continue;
    const fs::path target = root / path;
    fs::create_directories(target.parent_path());
    if (content == "FIFO") {
      mkfifo(target.c_str(), 0644);
    } else if (content.rfind("SYMLINK:", 0) == 0) {
      fs::create_symlink(content.substr(8), target);
    } else {
      std::ofstream(target, std::ios::binary) << with_origin(content, origin);
    }
  }
}

// What the page reported ("js", "pc", "video", "screen", "udphost" ...);
// js=no when nothing was posted (script blocked, page never loaded).
inline std::map<std::string, std::string> report_of(const ProbeServer& server, const std::string& name, int status) {
  std::map<std::string, std::string> seen;
  seen["exit"] = std::to_string(status);
  const std::string report = slurp(server.results() / name);
  if (report.empty()) seen["js"] = "no";
  std::istringstream words(report);
  for (std::string word; words >> word;) {
    const auto eq = word.find('=');
    if (eq != std::string::npos) seen[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return seen;
}

inline std::string page_url(const ProbeServer& server, const Fixture& f) {
  return server.origin() + "/?case=" + f.name + (f.screen ? "&screen=1" : "") + f.query;
}

// Chromium: the fixture's etc-chromium/ is bind-mounted on /etc/chromium.
// The camera and microphone are granted by the user's own content-setting
// exception in the profile, which the capture policies still override.
// `setup`: sh commands run in the namespace before chromium (they see the
// fixture as /etc/chromium, so a remediation command writes into it).
inline std::map<std::string, std::string> run_chromium(const ProbeServer& server, const Fixture& f,
                                                       const fs::path& base, const std::string& setup = "") {
  const fs::path etc = base / "etc-chromium", profile = base / "profile";
  fs::remove_all(base);
  fs::create_directories(etc / "policies/managed");
  fs::create_directories(etc / "policies/recommended");
  if (fs::exists("/etc/chromium/master_preferences")) fs::copy("/etc/chromium/master_preferences", etc);
  write_tree(base, f, server.origin());
  fs::create_directories(profile / "Default");
  const std::string pattern = "\"" + server.origin() + ",*\":{\"setting\":1}";
  std::ofstream(profile / "Default/Preferences")
      << "{\"profile\":{\"content_settings\":{\"exceptions\":{\"media_stream_camera\":{" << pattern
      << "},\"media_stream_mic\":{" << pattern << "}}}}}";
  fs::remove(server.results() / f.name);
  std::string run_setup;
  if (!setup.empty()) {
    std::ofstream(base / "setup.sh") << "set -e\n" << setup << "\n";
    run_setup = "sh " + (base / "setup.sh").string() + " && ";
  }
  const std::string command = "unshare -m sh -c 'mount --make-rprivate / && mount --bind " + etc.string() +
                              " /etc/chromium && " + run_setup + "exec timeout " + std::to_string(f.timeout) +
                              " chromium --headless --no-sandbox --disable-gpu --use-fake-device-for-media-stream " +
                              f.extra_flags + " --user-data-dir=" + profile.string() + " --dump-dom \"" +
                              page_url(server, f) + "\"' >/dev/null 2>&1";
  return report_of(server, f.name, std::system(command.c_str()));
}

// A Firefox profile that has been started once (its databases and startup
// cache created), copied for each fixture: about 1 s saved per run. Cached
// under /var/cache/clinic-audit-tests/browser/, one per firefox-esr version,
// built (in a temporary directory renamed into place) when missing.
inline fs::path firefox_profile_template() {
  std::string version = command_output("firefox-esr --version 2>/dev/null");
  std::string name = "firefox-profile-";
  for (char c : version) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.') name += c;
  }
  const fs::path cache = "/var/cache/clinic-audit-tests/browser";
  const fs::path ready = cache / name;
  if (fs::exists(ready / "prefs.js")) return ready;
  std::error_code ec;
  fs::create_directories(cache, ec);
  const fs::path building = cache / (name + ".tmp" + std::to_string(getpid()));
  fs::remove_all(building, ec);
  fs::create_directories(building, ec);
  const std::string command = "timeout 60 firefox-esr --headless --no-remote --profile " + building.string() +
                              " --screenshot " + (building / "shot.png").string() +
                              " 'data:text/html,x' >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0 || !fs::exists(building / "prefs.js")) {
    fs::remove_all(building, ec);
    return {};  // no template: each fixture starts from an empty profile
  }
  for (const char* stale : {"shot.png", "lock", ".parentlock"})
    fs::remove(building / stale, ec);  // lock: a dangling symlink
  fs::rename(building, ready, ec);     // another process may have won the race: fine
  fs::remove_all(building, ec);
  return fs::exists(ready / "prefs.js") ? ready : fs::path{};
}

// Firefox: the fixture tree's etc/ is an overlay upper layer on /etc and its
// usr/lib/firefox-esr/ one on the install directory (its distribution/
// directory hides the install's symlink), the host's files below unchanged.
inline std::map<std::string, std::string> run_firefox(const ProbeServer& server, const Fixture& f,
                                                      const fs::path& base) {
  const fs::path root = base / "root", profile = base / "profile";
  fs::remove_all(base);
  fs::create_directories(root / "etc");
  fs::create_directories(root / "usr/lib/firefox-esr/distribution");
  fs::create_directories(base / "work-etc");
  fs::create_directories(base / "work-lib");
  static const fs::path profile_template = firefox_profile_template();
  if (!profile_template.empty())
    fs::copy(profile_template, profile, fs::copy_options::recursive | fs::copy_options::skip_symlinks);
  fs::create_directories(profile);
  write_tree(root, f, server.origin());
  std::ofstream user(profile / "user.js");
  user << "user_pref(\"media.navigator.streams.fake\", true);\n";
  // Without a prompt bypass a request nobody answers stays pending: the
  // permission model (Permissions, permissions.default.*) is then what decides.
  if (!f.prompt) user << "user_pref(\"media.navigator.permission.disabled\", true);\n";
  for (const auto& [path, content] : f.files) {
    if (path == kProfileUserJs) user << with_origin(content, server.origin());
  }
  user.close();
  fs::remove(server.results() / f.name);
  const std::string command =
      "unshare -m sh -c 'mount --make-rprivate / && mount -t overlay overlay -o lowerdir=/etc,upperdir=" +
      (root / "etc").string() + ",workdir=" + (base / "work-etc").string() +
      " /etc && mount -t overlay overlay -o lowerdir=/usr/lib/firefox-esr,upperdir=" +
      (root / "usr/lib/firefox-esr").string() + ",workdir=" + (base / "work-lib").string() +
      " /usr/lib/firefox-esr && exec timeout " + std::to_string(f.timeout) +
      " firefox-esr --headless --no-remote --profile " + profile.string() + " " + f.extra_flags +
      (f.window ? std::string(" ") : " --screenshot " + (base / "shot.png").string() + " ") + "\"" +
      page_url(server, f) + "\"' >/dev/null 2>&1";
  return report_of(server, f.name, std::system(command.c_str()));
}

inline std::string describe(const std::map<std::string, std::string>& seen) {
  std::string out;
  for (const auto& [k, v] : seen) out += k + "=" + v + " ";
  return out;
}

}  // namespace clinic_audit::browser::oracle
