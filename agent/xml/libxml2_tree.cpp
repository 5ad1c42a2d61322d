#include "libxml2_tree.hpp"

namespace clinic_audit::xml {
namespace {

std::string content_of(const LibXml2Api& api, const xmlNode* node) {
  xmlChar* value = api.xmlNodeGetContent(node);
  if (value == nullptr) return {};
  std::string text(reinterpret_cast<const char*>(value));
  api.xmlFree(value);
  return text;
}

std::string text_or_empty(const xmlChar* text) {
  return text == nullptr ? std::string() : reinterpret_cast<const char*>(text);
}

}  // namespace

XmlElement tree_from_libxml2(const LibXml2Api& api, const xmlNode* element) {
  XmlElement out;
  out.name = text_or_empty(element->name);
  out.ns = element->ns != nullptr ? text_or_empty(element->ns->href) : std::string();
  out.line = static_cast<int>(api.xmlGetLineNo(element));
  for (const xmlAttr* attribute = element->properties; attribute != nullptr; attribute = attribute->next) {
    out.attributes.push_back({attribute->ns != nullptr ? text_or_empty(attribute->ns->href) : std::string(),
                              text_or_empty(attribute->name),
                              content_of(api, reinterpret_cast<const xmlNode*>(attribute))});
  }
  out.text = content_of(api, element);
  for (const xmlNode* child = element->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) out.children.push_back(tree_from_libxml2(api, child));
    if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) && child->content != nullptr) {
      out.own_text += reinterpret_cast<const char*>(child->content);
    }
  }
  return out;
}

}  // namespace clinic_audit::xml
