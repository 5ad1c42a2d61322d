#include "load_error.hpp"

namespace clinic_audit {

std::string format_load_errors(const std::vector<LoadError>& errors) {
  std::string out;
  int number = 0;
  for (const auto& e : errors) {
    if (!out.empty()) out += '\n';
    out += "error " + std::to_string(++number) + ": " + e.file;
    if (e.line > 0) out += ":" + std::to_string(e.line);
    out += ": " + e.message;
  }
  return out;
}

}  // namespace clinic_audit
