#include "xml_document.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "xml/libxml2_api.hpp"
#include "xml/libxml2_tree.hpp"
#include "xml/pugi_tree.hpp"
#include "xml/xml_subset.hpp"

namespace clinic_audit {
namespace {

// libxml2 reports errors through a global handler; loading happens on one
// thread, but guard it anyway so that concurrent loads cannot mix messages.
std::mutex& libxml_mutex() {
  static std::mutex m;
  return m;
}

struct ErrorSink {
  std::string file;
  std::vector<LoadError>* errors;
};

void collect(void* user, xmlErrorPtr error) {
  auto* sink = static_cast<ErrorSink*>(user);
  if (error == nullptr || sink == nullptr) return;
  std::string message = error->message != nullptr ? error->message : "unknown XML error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  // libxml2 prefixes schema messages with "Element '{ns}name': "; shorten the namespace.
  for (const char* ns : {"{urn:clinic-audit:policy:1}", "{urn:clinic-audit:config:1}"}) {
    for (auto pos = message.find(ns); pos != std::string::npos; pos = message.find(ns)) {
      message.erase(pos, std::char_traits<char>::length(ns));
    }
  }
  sink->errors->push_back({sink->file, error->line, message});
}

// Parsed schemas are reused for every document of a run and freed at exit.
struct SchemaCache {
  SchemaCache() = default;
  SchemaCache(const SchemaCache&) = delete;
  SchemaCache& operator=(const SchemaCache&) = delete;
  ~SchemaCache() {
    for (auto& [path, schema] : schemas) api->xmlSchemaFree(schema);
  }
  std::mutex mutex;
  const xml::LibXml2Api* api = nullptr;
  std::map<std::string, xmlSchemaPtr> schemas;
};
SchemaCache& schema_cache() {
  static SchemaCache cache;
  return cache;
}

xmlSchemaPtr load_schema(const xml::LibXml2Api& api, const std::filesystem::path& xsd) {
  auto& cache = schema_cache();
  std::lock_guard lock(cache.mutex);
  auto it = cache.schemas.find(xsd.string());
  if (it != cache.schemas.end()) return it->second;
  std::vector<LoadError> errors;
  ErrorSink sink{xsd.string(), &errors};
  api.xmlSetStructuredErrorFunc(&sink, collect);
  xmlSchemaParserCtxtPtr parser = api.xmlSchemaNewParserCtxt(xsd.c_str());
  xmlSchemaPtr schema = parser != nullptr ? api.xmlSchemaParse(parser) : nullptr;
  if (parser != nullptr) api.xmlSchemaFreeParserCtxt(parser);
  api.xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (schema == nullptr) {
    if (errors.empty()) errors.push_back({xsd.string(), 0, "cannot load the schema"});
    throw LoadFailure(std::move(errors));
  }
  cache.api = &api;
  cache.schemas.emplace(xsd.string(), schema);
  return schema;
}

void check_size(std::string_view content, const std::string& file) {
  if (content.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw LoadFailure({{file, 0, "file too large"}});
  }
}

// pugixml, for bytes known to be valid; an error here (bytes the build
// validated cannot have one) still names file:line.
xml::XmlElement read_with_pugixml(std::string_view content, const std::string& file) {
  try {
    return xml::tree_from_pugixml(content);
  } catch (const xml::XmlSyntaxError& e) {
    throw LoadFailure({{file, e.line(), e.what()}});
  }
}

}  // namespace

XmlDocument XmlDocument::load(std::string_view content, const std::string& file, const std::filesystem::path& xsd,
                              Schema check, FastCheck fast_check) {
  check_size(content, file);
  if (check == Schema::already_validated) {
    XmlDocument document;
    document.root_ = read_with_pugixml(content, file);
    return document;
  }
  if (fast_check != nullptr && xml::within_strict_subset(content)) {
    try {
      XmlDocument document;
      document.root_ = xml::tree_from_pugixml(content);
      if (fast_check(document.root_)) return document;
    } catch (const xml::XmlSyntaxError&) {
      // libxml2 below gives the exact error.
    }
  }
  return load_with_libxml2(content, file, xsd, check);
}

XmlDocument XmlDocument::load_with_libxml2(std::string_view content, const std::string& file,
                                           const std::filesystem::path& xsd, Schema check) {
  check_size(content, file);
  const xml::LibXml2Api* api = nullptr;
  try {
    api = &xml::libxml2("validating " + file + " against " + xsd.filename().string());
  } catch (const xml::LibXml2Unavailable& e) {
    throw LoadFailure({{file, 0, e.what()}});
  }
  xmlSchemaPtr schema = check == Schema::validate ? load_schema(*api, xsd) : nullptr;
  std::lock_guard lock(libxml_mutex());
  std::vector<LoadError> errors;
  ErrorSink sink{file, &errors};
  api->xmlSetStructuredErrorFunc(&sink, collect);
  xmlDocPtr doc = api->xmlReadMemory(content.data(), static_cast<int>(content.size()), file.c_str(), nullptr,
                                     XML_PARSE_NONET | XML_PARSE_NOCDATA);
  if (doc != nullptr && doc->intSubset != nullptr) {
    // libxml2 keeps no line for the DTD node: find it in the text.
    const auto at = content.find("<!DOCTYPE");
    const int line = at == std::string_view::npos ? 1 : xml::line_at(content, at);
    errors.push_back({file, line, "a DOCTYPE is not allowed here"});
  }
  if (doc != nullptr && errors.empty() && schema != nullptr) {
    xmlSchemaValidCtxtPtr validator = api->xmlSchemaNewValidCtxt(schema);
    api->xmlSchemaSetValidStructuredErrors(validator, collect, &sink);
    api->xmlSchemaValidateDoc(validator, doc);
    api->xmlSchemaFreeValidCtxt(validator);
  }
  api->xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (doc == nullptr && errors.empty()) errors.push_back({file, 0, "not a well-formed XML document"});
  XmlDocument document;
  document.by_libxml2_ = true;
  if (errors.empty()) {
    const xmlNode* root = api->xmlDocGetRootElement(doc);
    if (root == nullptr) {
      errors.push_back({file, 0, "not a well-formed XML document"});
    } else {
      document.root_ = xml::tree_from_libxml2(*api, root);
    }
  }
  if (doc != nullptr) api->xmlFreeDoc(doc);
  if (!errors.empty()) throw LoadFailure(std::move(errors));
  return document;
}

std::vector<const XmlNode*> child_elements(const XmlNode* node, std::string_view name) {
  std::vector<const XmlNode*> out;
  for (const XmlNode& child : node->children) {
    if (!name.empty() && child.name != name) continue;
    out.push_back(&child);
  }
  return out;
}

const XmlNode* first_child(const XmlNode* node, std::string_view name) {
  for (const XmlNode& child : node->children) {
    if (child.name == name) return &child;
  }
  return nullptr;
}

std::string node_name(const XmlNode* node) { return node->name; }

bool has_attribute(const XmlNode* node, std::string_view name) {
  return std::any_of(node->attributes.begin(), node->attributes.end(),
                     [&](const xml::XmlAttribute& attribute) { return attribute.name == name; });
}

std::string attribute(const XmlNode* node, std::string_view name, std::string_view fallback) {
  for (const auto& attribute : node->attributes) {
    if (attribute.name == name) return attribute.value;
  }
  return std::string(fallback);
}

std::string text_of(const XmlNode* node) { return node == nullptr ? std::string() : node->text; }

int line_of(const XmlNode* node) { return node->line; }

}  // namespace clinic_audit
