// libxml2 reached through dlopen(3) instead of the dynamic linker (issue #19
// item 5): most runs never need it, and a process linked to libxml2 maps and
// relocates it and ICU (libicuuc, libicudata), liblzma and libz at every
// start, about 0.8 ms of CPU and 2.7 MiB of RSS (an empty C program measured
// with and without them). The agent's default path (a run, list, explain or
// version with the shipped policies and a plain agent.conf) reads its XML
// with pugixml (xml_tree.hpp); libxml2 is loaded the first time something
// needs what only it does: XSD validation of a site's own policy or of an
// agent.conf outside the fast path, `verify` of XML reports.
//
// The headers are used for types and constants only: nothing here may call
// a libxml2 function directly (the agent does not link libxml2, so such a
// call fails to link), every call goes through the pointers below.
#pragma once

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

#include <stdexcept>
#include <string>
#include <string_view>

namespace clinic_audit::xml {

// The soname the agent was built against (Debian: package libxml2).
inline constexpr const char* kLibXml2Soname = "libxml2.so.2";

// libxml2 could not be loaded or lacks a function; the message names the
// library, what it was needed for, and dlerror(3).
class LibXml2Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LibXml2Api {
  decltype(&::xmlReadMemory) xmlReadMemory;
  decltype(&::xmlFreeDoc) xmlFreeDoc;
  decltype(&::xmlDocGetRootElement) xmlDocGetRootElement;
  decltype(&::xmlNodeGetContent) xmlNodeGetContent;
  decltype(&::xmlGetProp) xmlGetProp;
  decltype(&::xmlGetNoNsProp) xmlGetNoNsProp;
  decltype(&::xmlStrEqual) xmlStrEqual;
  decltype(&::xmlGetLineNo) xmlGetLineNo;
  decltype(&::xmlSetStructuredErrorFunc) xmlSetStructuredErrorFunc;
  decltype(&::xmlSchemaNewParserCtxt) xmlSchemaNewParserCtxt;
  decltype(&::xmlSchemaSetParserStructuredErrors) xmlSchemaSetParserStructuredErrors;
  decltype(&::xmlSchemaParse) xmlSchemaParse;
  decltype(&::xmlSchemaFreeParserCtxt) xmlSchemaFreeParserCtxt;
  decltype(&::xmlSchemaFree) xmlSchemaFree;
  decltype(&::xmlSchemaNewValidCtxt) xmlSchemaNewValidCtxt;
  decltype(&::xmlSchemaSetValidStructuredErrors) xmlSchemaSetValidStructuredErrors;
  decltype(&::xmlSchemaValidateDoc) xmlSchemaValidateDoc;
  decltype(&::xmlSchemaFreeValidCtxt) xmlSchemaFreeValidCtxt;
  // libxml2's deallocator is a variable (globals.h), read at each call.
  xmlFreeFunc* xmlFree_variable;

  void xmlFree(void* memory) const { (*xmlFree_variable)(memory); }
};

// libxml2, loaded on first use (thread-safe; never unloaded). Throws
// LibXml2Unavailable naming kLibXml2Soname and `needed_for` (what the
// caller was doing: "validating /etc/x.xml against its schema") when
// dlopen or a dlsym fails; a later call tries again.
const LibXml2Api& libxml2(std::string_view needed_for);

// True when libxml2 is mapped in this process (for tests: the default path
// must not load it). Reads /proc/self/maps.
bool libxml2_is_loaded();

}  // namespace clinic_audit::xml
