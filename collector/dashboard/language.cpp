#include "language.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/text.hpp"

namespace clinic_audit::dashboard {
namespace {

// HTTP's optional whitespace around list items and parameters (RFC 9110 §5.6.3).
std::string_view ows_trim(std::string_view text) { return trim(text, kBlanks); }

bool starts_with_tag(std::string_view range, std::string_view primary) {
  if (range.size() < primary.size()) return false;
  for (std::size_t i = 0; i < primary.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(range[i])) != primary[i]) return false;
  }
  return range.size() == primary.size() || range[primary.size()] == '-';
}

// q=0.8 -> 800; a malformed or missing value counts as 1 (RFC 9110 §12.4.2).
int quality(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const auto param = ows_trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
      const auto value = param.substr(2);
      double q = 1.0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), q);
      // !(0 <= q <= 1) also refuses the "nan" from_chars accepts (its cast
      // to int was undefined behaviour).
      if (ec != std::errc{} || end != value.data() + value.size() || !(q >= 0 && q <= 1)) return 1000;
      return static_cast<int>(q * 1000 + 0.5);
    }
  }
  return 1000;
}

}  // namespace

std::string_view lang_code(Lang lang) { return lang == Lang::en ? "en" : "fr"; }

bool parse_lang(std::string_view code, Lang& lang) {
  if (code == "fr") {
    lang = Lang::fr;
    return true;
  }
  if (code == "en") {
    lang = Lang::en;
    return true;
  }
  return false;
}

Lang lang_from_accept_language(std::string_view header) {
  int best_fr = -1, best_en = -1;
  std::size_t guard = 0;
  while (!header.empty() && guard++ < 64) {
    const auto comma = header.find(',');
    const auto item = ows_trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto semi = item.find(';');
    const auto range = ows_trim(item.substr(0, semi));
    const int q = semi == std::string_view::npos ? 1000 : quality(item.substr(semi + 1));
    if (starts_with_tag(range, "fr")) best_fr = std::max(best_fr, q);
    if (starts_with_tag(range, "en")) best_en = std::max(best_en, q);
  }
  if (best_en > 0 && best_en > best_fr) return Lang::en;
  return Lang::fr;
}

}  // namespace clinic_audit::dashboard
