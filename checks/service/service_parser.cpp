#include "service_parser.hpp"

namespace clinic_audit::service {
namespace {

void add_words(std::vector<std::string>& list, std::string_view value) {
  if (value.empty()) {
    list.clear();
    return;
  }
  std::size_t pos = 0;
  while (pos < value.size()) {
    while (pos < value.size() && (value[pos] == ' ' || value[pos] == '\t')) ++pos;
    std::size_t end = pos;
    while (end < value.size() && value[end] != ' ' && value[end] != '\t') ++end;
    if (end > pos) list.emplace_back(value.substr(pos, end - pos));
    pos = end;
  }
}

}  // namespace

InstallInfo parse_install_section(const systemd::UnitFile& unit) {
  InstallInfo info;
  for (const auto& a : unit.assignments) {
    if (a.section != "Install") continue;
    if (a.key == "WantedBy") add_words(info.wanted_by, a.value);
    else if (a.key == "RequiredBy") add_words(info.required_by, a.value);
    else if (a.key == "Alias") add_words(info.aliases, a.value);
    else if (a.key == "Also") add_words(info.also, a.value);
  }
  return info;
}

std::optional<std::string> sysv_start_link_service(std::string_view link_name) {
  if (link_name.size() < 4 || link_name[0] != 'S') return std::nullopt;
  if (link_name[1] < '0' || link_name[1] > '9' || link_name[2] < '0' || link_name[2] > '9') return std::nullopt;
  return std::string(link_name.substr(3));
}

}  // namespace clinic_audit::service
