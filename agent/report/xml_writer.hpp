// Serialises a pugixml document into a std::string (shared by the XML and
// JUnit renderers).
#pragma once

#include <pugixml.hpp>
#include <string>

namespace clinic_audit::report_output {

// UTF-8, two-space indentation, XML declaration as written in the document,
// CR in content as &#13; so that parsers do not turn it into LF.
std::string xml_to_string(const pugi::xml_document& doc);

}  // namespace clinic_audit::report_output
