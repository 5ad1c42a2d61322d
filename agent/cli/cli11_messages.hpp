// CLI11's own parse errors in the user's language (issue #18 item 2).
// CLI11 builds its messages in English inside the exception
// (/usr/include/CLI/Error.hpp, Validators.hpp of CLI11 2.1): the known
// shapes are recognised and rebuilt from the catalog with their variable
// parts (option names, values, lists) unchanged; an unknown shape stays as
// CLI11 wrote it.
#pragma once

#include <string>

namespace clinic_audit {

// `message` is CLI::Error::what(); the result is in the current language.
std::string translate_cli11_message(const std::string& message);

}  // namespace clinic_audit
