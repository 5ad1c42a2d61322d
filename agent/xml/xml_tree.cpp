#include "xml_tree.hpp"

#include <algorithm>

namespace clinic_audit::xml {

std::string first_difference(const XmlElement& a, const XmlElement& b) {
  const std::string where = "<" + a.name + "> at line " + std::to_string(a.line);
  if (a.name != b.name || a.ns != b.ns)
    return where + ": element {" + a.ns + "}" + a.name + " vs {" + b.ns + "}" + b.name;
  if (a.line != b.line) return where + ": line " + std::to_string(a.line) + " vs " + std::to_string(b.line);
  if (a.attributes != b.attributes) {
    std::string left;
    std::string right;
    for (const auto& attribute : a.attributes)
      left += " {" + attribute.ns + "}" + attribute.name + "=" + attribute.value;
    for (const auto& attribute : b.attributes)
      right += " {" + attribute.ns + "}" + attribute.name + "=" + attribute.value;
    return where + ": attributes" + left + " vs" + right;
  }
  if (a.text != b.text) return where + ": text '" + a.text + "' vs '" + b.text + "'";
  if (a.own_text != b.own_text) return where + ": own text '" + a.own_text + "' vs '" + b.own_text + "'";
  if (a.children.size() != b.children.size()) {
    return where + ": " + std::to_string(a.children.size()) + " vs " + std::to_string(b.children.size()) + " children";
  }
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (std::string difference = first_difference(a.children[i], b.children[i]); !difference.empty()) return difference;
  }
  return {};
}

}  // namespace clinic_audit::xml
