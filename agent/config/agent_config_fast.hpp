// agent.conf proved valid against agent-config.xsd without libxml2 (issue
// #19 item 5): the fast path of XmlDocument::load for the site
// configuration, which every run reads. Conservative: true only for a tree
// that certainly satisfies the schema, written in the plain way (values
// without surrounding blanks, numbers without sign or leading zero, dates
// YYYY-MM-DD, URLs http(s)://host[:port][/path]); anything else -- invalid,
// or valid but unusual -- returns false and goes through libxml2's XSD
// validation, which gives the same errors as before.
// `ca_xml_tests` (AgentConfigFast.*) hold it against libxml2 on a corpus of
// valid and invalid files: whatever this accepts, libxml2 accepts.
#pragma once

#include "xml/xml_tree.hpp"

namespace clinic_audit {

inline constexpr const char* kAgentConfigNamespace = "urn:clinic-audit:config:1";

bool agent_config_certainly_valid(const xml::XmlElement& root);

}  // namespace clinic_audit
