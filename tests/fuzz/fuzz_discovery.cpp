// Discovery reads files www-data can write (.htaccess, MEDSHAKEEHRPATH):
// the Apache directive scanner, the plausibility filter and the quoting of a
// value into a remediation command, on any bytes (issue #20 item 1).
// Property: a value is used in a command only as one shell word that
// unquotes back to exactly the value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "engine/apache_config.hpp"
#include "engine/discovery.hpp"
#include "engine/variables.hpp"
#include "common/shell_quote.hpp"

namespace {

// POSIX unquoting of one word made of '...' runs and bare safe characters.
bool unquote_word(const std::string& word, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] == '\'') {
      const std::size_t close = word.find('\'', i + 1);
      if (close == std::string::npos) return false;
      out += word.substr(i + 1, close - i - 1);
      i = close;
    } else if (word[i] == '\\' && i + 1 < word.size() && word[i + 1] == '\'') {
      out += word[++i];  // the '\'' of shell_quote()
    } else if (!clinic_audit::shell_safe_word(word.substr(i, 1))) {
      return false;  // outside quotes only the characters shell_word leaves bare
    } else {
      out += word[i];
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  for (const auto& line : clinic_audit::setenv_lines("/home/ehr/public_html/.htaccess", input)) {
    (void)clinic_audit::implausible_path(line.value);
    clinic_audit::VariableMap vars;
    vars["v"].value = line.value;
    vars["v"].origin = "fuzz";
    std::vector<clinic_audit::LoadError> errors;
    std::string refused;
    const auto command = clinic_audit::expand_command("chown root:root ${v}", vars, "fuzz.xml", 1, errors, refused);
    if (!errors.empty()) std::abort();  // the template is valid: only the value varies
    if (!command) {
      if (refused.empty()) std::abort();  // withheld, never silently
      continue;
    }
    const std::string prefix = "chown root:root ";
    if (command->compare(0, prefix.size(), prefix) != 0) std::abort();
    std::string back;
    if (!unquote_word(command->substr(prefix.size()), back) || back != line.value) std::abort();
  }
  return 0;
}
