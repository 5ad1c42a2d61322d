// Which browsers are installed in the audited root, from four sources
// (issue #14 item 1): Debian packages (dpkg status), snaps (snapd's
// state.json and the mounted /snap/<name>/<rev>/meta/snap.yaml), system
// flatpaks (/var/lib/flatpak, AppStream release version) and tarballs under
// /opt (Firefox's application.ini). A browser whose version cannot be read
// is listed with `error` set and no version: never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"

namespace clinic_audit::browser {

// What a browser is, whatever installed it.
struct Product {
  std::string id;       // "chromium", "chrome", "firefox", "firefox-esr", "opera", "vivaldi", "edge", "brave"
  std::string display;  // "Chromium", "Google Chrome", ...
  bool chromium_based = false;
};

struct InstalledBrowser {
  Product product;
  std::string package;  // deb package, snap name, flatpak app id, /opt directory
  std::string source;   // "deb", "snap", "flatpak", "tarball"
  std::string version;  // as the source gives it ("" when unreadable)
  std::string path;     // where the version was read
  std::optional<int> line;
  std::string install_dir;  // for Firefox: where distribution/policies.json lives ("" when none)
  std::string error;        // why the version could not be read ("" when read)
};

// Product of a Debian package / snap / flatpak app id; nullopt for anything else.
std::optional<Product> product_of_deb(std::string_view package);
std::optional<Product> product_of_snap(std::string_view name);
std::optional<Product> product_of_flatpak(std::string_view app_id);

// Parsers of the sources (pure, fuzzed by tests/fuzz/fuzz_browser_parsers.cpp).
// snap.yaml: the top-level `version:` scalar (quotes removed); nullopt when absent.
std::optional<std::string> snap_yaml_version(std::string_view yaml);
struct SnapRevision {
  std::string name;
  std::string revision;  // snapd's "current"
};
// snapd state.json: data.snaps.<name>.current of every snap. Throws JsonError.
std::vector<SnapRevision> snap_state_revisions(std::string_view state_json);
// An INI file's value (application.ini: [App] Version); nullopt when absent.
std::optional<std::string> ini_value(std::string_view ini, std::string_view section, std::string_view key,
                                     int* line = nullptr);
// AppStream metainfo: the highest <release version="..."> (AppStream spec,
// "releases"); nullopt when there is none. Throws std::runtime_error on bad XML.
std::optional<std::string> appstream_release_version(std::string_view xml);

// Every browser of the root. Problems reading one source are reported as an
// InstalledBrowser with `error` set (product unknown: id "?") when they hide
// what is installed; an absent source (no snapd, no flatpak) is simply empty.
std::vector<InstalledBrowser> find_browsers(const RootFs& fs);

}  // namespace clinic_audit::browser
