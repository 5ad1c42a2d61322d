#include "load_error.hpp"

#include "common/shell_quote.hpp"

namespace clinic_audit {

std::string format_load_errors(const std::vector<LoadError>& errors) {
  std::string out;
  int number = 0;
  for (const auto& e : errors) {
    if (!out.empty()) out += '\n';
    // Shown on a terminal: a file name or a quoted value may hold ESC.
    out += "error " + std::to_string(++number) + ": " + escape_control(e.file);
    if (e.line > 0) out += ":" + std::to_string(e.line);
    out += ": " + escape_control(e.message);
  }
  return out;
}

}  // namespace clinic_audit
