// A small XML file validated against an XSD, with the line of every element
// kept for error messages. Used for policies and agent.conf.
//
// Two parsers (issue #19 item 5): bytes whose validity is already known
// (Schema::already_validated: a shipped policy the build validated; or a
// document the caller's FastCheck proves valid) are read with pugixml, and
// libxml2 is not even loaded; everything else is parsed and validated with
// libxml2, reached through dlopen (xml/libxml2_api.hpp). Both give the same
// element tree (xml/xml_tree.hpp), compared by ca_xml_tests and, for the
// shipped policies, by the build.
//
// Hardened for hostile input: no network access, no DTD (a DOCTYPE is an
// error, which also rules out entity expansion attacks), a size cap.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "load_error.hpp"
#include "xml/xml_tree.hpp"

namespace clinic_audit {

using XmlNode = xml::XmlElement;

class XmlDocument {
 public:
  // Parses `content` (named `file` in errors) and validates it against the
  // schema at `xsd`. Throws LoadFailure listing every parse/validation error.
  // Schema::already_validated skips the schema (neither loaded nor applied):
  // only for bytes the build validated against it (prevalidated.hpp).
  enum class Schema { validate, already_validated };
  // A conservative validator of one schema on the pugixml tree: true only
  // when the document is certainly valid against it (anything else, valid or
  // not, goes through libxml2, which gives the exact errors). Called only for
  // documents within the strict XML subset (xml/xml_subset.hpp).
  using FastCheck = bool (*)(const XmlNode& root);
  static XmlDocument load(std::string_view content, const std::string& file, const std::filesystem::path& xsd,
                          Schema schema = Schema::validate, FastCheck fast_check = nullptr);

  // The same bytes through libxml2 always (parse, DOCTYPE refusal, schema
  // unless already_validated): the slow path, for tests and the build check.
  static XmlDocument load_with_libxml2(std::string_view content, const std::string& file,
                                       const std::filesystem::path& xsd, Schema schema = Schema::validate);

  const XmlNode* root() const { return &root_; }
  // Which parser built the tree (tests: the default path must use pugixml).
  bool read_by_libxml2() const { return by_libxml2_; }

 private:
  XmlDocument() = default;
  XmlNode root_;
  bool by_libxml2_ = false;
};

// Helpers over the tree (element children only, namespace ignored: the
// schema already pinned it).
std::vector<const XmlNode*> child_elements(const XmlNode* node, std::string_view name = {});
const XmlNode* first_child(const XmlNode* node, std::string_view name);
std::string node_name(const XmlNode* node);
// The attribute of that local name, whatever its namespace (as libxml2's
// xmlGetProp, which the loader used before).
std::string attribute(const XmlNode* node, std::string_view name, std::string_view fallback = {});
bool has_attribute(const XmlNode* node, std::string_view name);
std::string text_of(const XmlNode* node);  // concatenated text content ("" for nullptr)
int line_of(const XmlNode* node);

}  // namespace clinic_audit
