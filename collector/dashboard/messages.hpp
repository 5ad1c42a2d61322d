// Every visible string of the dashboard, in French (the default, DESIGN.md
// §10) and English. Terms follow the seeds' French ("conformité",
// "téléconsultation", "liste blanche"). A key missing from the table is a
// programming error: tr() returns the key itself and the messages test
// fails on any page that shows one.
#pragma once

#include <span>
#include <string_view>

#include "language.hpp"

namespace clinic_audit::dashboard {

struct Message {
  std::string_view key, fr, en;
};

std::span<const Message> all_messages();
std::string_view tr(Lang lang, std::string_view key);

}  // namespace clinic_audit::dashboard
