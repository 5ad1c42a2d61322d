// What discovery needs from the Apache configuration Debian enables, read
// the way Apache reads it (apache2.conf, then its IncludeOptional
// conf-enabled/*.conf and sites-enabled/*.conf in byte order; Debian's
// /etc/apache2/apache2.conf), and the .htaccess files Apache would apply.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"

namespace clinic_audit {

// A `SetEnv NAME value` line (mod_env), in a server config file or a .htaccess.
struct ApacheSetEnv {
  std::string name;
  std::string value;
  std::string file;  // in-root path
  int line = 0;
};

// A DocumentRoot, with whether a .htaccess there may use SetEnv (mod_env's
// SetEnv needs AllowOverride FileInfo, or All, or AllowOverrideList SetEnv;
// Apache 2.4's default is None), decided from the <Directory> sections that
// apply to it, shortest path first as Apache merges them (core.c,
// ap_core_reorder_directories).
struct ApacheDocumentRoot {
  std::string path;  // no trailing '/'
  std::string file;
  int line = 0;
  bool htaccess_may_setenv = false;
  std::string override_source;  // "FILE:LINE" of the AllowOverride that decided, "" for the default None
};

// A file (or directory) that may hold what is looked for but could not be
// read: a FIFO, a directory where a file belongs, over the size cap,
// permission denied. Whatever depends on it cannot be judged (issue #20 item 2).
struct UnreadFile {
  std::string path;    // in-root path
  std::string reason;  // the error, which may name the path again
};

struct ApacheConfig {
  std::vector<std::string> files_read;
  std::vector<UnreadFile> unreadable;
  std::vector<ApacheSetEnv> setenv;
  std::vector<ApacheDocumentRoot> document_roots;
  std::string access_file_name = ".htaccess";  // AccessFileName (first name)
};

// Reads the enabled configuration under `fs`. Never throws for a missing or
// unreadable file: it is listed in `unreadable`.
// Only the SetEnv lines naming `setenv_name` are kept ("" keeps none).
ApacheConfig read_apache_config(const RootFs& fs, std::string_view setenv_name = {});

// `SetEnv` lines of one .htaccess content (sections ignored: <If> and
// friends are rare there and discovery only needs the value).
std::vector<ApacheSetEnv> setenv_lines(const std::string& file, const std::string& content);

}  // namespace clinic_audit
