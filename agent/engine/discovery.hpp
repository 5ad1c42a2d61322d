// Discovery of per-site variable values from the audited root
// (DESIGN.md §3: e.g. ehr_root from Apache's `SetEnv MEDSHAKEEHRPATH`).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/root_fs.hpp"
#include "policy/policy.hpp"

namespace clinic_audit {

struct Discovered {
  std::string value;
  std::string source;  // "file:line" it came from
};

// Value of `SetEnv NAME value` in the Apache configuration Debian enables:
// apache2.conf, then conf-enabled/*.conf and sites-enabled/*.conf in byte
// order (the IncludeOptional lines of Debian's apache2.conf). A trailing '/'
// is dropped. nullopt when not set anywhere.
std::optional<Discovered> discover_apache_setenv(const RootFs& fs, std::string_view name);

// Runs one discovery method; nullopt when it finds nothing.
std::optional<Discovered> discover(const RootFs& fs, const VariableDiscovery& how);

}  // namespace clinic_audit
