// Report files as the agent names them (DESIGN.md §6):
//   DIR/clinic-audit-<hostname>-<UTC yyyymmddThhmmssZ>.<ext>
// with ext json, xml, txt, junit.xml, nagios.txt or prom, each beside its
// signature NAME.p7s. The files of one run share a stem and form a "set".
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::signing {

struct ReportName {
  std::string stem;  // clinic-audit-<hostname>-<timestamp>
  std::string hostname;
  std::string timestamp;  // yyyymmddThhmmssZ: sorts chronologically
  std::string ext;        // json, xml, txt, junit.xml, nagios.txt, prom
};

// The one place report names are built; parse_report_name below is the one
// place they are read back. `hostname` is made safe by safe_hostname().
// `timestamp`: UTC yyyymmddThhmmssZ.
std::string make_report_stem(std::string_view hostname, std::string_view timestamp);
std::string report_file_name(std::string_view stem, std::string_view ext);
// The UTC yyyymmddThhmmssZ stamp of a time (seconds since the epoch).
std::string report_timestamp(std::int64_t unix_seconds);
// Report file names keep to a safe alphabet whatever the audited hostname
// says: [A-Za-z0-9.-], others become '_', never a leading '.', at most 64.
std::string safe_hostname(std::string_view hostname);

// nullopt for anything that is not a report file name (signatures included).
std::optional<ReportName> parse_report_name(std::string_view file_name);

struct ReportSet {
  std::string stem;
  std::string timestamp;
  std::vector<std::filesystem::path> reports;     // report files present, sorted
  std::vector<std::filesystem::path> signatures;  // NAME.p7s files present (with or without their report)

  bool has_signature_for(const std::filesystem::path& report) const;
  // Every report has its signature.
  bool fully_signed() const;
  // The file whose SHA-256 the next report chains to: the JSON report if
  // present, else the XML one, else the first report (issue #8: "JSON when
  // written, else the first format written"; on disk the write order is
  // lost, so verify accepts a link to any file of the previous set).
  std::optional<std::filesystem::path> primary() const;
  // The JSON report, else the XML one: the files that carry run.sequence.
  std::optional<std::filesystem::path> chain_carrier() const;
};

// The report sets in `dir`, oldest first (by the timestamp in the name).
// Stray signatures (NAME.p7s without NAME) are attached to their set too.
std::vector<ReportSet> list_report_sets(const std::filesystem::path& dir);

// The JSON report among `written`, else the first one (the run's primary).
std::filesystem::path choose_primary(const std::vector<std::filesystem::path>& written);

// run.sequence and run.previous_sha256 (DESIGN §6) of a JSON or XML report.
struct ChainFields {
  std::uint64_t sequence = 0;
  std::optional<std::string> previous_sha256;
  std::string report_id;
};

// True for the JSON and XML report formats (junit.xml is not one).
bool carries_chain_fields(const std::filesystem::path& report);

// Parses the report's bytes. Throws std::runtime_error with a precise
// message when the structure is not there.
ChainFields read_chain_fields(const std::filesystem::path& report, std::string_view bytes);
ChainFields read_chain_fields(const std::filesystem::path& report);

// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view bytes);

inline constexpr const char* kReportXmlNamespace = "urn:clinic-audit:report:1";

}  // namespace clinic_audit::signing
