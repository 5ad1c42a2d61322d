// --color=auto|always|never and NO_COLOR (https://no-color.org/: set and
// not empty = no colour unless the user asks for it explicitly).
#pragma once

#include <string_view>

namespace clinic_audit {

enum class ColorMode { automatic, always, never };

// "auto", "always", "never".
ColorMode parse_color_mode(std::string_view text);

// Whether output to `fd` is coloured: always/never as said; automatic when
// `fd` is a terminal and NO_COLOR is unset or empty.
bool use_color(ColorMode mode, int fd);

}  // namespace clinic_audit
