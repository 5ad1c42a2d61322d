#include "php_handlers.hpp"

#include <map>

#include "common/systemd/unit_resolver.hpp"

namespace clinic_audit::systemd {
namespace {

// A path we cannot resolve (a loop, no permission) is an FsError, so the
// check says `error` rather than "Apache runs no PHP" (issue #20 item 2).
bool exists(const RootFs& fs, const std::string& path) { return fs.exists(path); }

bool is_version(const std::string& text) {
  // "X.Y" as Debian names /etc/php/X.Y and phpX.Y-fpm.
  const auto dot = text.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == text.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != dot && (text[i] < '0' || text[i] > '9')) return false;
  }
  return true;
}

}  // namespace

PhpHandlers detect_php_handlers(const RootFs& fs) {
  PhpHandlers handlers;
  handlers.apache_installed = exists(fs, "/etc/apache2");
  handlers.proxy_fcgi = exists(fs, "/etc/apache2/mods-enabled/proxy_fcgi.load");

  std::map<std::string, PhpVersionHandler> versions;
  auto version = [&](const std::string& v) -> PhpVersionHandler& {
    auto& entry = versions[v];
    entry.version = v;
    return entry;
  };
  if (exists(fs, "/etc/php")) {
    for (const auto& entry : fs.list_dir("/etc/php")) {
      if (is_version(entry.name)) version(entry.name);
    }
  }
  if (exists(fs, "/etc/apache2/mods-enabled")) {
    for (const auto& entry : fs.list_dir("/etc/apache2/mods-enabled")) {
      // php8.2.load; "php.load" would be an unversioned local build.
      const std::string& name = entry.name;
      if (name.size() > 8 && name.compare(0, 3, "php") == 0 && name.compare(name.size() - 5, 5, ".load") == 0) {
        const std::string v = name.substr(3, name.size() - 8);
        if (!is_version(v)) continue;
        auto& handler = version(v);
        handler.mod_php = true;
        handler.mod_php_evidence = "/etc/apache2/mods-enabled/" + name;
      }
    }
  }
  for (auto& [v, handler] : versions) {
    handler.fpm_unit = "php" + v + "-fpm.service";
    if (!handlers.proxy_fcgi) continue;
    const UnitFiles unit = locate_unit(fs, handler.fpm_unit);
    if (unit.fragment && !unit.masked) {
      handler.fpm = true;
      handler.fpm_evidence = "/etc/apache2/mods-enabled/proxy_fcgi.load and " + *unit.fragment;
    }
  }
  for (auto& [v, handler] : versions) handlers.versions.push_back(std::move(handler));
  return handlers;
}

bool PhpHandlers::serves_php(const std::string& unit, std::string* why) const {
  if (unit == "apache2.service") {
    for (const auto& v : versions) {
      if (v.mod_php) {
        if (why) *why = "PHP " + v.version + " runs inside Apache as mod_php (" + v.mod_php_evidence + ")";
        return true;
      }
    }
    if (why) *why = "Apache runs no mod_php (no /etc/apache2/mods-enabled/php*.load)";
    return false;
  }
  for (const auto& v : versions) {
    if (v.fpm_unit != unit) continue;
    if (v.fpm) {
      if (why) *why = "Apache hands PHP " + v.version + " to php-fpm (" + v.fpm_evidence + ")";
      return true;
    }
    if (why) {
      *why = !proxy_fcgi ? "Apache does not use php-fpm (no /etc/apache2/mods-enabled/proxy_fcgi.load)"
                         : unit + " is not installed or is masked";
    }
    return false;
  }
  if (why) *why = unit + " is not a PHP service of an installed PHP version (/etc/php/X.Y)";
  return false;
}

}  // namespace clinic_audit::systemd
