#include "inventory.hpp"
#include "i18n.hpp"

#include <pugixml.hpp>

#include <set>
#include <stdexcept>

#include "common/accounts.hpp"

#include "dpkg_status.hpp"
#include "lenient_json.hpp"
#include "version.hpp"
#include "common/text.hpp"

namespace clinic_audit::browser {
namespace {

const Product kChromium{"chromium", "Chromium", true};
const Product kChrome{"chrome", "Google Chrome", true};
const Product kFirefox{"firefox", "Firefox", false};
const Product kFirefoxEsr{"firefox-esr", "Firefox ESR", false};
const Product kOpera{"opera", "Opera", true};
const Product kVivaldi{"vivaldi", "Vivaldi", true};
const Product kEdge{"edge", "Microsoft Edge", true};
const Product kBrave{"brave", "Brave", true};

std::string_view trim(std::string_view s) { return trim_right(trim_left(s, kBlanks), " \t\r"); }

constexpr std::size_t kMaxSnapState = 64 * 1024 * 1024;
constexpr std::size_t kMaxSmallFile = 4 * 1024 * 1024;

void add_debs(const RootFs& fs, std::vector<InstalledBrowser>& out) {
  const std::string status_path = "/var/lib/dpkg/status";
  std::optional<std::string> text;
  try {
    text = fs.read_file_if_exists(status_path, kMaxSnapState);
  } catch (const FsError& e) {
    out.push_back({{"?", "Debian packages", false}, "", "deb", "", status_path, std::nullopt, "", e.what()});
    return;
  }
  if (!text) return;
  for (const auto& package : installed_packages(*text)) {
    const auto product = product_of_deb(package.name);
    if (!product) continue;
    InstalledBrowser b{*product, package.name, "deb", package.version, status_path, package.line, "", ""};
    if (product->id == "firefox-esr" || product->id == "firefox") b.install_dir = "/usr/lib/" + package.name;
    if (!numeric_version(package.version)) b.error = tr("unreadable version '{0}'", package.version);
    out.push_back(std::move(b));
  }
}

void add_snaps(const RootFs& fs, std::vector<InstalledBrowser>& out) {
  const std::string state_path = "/var/lib/snapd/state.json";
  std::vector<SnapRevision> revisions;
  try {
    const auto text = fs.read_file_if_exists(state_path, kMaxSnapState);
    if (!text) return;
    revisions = snap_state_revisions(*text);
  } catch (const JsonError& e) {
    out.push_back(
        {{"?", "snaps", false}, "", "snap", "", state_path, e.line(), "", std::string(_("not JSON: ")) + e.what()});
    return;
  } catch (const FsError& e) {
    out.push_back({{"?", "snaps", false}, "", "snap", "", state_path, std::nullopt, "", e.what()});
    return;
  }
  for (const auto& snap : revisions) {
    const auto product = product_of_snap(snap.name);
    if (!product) continue;
    InstalledBrowser b{*product, snap.name, "snap", "", state_path, std::nullopt, "", ""};
    if (snap.revision.empty() || snap.revision.find('/') != std::string::npos ||
        snap.revision.find("..") != std::string::npos) {
      b.error = tr("snapd state has no usable current revision for {0}", snap.name);
      out.push_back(std::move(b));
      continue;
    }
    const std::string yaml_path = "/snap/" + snap.name + "/" + snap.revision + "/meta/snap.yaml";
    try {
      const auto yaml = fs.read_file_if_exists(yaml_path, kMaxSmallFile);
      if (!yaml) {
        b.path = yaml_path;
        b.error = tr("revision {0} is installed but {1} does not exist (the snap is not mounted, as in an image): "
                     "version unknown",
                     snap.revision, yaml_path);
      } else if (auto version = snap_yaml_version(*yaml)) {
        b.version = *version;
        b.path = yaml_path;
        if (!numeric_version(b.version)) b.error = tr("unreadable version '{0}'", b.version);
      } else {
        b.path = yaml_path;
        b.error = tr("{0} has no version: field", yaml_path);
      }
    } catch (const FsError& e) {
      b.path = yaml_path;
      b.error = e.what();
    }
    out.push_back(std::move(b));
  }
}

// One flatpak installation: the system one (/var/lib/flatpak) or a user's
// (~/.local/share/flatpak, flatpak(1) --user); `owner` is "" or the user name.
void add_flatpaks(const RootFs& fs, const std::string& installation, const std::string& owner,
                  std::vector<InstalledBrowser>& out) {
  const std::string apps = installation + "/app";
  std::vector<DirEntry> entries;
  try {
    if (!fs.exists(apps)) return;
    entries = fs.list_dir(apps);
  } catch (const FsError& e) {
    out.push_back({{"?", "flatpaks", false}, "", "flatpak", "", apps, std::nullopt, "", e.what()});
    return;
  }
  for (const auto& entry : entries) {
    const auto product = product_of_flatpak(entry.name);
    if (!product) continue;
    // flatpak(1) layout: app/<id>/current -> <arch>/<branch>, <arch>/<branch>/active -> <commit>.
    const std::string deployed = apps + "/" + entry.name + "/current/active/files/share";
    InstalledBrowser b{*product,  owner.empty() ? entry.name : entry.name + " (user " + owner + ")",
                       "flatpak", "",
                       deployed,  std::nullopt,
                       "",        ""};
    std::string tried;
    try {
      for (const std::string& candidate : {deployed + "/metainfo/" + entry.name + ".metainfo.xml",
                                           deployed + "/appdata/" + entry.name + ".appdata.xml"}) {
        tried += (tried.empty() ? "" : ", ") + candidate;
        const auto xml = fs.read_file_if_exists(candidate, kMaxSmallFile);
        if (!xml) continue;
        b.path = candidate;
        if (auto version = appstream_release_version(*xml)) {
          b.version = *version;
          if (!numeric_version(b.version)) b.error = tr("unreadable version '{0}'", b.version);
        } else {
          b.error = tr("{0} lists no <release version=...>", candidate);
        }
        break;
      }
      if (b.version.empty() && b.error.empty()) b.error = tr("no AppStream metadata ({0}): version unknown", tried);
    } catch (const FsError& e) {
      b.error = e.what();
    } catch (const std::runtime_error& e) {
      b.error = std::string(_("bad AppStream XML: ")) + e.what();
    }
    out.push_back(std::move(b));
  }
}

// Per-user flatpaks: ~/.local/share/flatpak of every account of the root's
// /etc/passwd (each home once).
void add_user_flatpaks(const RootFs& fs, std::vector<InstalledBrowser>& out) {
  const std::string passwd_path = "/etc/passwd";
  std::optional<std::string> text;
  try {
    text = fs.read_file_if_exists(passwd_path, kMaxSmallFile);
  } catch (const FsError& e) {
    out.push_back({{"?", "per-user flatpaks", false},
                   "",
                   "flatpak",
                   "",
                   passwd_path,
                   std::nullopt,
                   "",
                   std::string(_("accounts unreadable, per-user flatpaks not inventoried: ")) + e.what()});
    return;
  }
  if (!text) return;
  std::set<std::string> homes;
  for (const auto& user : parse_passwd(*text, nullptr, passwd_path)) {
    if (user.home.empty() || user.home.front() != '/' || !homes.insert(user.home).second) continue;
    const std::string installation = (user.home == "/" ? "" : user.home) + "/.local/share/flatpak";
    add_flatpaks(fs, installation, user.name, out);
  }
}

void add_opt_tarballs(const RootFs& fs, std::vector<InstalledBrowser>& out) {
  std::vector<DirEntry> entries;
  try {
    if (!fs.exists("/opt")) return;
    entries = fs.list_dir("/opt");
  } catch (const FsError& e) {
    out.push_back({{"?", "/opt", false}, "", "tarball", "", "/opt", std::nullopt, "", e.what()});
    return;
  }
  for (const auto& entry : entries) {
    if (entry.type != FileType::directory) continue;
    const std::string dir = "/opt/" + entry.name;
    const std::string ini_path = dir + "/application.ini";
    try {
      const auto ini = fs.read_file_if_exists(ini_path, kMaxSmallFile);
      if (!ini) continue;
      // Mozilla's application.ini ([App] Vendor/Name/Version/SourceRepository,
      // written by the build: toolkit/xre/nsAppRunner.cpp reads it).
      const auto name = ini_value(*ini, "App", "Name");
      if (!name || *name != "Firefox") continue;
      const auto repo = ini_value(*ini, "App", "SourceRepository");
      const bool esr = repo && repo->find("mozilla-esr") != std::string::npos;
      int line = 0;
      const auto version = ini_value(*ini, "App", "Version", &line);
      InstalledBrowser b{esr ? kFirefoxEsr : kFirefox,
                         entry.name,
                         "tarball",
                         version.value_or(""),
                         ini_path,
                         line ? std::optional<int>(line) : std::nullopt,
                         dir,
                         ""};
      if (!version) b.error = tr("{0} has no [App] Version", ini_path);
      else if (!numeric_version(*version)) b.error = tr("unreadable version '{0}'", *version);
      out.push_back(std::move(b));
    } catch (const FsError& e) {
      out.push_back({kFirefox, entry.name, "tarball", "", ini_path, std::nullopt, dir, e.what()});
    }
  }
}

}  // namespace

std::optional<Product> product_of_deb(std::string_view p) {
  if (p == "chromium") return kChromium;
  if (p == "google-chrome-stable" || p == "google-chrome-beta" || p == "google-chrome-unstable") return kChrome;
  if (p == "firefox") return kFirefox;
  if (p == "firefox-esr") return kFirefoxEsr;
  if (p == "opera-stable") return kOpera;
  if (p == "vivaldi-stable") return kVivaldi;
  if (p == "microsoft-edge-stable" || p == "microsoft-edge-beta" || p == "microsoft-edge-dev") return kEdge;
  if (p == "brave-browser") return kBrave;
  return std::nullopt;
}

std::optional<Product> product_of_snap(std::string_view n) {
  if (n == "chromium") return kChromium;
  if (n == "firefox") return kFirefox;
  if (n == "opera") return kOpera;
  if (n == "vivaldi") return kVivaldi;
  if (n == "brave") return kBrave;
  return std::nullopt;
}

std::optional<Product> product_of_flatpak(std::string_view id) {
  if (id == "org.chromium.Chromium") return kChromium;
  if (id == "com.google.Chrome") return kChrome;
  if (id == "org.mozilla.firefox") return kFirefox;
  if (id == "com.opera.Opera") return kOpera;
  if (id == "com.vivaldi.Vivaldi") return kVivaldi;
  if (id == "com.microsoft.Edge") return kEdge;
  if (id == "com.brave.Browser") return kBrave;
  return std::nullopt;
}

std::optional<std::string> snap_yaml_version(std::string_view yaml) {
  std::size_t pos = 0;
  while (pos < yaml.size()) {
    const auto end = yaml.find('\n', pos);
    std::string_view line = yaml.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? yaml.size() : end + 1;
    // A top-level key starts in column 0 (snapcraft writes meta/snap.yaml flat).
    if (line.substr(0, 8) != "version:") continue;
    std::string_view value = trim(line.substr(8));
    if (const auto hash = value.find(" #"); hash != std::string_view::npos) value = trim(value.substr(0, hash));
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (value.empty()) return std::nullopt;
    return std::string(value);
  }
  return std::nullopt;
}

std::vector<SnapRevision> snap_state_revisions(std::string_view state_json) {
  const JsonValue root = parse_json(state_json, JsonDialect::strict());
  std::vector<SnapRevision> out;
  const JsonValue* data = root.find("data");
  const JsonValue* snaps = data ? data->find("snaps") : nullptr;
  if (!snaps || !snaps->is_object()) return out;
  for (const auto& [name, snap] : *snaps->object) {
    const JsonValue* current = snap.find("current");
    std::string revision;
    if (current && current->is_string()) revision = current->string;
    else if (current && current->is_int()) revision = std::to_string(current->integer);
    out.push_back({name, revision});
  }
  return out;
}

std::optional<std::string> ini_value(std::string_view ini, std::string_view section, std::string_view key, int* line) {
  std::string_view current;
  std::size_t pos = 0;
  int number = 0;
  std::optional<std::string> found;
  while (pos < ini.size()) {
    const auto end = ini.find('\n', pos);
    std::string_view text = trim(ini.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    pos = end == std::string_view::npos ? ini.size() : end + 1;
    ++number;
    if (text.empty() || text.front() == ';' || text.front() == '#') continue;
    if (text.front() == '[') {
      const auto close = text.find(']');
      current = close == std::string_view::npos ? std::string_view{} : text.substr(1, close - 1);
      continue;
    }
    const auto eq = text.find('=');
    if (current != section || eq == std::string_view::npos || trim(text.substr(0, eq)) != key) continue;
    found = std::string(trim(text.substr(eq + 1)));  // nsINIParser: a later key replaces an earlier one
    if (line) *line = number;
  }
  return found;
}

std::optional<std::string> appstream_release_version(std::string_view xml) {
  pugi::xml_document doc;
  const auto result = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!result)
    throw std::runtime_error(std::string(result.description()) + " at byte " + std::to_string(result.offset));
  std::optional<std::string> best;
  std::optional<std::vector<long>> best_numbers;
  for (const auto& release : doc.child("component").child("releases").children("release")) {
    const std::string version = release.attribute("version").value();
    if (version.empty()) continue;
    const auto numbers = numeric_version(version);
    if (!best || (numbers && (!best_numbers || compare_versions(*numbers, *best_numbers) > 0))) {
      best = version;
      best_numbers = numbers;
    }
  }
  return best;
}

std::vector<InstalledBrowser> find_browsers(const RootFs& fs) {
  std::vector<InstalledBrowser> out;
  add_debs(fs, out);
  add_snaps(fs, out);
  add_flatpaks(fs, "/var/lib/flatpak", "", out);
  add_user_flatpaks(fs, out);
  add_opt_tarballs(fs, out);
  return out;
}

}  // namespace clinic_audit::browser
