#include "schema_check.hpp"

#include <cstdint>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "atomic_file.hpp"
#include "report_files.hpp"
#include "report_schema_fast.hpp"
#include "signing_error.hpp"
#include "xml/libxml2_api.hpp"

namespace clinic_audit::signing {

namespace {

// libxml2 through dlopen (xml/libxml2_api.hpp): only XML reports need it.
const xml::LibXml2Api& libxml2() { return xml::libxml2("checking XML reports against their schema"); }

}  // namespace

namespace {

struct XmlSchemaFree {
  void operator()(xmlSchema* schema) const { libxml2().xmlSchemaFree(schema); }
};
struct XmlDocFree {
  void operator()(xmlDoc* doc) const { libxml2().xmlFreeDoc(doc); }
};
struct XmlValidCtxtFree {
  void operator()(xmlSchemaValidCtxt* ctxt) const { libxml2().xmlSchemaFreeValidCtxt(ctxt); }
};
struct XmlParserCtxtFree {
  void operator()(xmlSchemaParserCtxt* ctxt) const { libxml2().xmlSchemaFreeParserCtxt(ctxt); }
};

void collect_error(void* sink, const xmlError* error) {
  auto* messages = static_cast<std::vector<std::string>*>(sink);
  std::string message = error->message != nullptr ? error->message : "unknown error";
  while (!message.empty() && message.back() == '\n') message.pop_back();
  messages->push_back("line " + std::to_string(error->line) + ": " + message);
}

// libxml2 2.9 declares the handler with a non-const xmlError*.
void collect_error_cb(void* sink, xmlError* error) { collect_error(sink, error); }

// valijson 1.0 reads schema numbers as int64 or double: an unsigned bound
// above INT64_MAX (report.schema.json bounds run.sequence by 2^64-1) would
// wrap to a negative number. Such bounds become the nearest double instead.
void widen_unsigned_bounds(nlohmann::json& node) {
  if (node.is_object()) {
    for (auto& [key, value] : node.items()) {
      if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
        value = static_cast<double>(value.get<std::uint64_t>());
      } else {
        widen_unsigned_bounds(value);
      }
    }
  } else if (node.is_array()) {
    for (auto& value : node) widen_unsigned_bounds(value);
  }
}

std::string json_path(const std::vector<std::string>& context) {
  std::string path;
  for (const auto& part : context) path += part;
  return path.empty() ? "<root>" : path;
}

}  // namespace

struct SchemaChecker::Impl {
  std::unique_ptr<xmlSchema, XmlSchemaFree> xsd;
  std::unique_ptr<valijson::Schema> json;
  // The schema is the one report_schema_fast.cpp was written for: a report
  // it certainly accepts skips valijson (see report_schema_fast.hpp).
  bool fast_accept = false;
};

SchemaChecker::SchemaChecker(const std::optional<std::filesystem::path>& xsd,
                             const std::optional<std::filesystem::path>& json_schema)
    : impl_(std::make_unique<Impl>()) {
  if (xsd) {
    std::vector<std::string> errors;
    std::unique_ptr<xmlSchemaParserCtxt, XmlParserCtxtFree> parser(libxml2().xmlSchemaNewParserCtxt(xsd->c_str()));
    if (parser) libxml2().xmlSchemaSetParserStructuredErrors(parser.get(), collect_error_cb, &errors);
    if (parser) impl_->xsd.reset(libxml2().xmlSchemaParse(parser.get()));
    if (!impl_->xsd) {
      throw SigningError(kExitRefused, "cannot load the XML schema " + xsd->string() +
                                           (errors.empty() ? std::string() : ": " + errors.front()));
    }
  }
  if (json_schema) {
    auto document = nlohmann::json::parse(read_file(*json_schema), nullptr, false);
    if (document.is_discarded())
      throw SigningError(kExitRefused, "JSON schema " + json_schema->string() + " is not valid JSON");
    impl_->fast_accept = sha256_hex(document.dump()) == kReportSchemaFastDigest;
    widen_unsigned_bounds(document);
    try {
      auto schema = std::make_unique<valijson::Schema>();
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(document);
      parser.populateSchema(adapter, *schema);
      impl_->json = std::move(schema);
    } catch (const std::exception& error) {
      throw SigningError(kExitRefused, "cannot load the JSON schema " + json_schema->string() + ": " + error.what());
    }
  }
}

SchemaChecker::~SchemaChecker() = default;

bool SchemaChecker::fast_accept_enabled() const { return impl_->fast_accept; }

bool SchemaChecker::json_fast_read_allowed() const { return !impl_->json || impl_->fast_accept; }

bool SchemaChecker::covers(const std::filesystem::path& report) const {
  const std::string name = report.filename().string();
  if (name.ends_with(".junit.xml")) return false;
  if (report.extension() == ".json") return impl_->json != nullptr;
  if (report.extension() == ".xml") return impl_->xsd != nullptr;
  return false;
}

std::vector<std::string> SchemaChecker::check(const std::filesystem::path& report, std::string_view bytes) const {
  std::vector<std::string> problems;
  if (!covers(report)) return problems;
  if (report.extension() == ".json") {
    const auto document = nlohmann::json::parse(bytes, nullptr, false);
    if (document.is_discarded()) return {"not valid JSON"};
    return check_json(document);
  }
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      libxml2().xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "report.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return {"not well-formed XML"};
  return check_xml(doc.get());
}

std::vector<std::string> SchemaChecker::check_json(const nlohmann::json& document) const {
  std::vector<std::string> problems;
  if (!impl_->json) return problems;
  if (impl_->fast_accept && report_certainly_valid(document)) return problems;
  // One validator per thread: valijson keeps the compiled regular
  // expressions of "pattern" in the Validator (validator.hpp regexesCache);
  // a validator per call compiled them again for every report (a tenth of
  // the collector's CPU per report, measured with perf).
  thread_local valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(document);
  if (!validator.validate(*impl_->json, target, &results)) {
    valijson::ValidationResults::Error error;
    // valijson reports each violation, then one "Failed to validate
    // against schema associated with property" line per enclosing object:
    // those repeat the path and are dropped.
    std::vector<std::string> enclosing;
    while (results.popError(error)) {
      const bool context_only = error.description.starts_with("Failed to validate against schema associated with");
      (context_only ? enclosing : problems).push_back(json_path(error.context) + ": " + error.description);
    }
    if (problems.empty()) problems = std::move(enclosing);
  }
  return problems;
}

std::vector<std::string> SchemaChecker::check_xml(xmlDoc* document) const {
  std::vector<std::string> problems;
  if (!impl_->xsd) return problems;
  std::unique_ptr<xmlSchemaValidCtxt, XmlValidCtxtFree> ctxt(libxml2().xmlSchemaNewValidCtxt(impl_->xsd.get()));
  libxml2().xmlSchemaSetValidStructuredErrors(ctxt.get(), collect_error_cb, &problems);
  const int result = libxml2().xmlSchemaValidateDoc(ctxt.get(), document);
  if (result != 0 && problems.empty()) problems.push_back("does not match the XML schema");
  return problems;
}
}  // namespace clinic_audit::signing
