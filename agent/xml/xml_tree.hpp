// A read-only XML element tree, the same whichever parser built it: pugixml
// on the agent's default path (pugi_tree.hpp), libxml2 when a document needs
// XSD validation (libxml2_tree.hpp). The policy loader and agent.conf read
// only this, so the two parsers must give equal trees for the same bytes:
// `ca_xml_tests` and the build-time check of the shipped policies
// (agent/policy/prevalidate_policies_main.cpp) compare them.
//
// What a node holds is what the libxml2 code before it read (xmlGetProp,
// xmlNodeGetContent, xmlGetLineNo): names without prefix, the namespace
// URI, attribute values after XML normalisation (XML 1.0 §3.3.3), the
// concatenated text of all descendants (character data and CDATA, comments
// and processing instructions left out), and the line libxml2 gives an
// element (the line of the `>` or `/>` that ends its start tag).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::xml {

inline constexpr std::string_view kXmlNamespace = "http://www.w3.org/XML/1998/namespace";

struct XmlAttribute {
  std::string ns;  // namespace URI, empty for an unprefixed attribute
  std::string name;
  std::string value;
  bool operator==(const XmlAttribute&) const = default;
};

struct XmlElement {
  std::string ns;  // namespace URI, empty when none
  std::string name;
  int line = 0;
  std::vector<XmlAttribute> attributes;  // namespace declarations left out
  std::string text;                      // all descendant text, in document order
  std::string own_text;                  // the element's own character children only
  std::vector<XmlElement> children;      // element children only
  bool operator==(const XmlElement&) const = default;
};

// A one-line description of the first difference between two trees ("" when
// equal), for tests and the build-time check.
std::string first_difference(const XmlElement& a, const XmlElement& b);

}  // namespace clinic_audit::xml
