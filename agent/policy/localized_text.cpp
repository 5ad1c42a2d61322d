#include "localized_text.hpp"

#include <set>

#include "i18n.hpp"
#include "xml_document.hpp"

namespace clinic_audit {
namespace {

// The element's own xml:lang (not an inherited one: only these elements may
// carry it, policy.xsd), "en" when absent.
std::string own_language(const XmlNode* node) {
  for (const auto& attribute : node->attributes) {
    if (attribute.name == "lang" && attribute.ns == xml::kXmlNamespace) return attribute.value;
  }
  return "en";
}

}  // namespace

const XmlNode* pick_localized(const std::vector<const XmlNode*>& candidates, const std::string& file,
                              std::vector<LoadError>& errors) {
  const std::string wanted(i18n::code(i18n::language()));
  const XmlNode* chosen = nullptr;
  const XmlNode* english = nullptr;
  std::set<std::string> seen;
  for (const XmlNode* node : candidates) {
    const std::string language = own_language(node);
    if (language != "en" && language != "fr") {
      errors.push_back({file, line_of(node),
                        "<" + node_name(node) + "> has xml:lang=\"" + language + "\": the languages are en and fr"});
      continue;
    }
    if (!seen.insert(language).second) {
      errors.push_back({file, line_of(node),
                        "a second <" + node_name(node) + "> in language " + language +
                            " (one per language; without xml:lang it is en)"});
      continue;
    }
    if (language == wanted) chosen = node;
    if (language == "en") english = node;
  }
  if (chosen != nullptr) return chosen;
  if (english != nullptr) return english;
  return candidates.empty() ? nullptr : candidates.front();
}

}  // namespace clinic_audit
