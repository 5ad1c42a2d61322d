// libFuzzer target: the site configuration loader (agent.conf) on arbitrary bytes.
// Also the fast path's soundness (issue #19 item 5): whatever is accepted
// without libxml2 (xml/xml_subset.hpp + config/agent_config_fast.hpp) must be
// accepted by libxml2's XSD validation with the same element tree.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "config/agent_config_fast.hpp"
#include "config/site_config.hpp"
#include "policy/load_error.hpp"
#include "policy/xml_document.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit;
  static const auto xsd = std::filesystem::path(CA_TEST_SOURCE_DIR) / "agent" / "config" / "agent-config.xsd";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    parse_site_config(text, "fuzz.conf", xsd);
  } catch (const LoadFailure&) {
  }
  try {
    const XmlDocument fast =
        XmlDocument::load(text, "fuzz.conf", xsd, XmlDocument::Schema::validate, agent_config_certainly_valid);
    if (!fast.read_by_libxml2()) {
      const XmlDocument slow = XmlDocument::load_with_libxml2(text, "fuzz.conf", xsd);
      if (const auto difference = xml::first_difference(*slow.root(), *fast.root()); !difference.empty()) {
        std::fprintf(stderr, "pugixml and libxml2 trees differ: %s\n", difference.c_str());
        std::abort();
      }
    }
  } catch (const LoadFailure& e) {
    // Refused: fine only when libxml2 refused it (the fast path never throws
    // for a document it accepts; a LoadFailure from load_with_libxml2 above
    // after a fast acceptance is the unsoundness this target looks for).
    try {
      const XmlDocument again =
          XmlDocument::load(text, "fuzz.conf", xsd, XmlDocument::Schema::validate, agent_config_certainly_valid);
      if (!again.read_by_libxml2()) {
        std::fprintf(stderr, "fast path accepted what libxml2 refuses: %s\n", e.what());
        std::abort();
      }
    } catch (const LoadFailure&) {
    }
  }
  return 0;
}
