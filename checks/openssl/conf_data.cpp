#include "conf_data.hpp"

#include <openssl/conf.h>

#include <memory>
#include <new>

#include "cache_files.hpp"

namespace clinic_audit::openssl {

const ConfData::Section* ConfData::section(std::string_view name) const {
  for (const auto& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<std::string> ConfData::value(std::string_view section_name, std::string_view name) const {
  const Section* s = section(section_name);
  if (s == nullptr) return std::nullopt;
  std::optional<std::string> found;
  for (const auto& [n, v] : s->values) {
    if (n == name) found = v;
  }
  return found;
}

ConfData snapshot_conf(const CONF* conf) {
  ConfData out;
  // Freed however the copy ends (push_back may throw).
  struct FreeNames {
    void operator()(STACK_OF(OPENSSL_CSTRING) * names) const { sk_OPENSSL_CSTRING_free(names); }
  };
  const std::unique_ptr<STACK_OF(OPENSSL_CSTRING), FreeNames> names(NCONF_get_section_names(conf));
  if (names == nullptr) throw std::bad_alloc();
  for (int i = 0; i < sk_OPENSSL_CSTRING_num(names.get()); ++i) {
    const char* name = sk_OPENSSL_CSTRING_value(names.get(), i);
    ConfData::Section section{name, {}};
    const STACK_OF(CONF_VALUE)* values = NCONF_get_section(conf, name);
    for (int j = 0; values != nullptr && j < sk_CONF_VALUE_num(values); ++j) {
      const CONF_VALUE* v = sk_CONF_VALUE_value(values, j);
      // (every reader skipped entries without a name or a value; NCONF
      // stores none in a section's stack)
      if (v->name != nullptr && v->value != nullptr) section.values.emplace_back(v->name, v->value);
    }
    out.sections.push_back(std::move(section));
  }
  return out;
}

std::string serialize_conf_data(const ConfData& data) {
  std::string out;
  for (const auto& section : data.sections) {
    put_sized(out, "section", section.name);
    for (const auto& [name, value] : section.values) {
      put_sized(out, "name", name);
      put_sized(out, "value", value);
    }
  }
  return out;
}

std::optional<ConfData> parse_conf_data(std::string_view text) {
  // NCONF's strings are C strings: a NUL byte here is not its answer but a
  // torn entry (a crash can leave a block of zeros inside a file whose size
  // was already written), which must read as no entry.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  ConfData data;
  while (!text.empty()) {
    if (text.starts_with("section ")) {
      const auto name = take_sized(text, "section");
      if (!name) return std::nullopt;
      data.sections.push_back({std::string(*name), {}});
      continue;
    }
    const auto name = take_sized(text, "name");
    if (!name || data.sections.empty()) return std::nullopt;
    const auto value = take_sized(text, "value");
    if (!value) return std::nullopt;
    data.sections.back().values.emplace_back(*name, *value);
  }
  return data;
}

}  // namespace clinic_audit::openssl
