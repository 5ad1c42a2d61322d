#include "color.hpp"

#include <unistd.h>

#include <cstdlib>

namespace clinic_audit {

ColorMode parse_color_mode(std::string_view text) {
  if (text == "always") return ColorMode::always;
  if (text == "never") return ColorMode::never;
  return ColorMode::automatic;
}

bool use_color(ColorMode mode, int fd) {
  switch (mode) {
    case ColorMode::always: return true;
    case ColorMode::never: return false;
    case ColorMode::automatic: break;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  return ::isatty(fd) != 0;
}

}  // namespace clinic_audit
