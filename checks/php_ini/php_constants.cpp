#include "php_constants.hpp"

#include <utility>

namespace clinic_audit::php {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// Constants whose value is the same for every Debian build of PHP 7.4-8.4,
// as `php -n -c FILE` substitutes them (floats printed with the start-up
// precision, hence "2.0E-16").
constexpr Pair kFixed[] = {
    {"E_ERROR", "1"},
    {"E_WARNING", "2"},
    {"E_PARSE", "4"},
    {"E_NOTICE", "8"},
    {"E_CORE_ERROR", "16"},
    {"E_CORE_WARNING", "32"},
    {"E_COMPILE_ERROR", "64"},
    {"E_COMPILE_WARNING", "128"},
    {"E_USER_ERROR", "256"},
    {"E_USER_WARNING", "512"},
    {"E_USER_NOTICE", "1024"},
    {"E_STRICT", "2048"},
    {"E_RECOVERABLE_ERROR", "4096"},
    {"E_DEPRECATED", "8192"},
    {"E_USER_DEPRECATED", "16384"},
    {"E_ALL", "32767"},
    {"DEBUG_BACKTRACE_PROVIDE_OBJECT", "1"},
    {"DEBUG_BACKTRACE_IGNORE_ARGS", "2"},
    // Debian builds PHP without ZTS and without debug.
    {"ZEND_THREAD_SAFE", ""},
    {"ZEND_DEBUG_BUILD", ""},
    {"PHP_ZTS", "0"},
    {"PHP_DEBUG", "0"},
    {"TRUE", "1"},
    {"FALSE", ""},
    {"NULL", ""},
    {"PHP_EXTRA_VERSION", ""},
    {"PHP_OS", "Linux"},
    {"PHP_OS_FAMILY", "Linux"},
    {"DEFAULT_INCLUDE_PATH", ".:/usr/share/php"},
    {"PEAR_INSTALL_DIR", "/usr/share/php"},
    {"PHP_PREFIX", "/usr"},
    {"PHP_BINDIR", "/usr/bin"},
    {"PHP_MANDIR", "/usr/share/man"},
    {"PHP_LIBDIR", "/usr/lib/php"},
    {"PHP_SYSCONFDIR", "/etc"},
    {"PHP_LOCALSTATEDIR", "/var"},
    {"PHP_SHLIB_SUFFIX", "so"},
    {"PHP_EOL", "\n"},
    {"PHP_MAXPATHLEN", "4096"},
    {"PHP_INT_MAX", "9223372036854775807"},
    {"PHP_INT_MIN", "-9223372036854775808"},
    {"PHP_INT_SIZE", "8"},
    {"PHP_FD_SETSIZE", "1024"},
    {"PHP_FLOAT_DIG", "15"},
    {"PHP_FLOAT_EPSILON", "2.0E-16"},
    {"PHP_FLOAT_MAX", "2.0E+308"},
    {"PHP_FLOAT_MIN", "2.0E-308"},
    {"PHP_OUTPUT_HANDLER_START", "1"},
    {"PHP_OUTPUT_HANDLER_WRITE", "0"},
    {"PHP_OUTPUT_HANDLER_FLUSH", "4"},
    {"PHP_OUTPUT_HANDLER_CLEAN", "2"},
    {"PHP_OUTPUT_HANDLER_FINAL", "8"},
    {"PHP_OUTPUT_HANDLER_CONT", "0"},
    {"PHP_OUTPUT_HANDLER_END", "8"},
    {"PHP_OUTPUT_HANDLER_CLEANABLE", "16"},
    {"PHP_OUTPUT_HANDLER_FLUSHABLE", "32"},
    {"PHP_OUTPUT_HANDLER_REMOVABLE", "64"},
    {"PHP_OUTPUT_HANDLER_STDFLAGS", "112"},
    {"PHP_OUTPUT_HANDLER_STARTED", "4096"},
    {"PHP_OUTPUT_HANDLER_DISABLED", "8192"},
    {"UPLOAD_ERR_OK", "0"},
    {"UPLOAD_ERR_INI_SIZE", "1"},
    {"UPLOAD_ERR_FORM_SIZE", "2"},
    {"UPLOAD_ERR_PARTIAL", "3"},
    {"UPLOAD_ERR_NO_FILE", "4"},
    {"UPLOAD_ERR_NO_TMP_DIR", "6"},
    {"UPLOAD_ERR_CANT_WRITE", "7"},
    {"UPLOAD_ERR_EXTENSION", "8"},
};

// ZEND_MODULE_API_NO per PHP version: Debian's extension directory name.
constexpr Pair kModuleApi[] = {
    {"7.0", "20151012"}, {"7.1", "20160303"}, {"7.2", "20170718"}, {"7.3", "20180731"}, {"7.4", "20190902"},
    {"8.0", "20200930"}, {"8.1", "20210902"}, {"8.2", "20220829"}, {"8.3", "20230831"}, {"8.4", "20240924"},
};

// sapi_module.name of each Debian SAPI directory.
std::string sapi_name(const std::string& sapi) {
  if (sapi == "fpm") return "fpm-fcgi";
  if (sapi == "apache2") return "apache2handler";
  if (sapi == "cgi") return "cgi-fcgi";
  return sapi;
}

}  // namespace

std::optional<ConstantValue> startup_constant(std::string_view name, const PhpBuild& build) {
  for (const auto& [constant, value] : kFixed) {
    if (name == constant) return ConstantValue{std::string(value), false};
  }
  const auto unknown = [&] { return ConstantValue{std::string(name), true}; };
  const auto dot = build.version.find('.');
  if (name == "PHP_MAJOR_VERSION" || name == "PHP_MINOR_VERSION") {
    if (dot == std::string::npos) return unknown();
    return ConstantValue{name == "PHP_MAJOR_VERSION" ? build.version.substr(0, dot) : build.version.substr(dot + 1),
                         false};
  }
  if (name == "PHP_EXTENSION_DIR" || name == "PEAR_EXTENSION_DIR") {
    for (const auto& [version, api] : kModuleApi) {
      if (build.version == version) return ConstantValue{"/usr/lib/php/" + std::string(api), false};
    }
    return unknown();
  }
  if (name == "PHP_DATADIR") {
    if (build.version.empty()) return unknown();
    return ConstantValue{"/usr/share/php/" + build.version, false};
  }
  if (name == "PHP_CONFIG_FILE_PATH" || name == "PHP_CONFIG_FILE_SCAN_DIR") {
    if (build.version.empty() || build.sapi.empty()) return unknown();
    const std::string dir = "/etc/php/" + build.version + "/" + build.sapi;
    return ConstantValue{name == "PHP_CONFIG_FILE_PATH" ? dir : dir + "/conf.d", false};
  }
  if (name == "PHP_SAPI") {
    if (build.sapi.empty()) return unknown();
    return ConstantValue{sapi_name(build.sapi), false};
  }
  if (name == "PHP_BINARY" && build.sapi == "cli" && !build.version.empty()) {
    return ConstantValue{"/usr/bin/php" + build.version, false};
  }
  // The release (8.2.x) is in the binary, not in any file we read.
  if (name == "PHP_VERSION" || name == "PHP_RELEASE_VERSION" || name == "PHP_VERSION_ID" || name == "PHP_BINARY") {
    return unknown();
  }
  return std::nullopt;
}

}  // namespace clinic_audit::php
