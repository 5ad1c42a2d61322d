// Browser versions as the seed's matrix compares them: the leading dotted
// numbers of the upstream version ("153.8.0esr-1~deb12u1" -> 153.8.0;
// "1:7.0.3" -> 7.0.3 after the Debian epoch, deb-version(7)).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::browser {

// Numbers of `text` after an optional epoch, up to the first character that is
// neither a digit nor a dot; nullopt when it does not start with a digit.
std::optional<std::vector<long>> numeric_version(std::string_view text);
// <0, 0, >0 like strcmp; missing components count as 0 (78 == 78.0).
int compare_versions(const std::vector<long>& a, const std::vector<long>& b);
std::string to_string(const std::vector<long>& version);

}  // namespace clinic_audit::browser
