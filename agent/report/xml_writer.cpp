#include "xml_writer.hpp"

namespace clinic_audit::report_output {
namespace {

class StringWriter final : public pugi::xml_writer {
 public:
  explicit StringWriter(std::string& out) : out_(out) {}
  void write(const void* data, size_t size) override { out_.append(static_cast<const char*>(data), size); }

 private:
  std::string& out_;
};

}  // namespace

std::string xml_to_string(const pugi::xml_document& doc) {
  std::string out;
  StringWriter writer(out);
  doc.save(writer, "  ", pugi::format_indent, pugi::encoding_utf8);
  // pugixml writes a CR in element content as is, and XML parsers read it
  // as LF (XML 1.0 §2.11 end-of-line handling). A character reference
  // survives, so the XML carries a CR read from the host as JSON does.
  // pugixml never emits a raw CR itself (indentation is LF only; CR in
  // attributes is already written as &#13;).
  std::string escaped;
  escaped.reserve(out.size());
  for (char c : out) {
    if (c == '\r') {
      escaped += "&#13;";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace clinic_audit::report_output
