#include "report_content.hpp"

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bounded_json.hpp"
#include "compact_json.hpp"
#include "report_files.hpp"
#include "xml/libxml2_api.hpp"

namespace clinic_audit::signing {

namespace {

// libxml2 through dlopen (xml/libxml2_api.hpp): only XML reports need it.
const xml::LibXml2Api& libxml2() { return xml::libxml2("reading XML reports"); }

}  // namespace

namespace {

using nlohmann::json;

const json& member(const json& object, const char* name, const char* where) {
  const auto it = object.find(name);
  if (it == object.end()) throw std::runtime_error(std::string(where) + name + " is missing");
  return *it;
}

std::string string_member(const json& object, const char* name, const char* where) {
  const json& value = member(object, name, where);
  if (!value.is_string()) throw std::runtime_error(std::string(where) + name + " is not a string");
  return value.get<std::string>();
}

std::string optional_string(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ReportContent json_content(const json& doc) {
  if (!doc.is_object()) throw std::runtime_error("the report is not a JSON object");
  ReportContent content;
  content.format = ReportFormat::json;
  content.report_id = string_member(doc, "report_id", "");
  const json& host = member(doc, "host", "");
  if (!host.is_object()) throw std::runtime_error("host is not an object");
  content.hostname = string_member(host, "hostname", "host.");
  content.machine_id = string_member(host, "machine_id", "host.");
  const json& run = member(doc, "run", "");
  if (!run.is_object()) throw std::runtime_error("run is not an object");
  content.started_at = string_member(run, "started_at", "run.");
  const json& sequence = member(run, "sequence", "run.");
  if (!sequence.is_number_unsigned()) throw std::runtime_error("run.sequence is not a non-negative integer");
  content.sequence = sequence.get<std::uint64_t>();
  const json& previous = member(run, "previous_sha256", "run.");
  if (previous.is_string()) {
    content.previous_sha256 = previous.get<std::string>();
  } else if (!previous.is_null()) {
    throw std::runtime_error("run.previous_sha256 is neither a string nor null");
  }
  const json& results = member(doc, "results", "");
  if (!results.is_array()) throw std::runtime_error("results is not an array");
  for (const json& result : results) {
    if (!result.is_object()) throw std::runtime_error("an item of results is not an object");
    ReportResultContent row;
    row.check_id = string_member(result, "check_id", "results[].");
    row.policy_id = optional_string(result, "policy_id");
    row.type = optional_string(result, "type");
    row.title = optional_string(result, "title");
    row.severity = optional_string(result, "severity");
    row.status = string_member(result, "status", "results[].");
    row.summary = optional_string(result, "summary");
    row.remediation = optional_string(result, "remediation");
    const auto evidence = result.find("evidence");
    row.evidence_json = evidence != result.end() && evidence->is_array() ? compact_json(*evidence) : "[]";
    content.results.push_back(std::move(row));
  }
  if (const auto summary = doc.find("summary"); summary != doc.end() && summary->is_object()) {
    for (const auto& [key, value] : summary->items()) {
      if (value.is_number_integer()) content.counts[key] = value.get<int>();
      if (key == "compliant" && value.is_boolean()) content.compliant = value.get<bool>();
    }
  }
  return content;
}

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { libxml2().xmlFreeDoc(doc); }
};

bool is_element(const xmlNode* node, const char* local) {
  return node != nullptr && node->type == XML_ELEMENT_NODE &&
         libxml2().xmlStrEqual(node->name, reinterpret_cast<const xmlChar*>(local)) && node->ns != nullptr &&
         libxml2().xmlStrEqual(node->ns->href, reinterpret_cast<const xmlChar*>(kReportXmlNamespace));
}

std::optional<std::string> attribute(xmlNode* node, const char* name) {
  xmlChar* value = libxml2().xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string text(reinterpret_cast<const char*>(value));
  libxml2().xmlFree(value);
  return text;
}

std::string required(xmlNode* node, const char* name, const char* where) {
  auto value = attribute(node, name);
  if (!value) throw std::runtime_error(std::string(where) + "@" + name + " is missing");
  return *value;
}

xmlNode* child(xmlNode* parent, const char* local) {
  for (xmlNode* node = parent->children; node != nullptr; node = node->next) {
    if (is_element(node, local)) return node;
  }
  return nullptr;
}

std::string child_text(xmlNode* parent, const char* local) {
  xmlNode* node = child(parent, local);
  if (node == nullptr) return {};
  xmlChar* text = libxml2().xmlNodeGetContent(node);
  std::string out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
  libxml2().xmlFree(text);
  return out;
}

std::uint64_t parse_sequence(const std::string& text) {
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw std::runtime_error("run/@sequence is not a non-negative integer");
  }
  try {
    return std::stoull(text);
  } catch (const std::out_of_range&) {
    throw std::runtime_error("run/@sequence is beyond 2^64-1");
  }
}

ReportContent xml_content(xmlDoc* doc) {
  xmlNode* root = libxml2().xmlDocGetRootElement(doc);
  if (!is_element(root, "report")) {
    throw std::runtime_error(std::string("root element is not <report> in namespace ") + kReportXmlNamespace);
  }
  ReportContent content;
  content.format = ReportFormat::xml;
  content.report_id = required(root, "report_id", "report");
  xmlNode* host = child(root, "host");
  if (host == nullptr) throw std::runtime_error("no <host> element");
  content.hostname = required(host, "hostname", "host");
  content.machine_id = required(host, "machine_id", "host");
  xmlNode* run = child(root, "run");
  if (run == nullptr) throw std::runtime_error("no <run> element");
  content.started_at = required(run, "started_at", "run");
  content.sequence = parse_sequence(required(run, "sequence", "run"));
  content.previous_sha256 = attribute(run, "previous_sha256");
  if (xmlNode* results = child(root, "results"); results != nullptr) {
    for (xmlNode* node = results->children; node != nullptr; node = node->next) {
      if (!is_element(node, "result")) continue;
      ReportResultContent row;
      row.check_id = required(node, "check_id", "result");
      row.policy_id = attribute(node, "policy_id").value_or("");
      row.type = attribute(node, "type").value_or("");
      row.severity = attribute(node, "severity").value_or("");
      row.status = required(node, "status", "result");
      row.title = child_text(node, "title");
      row.summary = child_text(node, "summary");
      row.remediation = child_text(node, "remediation");
      nlohmann::json evidence = nlohmann::json::array();
      for (xmlNode* item = node->children; item != nullptr; item = item->next) {
        if (!is_element(item, "evidence")) continue;
        nlohmann::json entry{{"path", attribute(item, "path").value_or("")},
                             {"observed", child_text(item, "observed")},
                             {"expected", child_text(item, "expected")}};
        if (auto line = attribute(item, "line");
            line && !line->empty() && line->size() < 10 && line->find_first_not_of("0123456789") == std::string::npos) {
          entry["line"] = std::stoll(*line);
        }
        evidence.push_back(std::move(entry));
      }
      // Invalid UTF-8 cannot reach here: libxml2 refuses it as not well-formed.
      row.evidence_json = evidence.dump();
      content.results.push_back(std::move(row));
    }
  }
  if (xmlNode* summary = child(root, "summary"); summary != nullptr) {
    for (xmlAttr* attr = summary->properties; attr != nullptr; attr = attr->next) {
      const std::string name = reinterpret_cast<const char*>(attr->name);
      const std::string value = attribute(summary, name.c_str()).value_or("");
      if (name == "compliant") {
        content.compliant = value == "true";
      } else if (!value.empty() && value.size() < 10 && value.find_first_not_of("0123456789") == std::string::npos) {
        content.counts[name] = std::stoi(value);
      }
    }
  }
  return content;
}

}  // namespace

const char* to_string(ReportFormat format) { return format == ReportFormat::json ? "json" : "xml"; }

std::optional<ReportFormat> sniff_report_format(std::string_view bytes) {
  if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  const auto first = bytes.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  if (bytes[first] == '{') return ReportFormat::json;
  if (bytes[first] == '<') return ReportFormat::xml;
  return std::nullopt;
}

ReportContent parse_report_content(std::string_view bytes, ReportFormat format) {
  if (format == ReportFormat::json) {
    json doc;
    try {
      doc = parse_bounded_json(bytes);
    } catch (const json::parse_error& error) {
      throw std::runtime_error("not well-formed JSON at byte " + std::to_string(error.byte));
    } catch (const json::exception& error) {
      // out_of_range 406: a number beyond a double ("6e666"); fuzz-found.
      throw std::runtime_error(std::string("unreadable JSON: ") + error.what());
    }
    return json_content(doc);
  }
  // XML_PARSE_NONET: never fetch anything; entities are not substituted.
  std::unique_ptr<xmlDoc, XmlDocFree> doc(
      libxml2().xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "report.xml", nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) throw std::runtime_error("not well-formed XML");
  return xml_content(doc.get());
}

ReportContent report_content_of(const nlohmann::json& document) { return json_content(document); }
ReportContent report_content_of(xmlDoc* document) { return xml_content(document); }

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM), RFC 3339 §5.6.
  auto digits = [&](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text.size() < 20 || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  // RFC 3339 §5.7: the day must exist in its month (2026-02-30, 2026-11-31
  // were accepted and rolled over by timegm into the next month).
  static constexpr int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*day > kDaysIn[*month - 1] + (*month == 2 && leap ? 1 : 0)) return std::nullopt;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    if (at == start) return std::nullopt;
  }
  std::int64_t offset = 0;
  if (at < text.size() && (text[at] == 'Z' || text[at] == 'z') && at + 1 == text.size()) {
    offset = 0;
  } else if (at + 6 == text.size() && (text[at] == '+' || text[at] == '-') && text[at + 3] == ':') {
    const auto oh = digits(at + 1, 2), om = digits(at + 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (text[at] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = *year - 1900;
  tm.tm_mon = *month - 1;
  tm.tm_mday = *day;
  tm.tm_hour = *hour;
  tm.tm_min = *minute;
  tm.tm_sec = *second;
  return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

}  // namespace clinic_audit::signing
