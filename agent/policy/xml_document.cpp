#include "xml_document.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <algorithm>
#include <map>
#include <limits>
#include <mutex>
#include <utility>

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
    for (auto& [path, schema] : schemas) xmlSchemaFree(schema);
  }
  std::mutex mutex;
  std::map<std::string, xmlSchemaPtr> schemas;
};
SchemaCache& schema_cache() {
  static SchemaCache cache;
  return cache;
}

xmlSchemaPtr load_schema(const std::filesystem::path& xsd) {
  auto& cache = schema_cache();
  std::lock_guard lock(cache.mutex);
  auto it = cache.schemas.find(xsd.string());
  if (it != cache.schemas.end()) return it->second;
  std::vector<LoadError> errors;
  ErrorSink sink{xsd.string(), &errors};
  xmlSetStructuredErrorFunc(&sink, collect);
  xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd.c_str());
  xmlSchemaPtr schema = parser != nullptr ? xmlSchemaParse(parser) : nullptr;
  if (parser != nullptr) xmlSchemaFreeParserCtxt(parser);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (schema == nullptr) {
    if (errors.empty()) errors.push_back({xsd.string(), 0, "cannot load the schema"});
    throw LoadFailure(std::move(errors));
  }
  cache.schemas.emplace(xsd.string(), schema);
  return schema;
}

}  // namespace

XmlDocument XmlDocument::load(std::string_view content, const std::string& file, const std::filesystem::path& xsd,
                              Schema check) {
  if (content.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw LoadFailure({{file, 0, "file too large"}});
  }
  xmlSchemaPtr schema = check == Schema::validate ? load_schema(xsd) : nullptr;
  std::lock_guard lock(libxml_mutex());
  std::vector<LoadError> errors;
  ErrorSink sink{file, &errors};
  xmlSetStructuredErrorFunc(&sink, collect);
  XmlDocument document;
  document.doc_ = xmlReadMemory(content.data(), static_cast<int>(content.size()), file.c_str(), nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOCDATA);
  if (document.doc_ != nullptr && document.doc_->intSubset != nullptr) {
    // libxml2 keeps no line for the DTD node: find it in the text.
    const auto at = content.find("<!DOCTYPE");
    const int line = at == std::string_view::npos
                         ? 1
                         : 1 + static_cast<int>(std::count(content.begin(),
                                                           content.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    errors.push_back({file, line, "a DOCTYPE is not allowed here"});
  }
  if (document.doc_ != nullptr && errors.empty() && schema != nullptr) {
    xmlSchemaValidCtxtPtr validator = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidStructuredErrors(validator, collect, &sink);
    xmlSchemaValidateDoc(validator, document.doc_);
    xmlSchemaFreeValidCtxt(validator);
  }
  xmlSetStructuredErrorFunc(nullptr, nullptr);
  if (document.doc_ == nullptr && errors.empty()) errors.push_back({file, 0, "not a well-formed XML document"});
  if (!errors.empty()) throw LoadFailure(std::move(errors));
  return document;
}

XmlDocument::~XmlDocument() {
  if (doc_ != nullptr) xmlFreeDoc(doc_);
}
XmlDocument::XmlDocument(XmlDocument&& other) noexcept : doc_(std::exchange(other.doc_, nullptr)) {}
XmlDocument& XmlDocument::operator=(XmlDocument&& other) noexcept {
  if (this != &other) {
    if (doc_ != nullptr) xmlFreeDoc(doc_);
    doc_ = std::exchange(other.doc_, nullptr);
  }
  return *this;
}

const xmlNode* XmlDocument::root() const { return xmlDocGetRootElement(doc_); }

std::vector<const xmlNode*> child_elements(const xmlNode* node, std::string_view name) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (!name.empty() && node_name(child) != name) continue;
    out.push_back(child);
  }
  return out;
}

const xmlNode* first_child(const xmlNode* node, std::string_view name) {
  auto children = child_elements(node, name);
  return children.empty() ? nullptr : children.front();
}

std::string node_name(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

bool has_attribute(const xmlNode* node, std::string_view name) {
  return xmlHasProp(node, reinterpret_cast<const xmlChar*>(std::string(name).c_str())) != nullptr;
}

std::string attribute(const xmlNode* node, std::string_view name, std::string_view fallback) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(std::string(name).c_str()));
  if (value == nullptr) return std::string(fallback);
  std::string out = reinterpret_cast<const char*>(value);
  xmlFree(value);
  return out;
}

std::string text_of(const xmlNode* node) {
  xmlChar* value = xmlNodeGetContent(node);
  if (value == nullptr) return {};
  std::string out = reinterpret_cast<const char*>(value);
  xmlFree(value);
  return out;
}

int line_of(const xmlNode* node) { return static_cast<int>(xmlGetLineNo(node)); }

}  // namespace clinic_audit
