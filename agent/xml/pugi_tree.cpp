#include "pugi_tree.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace clinic_audit::xml {
namespace {

using Bindings = std::vector<std::pair<std::string, std::string>>;  // prefix -> URI, innermost last

std::string_view lookup(const Bindings& bindings, std::string_view prefix) {
  if (prefix == "xml") return kXmlNamespace;
  for (auto it = bindings.rbegin(); it != bindings.rend(); ++it) {
    if (it->first == prefix) return it->second;
  }
  return {};
}

class Builder {
 public:
  explicit Builder(std::string_view content) : content_(content) {}

  XmlElement build(const pugi::xml_node& node, Bindings& bindings) {
    const std::size_t scope = bindings.size();
    for (const auto& attribute : node.attributes()) {
      const std::string_view name = attribute.name();
      if (name == "xmlns") bindings.emplace_back("", attribute.value());
      if (name.starts_with("xmlns:")) bindings.emplace_back(std::string(name.substr(6)), attribute.value());
    }
    XmlElement element;
    const std::string_view qualified = node.name();
    const auto [prefix, local] = split(qualified, node, bindings);
    element.name = std::string(local);
    element.ns = std::string(lookup(bindings, prefix));
    element.line = start_tag_end_line(node);
    for (const auto& attribute : node.attributes()) {
      const std::string_view name = attribute.name();
      if (name == "xmlns" || name.starts_with("xmlns:")) continue;
      const auto [attribute_prefix, attribute_local] = split(name, node, bindings);
      // An unprefixed attribute is in no namespace (Namespaces in XML §6.2).
      element.attributes.push_back(
          {attribute_prefix.empty() ? std::string() : std::string(lookup(bindings, attribute_prefix)),
           std::string(attribute_local), attribute.value()});
    }
    std::size_t elements = 0;
    for (const auto& child : node.children()) elements += child.type() == pugi::node_element ? 1U : 0U;
    element.children.reserve(elements);
    for (const auto& child : node.children()) {
      switch (child.type()) {
        case pugi::node_pcdata:
        case pugi::node_cdata:
          element.text += child.value();
          element.own_text += child.value();
          break;
        case pugi::node_element:
          element.children.push_back(build(child, bindings));
          element.text += element.children.back().text;
          break;
        default:  // comments, processing instructions: not text (xmlNodeGetContent)
          break;
      }
    }
    bindings.resize(scope);
    return element;
  }

 private:
  // (prefix, local name); an undeclared prefix is an error, as in libxml2.
  std::pair<std::string_view, std::string_view> split(std::string_view qualified, const pugi::xml_node& node,
                                                      const Bindings& bindings) {
    const auto colon = qualified.find(':');
    if (colon == std::string_view::npos) return {{}, qualified};
    const std::string_view prefix = qualified.substr(0, colon);
    if (lookup(bindings, prefix).empty()) {
      throw XmlSyntaxError(line_at(content_,
                                   static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0))),
                           "namespace prefix " + std::string(prefix) + " is not declared");
    }
    return {prefix, qualified.substr(colon + 1)};
  }

  // libxml2 records an element's line when its start tag has been read
  // (SAX2.c, xmlSAX2StartElementNs: ctxt->input->line), that is at the `>`
  // or `/>` closing it; attribute values may hold '>' and line breaks.
  int start_tag_end_line(const pugi::xml_node& node) {
    std::size_t at = static_cast<std::size_t>(std::max<std::ptrdiff_t>(node.offset_debug(), 0));
    char quote = 0;
    for (; at < content_.size(); ++at) {
      const char c = content_[at];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>' || c == '/') {
        break;
      }
    }
    // Elements come in document order: count line breaks from the last one.
    if (at < counted_) {
      counted_ = 0;
      line_ = 1;
    }
    // memchr(3) is vectorised: one call a line rather than a test a byte.
    const char* cursor = content_.data() + counted_;
    const char* const end = content_.data() + at;
    while (const void* found = std::memchr(cursor, '\n', static_cast<std::size_t>(end - cursor))) {
      ++line_;
      cursor = static_cast<const char*>(found) + 1;
    }
    counted_ = at;
    return line_;
  }

  std::string_view content_;
  std::size_t counted_ = 0;
  int line_ = 1;
};

}  // namespace

int line_at(std::string_view content, std::size_t offset) {
  offset = std::min(offset, content.size());
  return 1 + static_cast<int>(std::count(content.begin(), content.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

XmlElement tree_from_pugixml(std::string_view content) {
  pugi::xml_document document;
  // parse_default: CDATA, entity and character references, end-of-line and
  // attribute white space normalised as XML 1.0 §2.11 and §3.3.3 say (and
  // libxml2 does); parse_ws_pcdata keeps white-space-only text, which
  // libxml2's xmlNodeGetContent includes.
  const pugi::xml_parse_result result =
      document.load_buffer(content.data(), content.size(), pugi::parse_default | pugi::parse_ws_pcdata,
                           pugi::encoding_utf8);
  if (!result) {
    throw XmlSyntaxError(line_at(content, static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0))),
                         std::string("not a well-formed XML document: ") + result.description());
  }
  pugi::xml_node root;
  for (const auto& node : document.children()) {
    if (node.type() == pugi::node_element) {
      if (root)
        throw XmlSyntaxError(line_at(content, static_cast<std::size_t>(node.offset_debug())),
                             "a second document element");
      root = node;
    } else if (node.type() == pugi::node_pcdata &&
               std::string_view(node.value()).find_first_not_of(" \t\r\n") != std::string_view::npos) {
      throw XmlSyntaxError(line_at(content, static_cast<std::size_t>(node.offset_debug())),
                           "text outside the document element");
    }
  }
  if (!root) throw XmlSyntaxError(1, "no document element");
  Bindings bindings;
  return Builder(content).build(root, bindings);
}

}  // namespace clinic_audit::xml
