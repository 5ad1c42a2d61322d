// The element tree (xml_tree.hpp) of a document libxml2 parsed (and
// validated): the slow path, which reads exactly what the libxml2 code
// before issue #19 item 5 read (xmlGetProp, xmlNodeGetContent, xmlGetLineNo).
#pragma once

#include "libxml2_api.hpp"
#include "xml_tree.hpp"

namespace clinic_audit::xml {

XmlElement tree_from_libxml2(const LibXml2Api& api, const xmlNode* element);

}  // namespace clinic_audit::xml
