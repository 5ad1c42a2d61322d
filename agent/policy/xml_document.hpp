// A small XML file validated against an XSD with libxml2, with the line of
// every node kept for error messages. Used for policies and agent.conf.
//
// Hardened for hostile input: no network access, no DTD (a DOCTYPE is an
// error, which also rules out entity expansion attacks), a size cap.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "load_error.hpp"

using xmlDoc = struct _xmlDoc;
using xmlNode = struct _xmlNode;

namespace clinic_audit {

class XmlDocument {
 public:
  // Parses `content` (named `file` in errors) and validates it against the
  // schema at `xsd`. Throws LoadFailure listing every parse/validation error.
  // Schema::already_validated skips the schema (neither loaded nor applied):
  // only for bytes the build validated against it (prevalidated.hpp).
  enum class Schema { validate, already_validated };
  static XmlDocument load(std::string_view content, const std::string& file, const std::filesystem::path& xsd,
                          Schema schema = Schema::validate);
  ~XmlDocument();
  XmlDocument(XmlDocument&&) noexcept;
  XmlDocument& operator=(XmlDocument&&) noexcept;
  XmlDocument(const XmlDocument&) = delete;
  XmlDocument& operator=(const XmlDocument&) = delete;

  const xmlNode* root() const;

 private:
  XmlDocument() = default;
  xmlDoc* doc_ = nullptr;
};

// Helpers over libxml2 nodes (element children only, namespace ignored:
// the schema already pinned it).
std::vector<const xmlNode*> child_elements(const xmlNode* node, std::string_view name = {});
const xmlNode* first_child(const xmlNode* node, std::string_view name);
std::string node_name(const xmlNode* node);
std::string attribute(const xmlNode* node, std::string_view name, std::string_view fallback = {});
bool has_attribute(const xmlNode* node, std::string_view name);
std::string text_of(const xmlNode* node);  // concatenated text content
int line_of(const xmlNode* node);

}  // namespace clinic_audit
