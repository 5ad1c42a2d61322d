// A strict subset of XML 1.0 that libxml2 certainly parses without error or
// warning and pugixml reads the same way (issue #19 item 5): the gate of
// XmlDocument's fast path (agent.conf read with pugixml, libxml2 not
// loaded). A document outside the subset is not wrong, only sent to libxml2.
//
// The subset (grammar of XML 1.0 5th ed. §2-3, restricted):
//   document := BOM? XMLDecl? Misc* element Misc*
//   XMLDecl  := '<?xml' S 'version' Eq '1.0' (S 'encoding' Eq 'UTF-8')? S? '?>' (either quotes,
//               encoding in any case)
//   Misc     := Comment | S              (no processing instruction, no DOCTYPE)
//   element  := '<' Name (S Name Eq AttValue)* S? ('/>' | '>' content '</' Name S? '>')
//   content  := (CharData | element | Reference | Comment)*   (no CDATA section)
//   Name     := [A-Za-z_][A-Za-z0-9._-]*  (ASCII, no ':': no prefixes; 'xmlns' allowed)
//   AttValue := quoted, without '<', '&' only as Reference; attribute names distinct
//   Reference:= '&amp;' | '&lt;' | '&gt;' | '&quot;' | '&apos;'   (no character reference)
//   Comment  := '<!--' no '--' inside, not ending in '-' '-->'
//   CharData := no ']]>'
// and the whole input valid UTF-8 made of XML Chars (§2.2), at most 1 MiB,
// elements nested at most 32 deep.
#pragma once

#include <string_view>

namespace clinic_audit::xml {

bool within_strict_subset(std::string_view content);

}  // namespace clinic_audit::xml
