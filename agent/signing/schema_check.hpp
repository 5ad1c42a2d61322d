// Checking a report against the schemas that ship with the project
// (DESIGN.md §6): XML against agent/schemas/report.xsd with libxml2's
// xmlSchema API, JSON against agent/schemas/report.schema.json (draft-07)
// with valijson (Debian libvalijson-dev).
#pragma once

struct _xmlDoc;  // libxml2's xmlDoc

#include <filesystem>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::signing {

class SchemaChecker {
 public:
  // Either schema may be absent: that format is then not schema-checked
  // (and `verify` says so). Throws SigningError(65) if a schema given
  // cannot be read or compiled.
  SchemaChecker(const std::optional<std::filesystem::path>& xsd,
                const std::optional<std::filesystem::path>& json_schema);
  ~SchemaChecker();
  SchemaChecker(const SchemaChecker&) = delete;
  SchemaChecker& operator=(const SchemaChecker&) = delete;

  // Whether the report's format has a schema here (json and xml, when given).
  bool covers(const std::filesystem::path& report) const;

  // Each violation as "where: what"; empty when the report is valid.
  std::vector<std::string> check(const std::filesystem::path& report, std::string_view bytes) const;

  // The same on a document already parsed (the collector parses a report
  // once for the schema and its content). Empty when that format has no
  // schema here.
  std::vector<std::string> check_json(const nlohmann::json& document) const;
  std::vector<std::string> check_xml(_xmlDoc* document) const;

  // Whether the JSON schema is the shipped one, so that a report
  // report_certainly_valid() accepts skips valijson (tests say it is).
  bool fast_accept_enabled() const;
  // Whether a JSON report that read_json_report_fast() accepts needs no
  // check_json() (it would find nothing): the shipped schema, or none.
  bool json_fast_read_allowed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clinic_audit::signing
