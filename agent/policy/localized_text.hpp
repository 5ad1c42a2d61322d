// Texts of a policy in two languages (issue #18, DESIGN.md §10): title,
// description, rationale, remediation and its note may each come once per
// language with xml:lang="en" or "fr"; without xml:lang a text is English.
#pragma once

#include <string>
#include <vector>

#include "load_error.hpp"
#include "xml_document.hpp"

namespace clinic_audit {

// Of `candidates` (elements of one name under one parent), the one in the
// output's language (i18n::language()), else the English one, else the
// first; nullptr when there is none. A language other than en/fr, or two
// elements of one language, is a load error naming file:line.
const XmlNode* pick_localized(const std::vector<const XmlNode*>& candidates, const std::string& file,
                              std::vector<LoadError>& errors);

}  // namespace clinic_audit
