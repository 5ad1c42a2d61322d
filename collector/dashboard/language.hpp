// Dashboard language (DESIGN.md §10): French by default, English available;
// chosen by the user's stored preference, else the `lang` cookie, else
// Accept-Language (RFC 9110 §12.5.4, quality values), else French.
#pragma once

#include <string_view>

namespace clinic_audit::dashboard {

enum class Lang { fr, en };

std::string_view lang_code(Lang lang);
bool parse_lang(std::string_view code, Lang& lang);
Lang lang_from_accept_language(std::string_view header);

}  // namespace clinic_audit::dashboard
