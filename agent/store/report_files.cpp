#include "report_files.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "atomic_file.hpp"
#include "xml/libxml2_api.hpp"

namespace clinic_audit::signing {

namespace {

// libxml2 through dlopen (xml/libxml2_api.hpp): only XML reports need it.
const xml::LibXml2Api& libxml2() { return xml::libxml2("reading the chain fields of an XML report"); }

}  // namespace

namespace {

constexpr std::string_view kPrefix = "clinic-audit-";
// Longest first, so "x.junit.xml" is junit.xml and not xml.
constexpr std::array<std::string_view, 6> kExtensions = {"junit.xml", "nagios.txt", "json", "xml", "txt", "prom"};

bool is_timestamp(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return false;
  for (std::size_t i = 0; i < 15; ++i) {
    if (i == 8) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

std::string safe_hostname(std::string_view hostname) {
  std::string out;
  for (char c : hostname) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    out += ok ? c : '_';
  }
  if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
  return out.substr(0, 64);
}

std::string make_report_stem(std::string_view hostname, std::string_view timestamp) {
  return std::string(kPrefix) + safe_hostname(hostname) + "-" + std::string(timestamp);
}

std::string report_file_name(std::string_view stem, std::string_view ext) {
  return std::string(stem) + "." + std::string(ext);
}

std::string report_timestamp(std::int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y%m%dT%H%M%SZ", &tm);
  return buf.data();
}

std::optional<ReportName> parse_report_name(std::string_view name) {
  if (name.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  for (std::string_view ext : kExtensions) {
    if (name.size() <= ext.size() + 1 || name.substr(name.size() - ext.size()) != ext ||
        name[name.size() - ext.size() - 1] != '.') {
      continue;
    }
    const std::string_view stem = name.substr(0, name.size() - ext.size() - 1);
    // stem = clinic-audit-<hostname>-<16-char timestamp>
    if (stem.size() < kPrefix.size() + 2 + 16 || stem[stem.size() - 17] != '-') return std::nullopt;
    const std::string_view timestamp = stem.substr(stem.size() - 16);
    if (!is_timestamp(timestamp)) return std::nullopt;
    return ReportName{std::string(stem), std::string(stem.substr(kPrefix.size(), stem.size() - kPrefix.size() - 17)),
                      std::string(timestamp), std::string(ext)};
  }
  return std::nullopt;
}

bool ReportSet::has_signature_for(const std::filesystem::path& report) const {
  std::filesystem::path p7s = report;
  p7s += ".p7s";
  return std::find(signatures.begin(), signatures.end(), p7s) != signatures.end();
}

bool ReportSet::fully_signed() const {
  return std::all_of(reports.begin(), reports.end(), [this](const auto& r) { return has_signature_for(r); });
}

std::optional<std::filesystem::path> ReportSet::chain_carrier() const {
  for (const char* ext : {".json", ".xml"}) {
    for (const auto& report : reports) {
      if (report.filename().string() == stem + ext) return report;
    }
  }
  return std::nullopt;
}

std::optional<std::filesystem::path> ReportSet::primary() const {
  if (auto carrier = chain_carrier()) return carrier;
  if (reports.empty()) return std::nullopt;
  return reports.front();
}

std::vector<ReportSet> list_report_sets(const std::filesystem::path& dir) {
  std::map<std::string, ReportSet> sets;  // keyed by timestamp + stem: chronological order
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    bool is_signature = false;
    if (name.size() > 4 && name.ends_with(".p7s")) {
      name.resize(name.size() - 4);
      is_signature = true;
    }
    const auto parsed = parse_report_name(name);
    if (!parsed) continue;
    ReportSet& set = sets[parsed->timestamp + "/" + parsed->stem];
    set.stem = parsed->stem;
    set.timestamp = parsed->timestamp;
    (is_signature ? set.signatures : set.reports).push_back(entry.path());
  }
  std::vector<ReportSet> out;
  for (auto& [key, set] : sets) {
    std::sort(set.reports.begin(), set.reports.end());
    std::sort(set.signatures.begin(), set.signatures.end());
    out.push_back(std::move(set));
  }
  return out;
}

std::filesystem::path choose_primary(const std::vector<std::filesystem::path>& written) {
  if (written.empty()) throw std::invalid_argument("no report written");
  for (const auto& report : written) {
    if (report.extension() == ".json") return report;
  }
  return written.front();
}

bool carries_chain_fields(const std::filesystem::path& report) {
  const auto parsed = parse_report_name(report.filename().string());
  const std::string ext = parsed ? parsed->ext : report.extension().string().substr(report.has_extension() ? 1 : 0);
  return ext == "json" || ext == "xml";
}

namespace {

ChainFields read_json_fields(std::string_view bytes) {
  const auto json = nlohmann::json::parse(bytes, nullptr, false);
  if (json.is_discarded()) throw std::runtime_error("not valid JSON");
  ChainFields fields;
  const auto run = json.find("run");
  if (run == json.end() || !run->is_object()) throw std::runtime_error("no \"run\" object");
  const auto sequence = run->find("sequence");
  if (sequence == run->end() || !sequence->is_number_unsigned()) {
    throw std::runtime_error("run.sequence is missing or not a non-negative integer");
  }
  fields.sequence = sequence->get<std::uint64_t>();
  const auto previous = run->find("previous_sha256");
  if (previous == run->end()) throw std::runtime_error("run.previous_sha256 is missing");
  if (previous->is_string()) {
    fields.previous_sha256 = previous->get<std::string>();
  } else if (!previous->is_null()) {
    throw std::runtime_error("run.previous_sha256 is neither a string nor null");
  }
  if (auto id = json.find("report_id"); id != json.end() && id->is_string()) fields.report_id = id->get<std::string>();
  return fields;
}

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { libxml2().xmlFreeDoc(doc); }
};

std::optional<std::string> xml_attribute(xmlNode* node, const char* name) {
  xmlChar* value = libxml2().xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(value));
  libxml2().xmlFree(value);
  return text;
}

ChainFields read_xml_fields(std::string_view bytes) {
  // XML_PARSE_NONET: never fetch anything; no entity substitution.
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      libxml2().xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "report.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) throw std::runtime_error("not well-formed XML");
  xmlNode* root = libxml2().xmlDocGetRootElement(doc.get());
  auto in_namespace = [](xmlNode* node, const char* local) {
    return node != nullptr && node->type == XML_ELEMENT_NODE &&
           libxml2().xmlStrEqual(node->name, reinterpret_cast<const xmlChar*>(local)) && node->ns != nullptr &&
           libxml2().xmlStrEqual(node->ns->href, reinterpret_cast<const xmlChar*>(kReportXmlNamespace));
  };
  if (!in_namespace(root, "report")) {
    throw std::runtime_error(std::string("root element is not <report> in namespace ") + kReportXmlNamespace);
  }
  xmlNode* run = nullptr;
  for (xmlNode* child = root->children; child != nullptr; child = child->next) {
    if (in_namespace(child, "run")) run = child;
  }
  if (run == nullptr) throw std::runtime_error("no <run> element");
  ChainFields fields;
  const auto sequence = xml_attribute(run, "sequence");
  if (!sequence || sequence->empty() || sequence->find_first_not_of("0123456789") != std::string::npos) {
    throw std::runtime_error("run/@sequence is missing or not a non-negative integer");
  }
  fields.sequence = std::stoull(*sequence);
  fields.previous_sha256 = xml_attribute(run, "previous_sha256");
  fields.report_id = xml_attribute(root, "report_id").value_or("");
  return fields;
}

}  // namespace

ChainFields read_chain_fields(const std::filesystem::path& report, std::string_view bytes) {
  const bool json = report.extension() == ".json";
  try {
    return json ? read_json_fields(bytes) : read_xml_fields(bytes);
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(report.filename().string() + ": " + error.what());
  } catch (const std::out_of_range&) {
    throw std::runtime_error(report.filename().string() + ": run sequence out of range");
  }
}

ChainFields read_chain_fields(const std::filesystem::path& report) {
  return read_chain_fields(report, read_file(report));
}

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2U);
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

}  // namespace clinic_audit::signing
