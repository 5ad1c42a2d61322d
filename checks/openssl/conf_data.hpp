// What NCONF made of a configuration text, as plain data: every section in
// the order NCONF_get_section_names() returns them (sorted by name, OpenSSL
// 3 conf_lib.c), each with its name/value pairs in the order
// NCONF_get_section() returns them (NCONF keeps only the last value of a
// name in a section). The library decides; this only remembers its answer,
// so that the answer can be kept between runs without the library
// (conf_cache.hpp) and read without it (ssl_settings.cpp).
#pragma once

#include <openssl/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clinic_audit::openssl {

struct ConfData {
  struct Section {
    std::string name;
    std::vector<std::pair<std::string, std::string>> values;
    bool operator==(const Section&) const = default;
  };
  std::vector<Section> sections;

  // NCONF_get_section(): null when NCONF has no such section (exact name).
  const Section* section(std::string_view name) const;
  // The last value of `name` in `section`, as NCONF_get_string() without the
  // fallback to the default section.
  std::optional<std::string> value(std::string_view section, std::string_view name) const;
  bool operator==(const ConfData&) const = default;
};

// Reads everything NCONF holds (calls libcrypto).
ConfData snapshot_conf(const CONF* conf);

// A text that parse_conf_data() reads back to exactly `data`, and back.
std::string serialize_conf_data(const ConfData& data);
std::optional<ConfData> parse_conf_data(std::string_view text);

}  // namespace clinic_audit::openssl
