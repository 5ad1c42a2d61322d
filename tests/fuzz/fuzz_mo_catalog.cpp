// i18n (issue #18): the .mo catalog reader. Any bytes: no crash, and every
// answer lies inside the catalog's own bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mo_catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto catalog = clinic_audit::i18n::MoCatalog::parse(bytes)) {
    for (const char* msgid : {"Debug logging", "PASS", "{0} check", "x"}) {
      const auto found = catalog->find(msgid, 1);
      if (found.size() > size) __builtin_trap();
      (void)catalog->find(msgid);
    }
  }
  return 0;
}
