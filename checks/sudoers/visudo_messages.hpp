// sudo's own messages in the agent's language (issue #18 item 1). The
// parser keeps every syntax error in English, worded as visudo -c prints it
// (the differential tests compare them with visudo's); in French they are
// worded as visudo prints them under a French locale: sudo ships its own
// French catalog (Debian's sudo package, /usr/share/locale/fr/LC_MESSAGES/
// sudoers.mo), and tests/integration/french_visudo_test.cpp compares our
// French with the real `LANGUAGE=fr visudo -c` on the same bad files. A
// message visudo prints in English under a French locale (not in sudo's
// catalog, or untranslated there) stays English here too.
#pragma once

#include <string>
#include <string_view>

#include "sudoers_parser.hpp"

namespace clinic_audit::sudoers {

// `english` (a SyntaxError message, or the reason sudo refuses a file) in
// the current language; unchanged in English or when it is no message we
// know.
std::string visudo_message_text(std::string_view english);

// SyntaxError::describe() with the message in the current language:
// "FILE:LINE:COL: MESSAGE", as visudo prints it.
std::string visudo_describe(const SyntaxError& error);

}  // namespace clinic_audit::sudoers
