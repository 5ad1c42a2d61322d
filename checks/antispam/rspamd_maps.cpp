#include "rspamd_maps.hpp"

#include "antispam_common.hpp"
#include "i18n.hpp"

namespace clinic_audit::antispam::rspamd {

namespace {
constexpr const char* kConfDir = "/etc/rspamd";
}  // namespace

std::string expand_map_path(std::string path) {
  if (path.rfind("fallback+", 0) == 0) path = path.substr(9);
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  for (const char* var : {"${LOCAL_CONFDIR}", "$LOCAL_CONFDIR", "${CONFDIR}", "$CONFDIR"}) {
    const std::string v(var);
    if (path.rfind(v, 0) == 0) path = std::string(kConfDir) + path.substr(v.size());
  }
  for (const char* var : {"${DBDIR}", "$DBDIR"}) {
    const std::string v(var);
    if (path.rfind(v, 0) == 0) path = "/var/lib/rspamd" + path.substr(v.size());
  }
  return path;
}

std::string strip_slashes(const std::string& text) {
  if (text.size() >= 2 && text.front() == '/') {
    const std::size_t close = text.rfind('/');
    if (close > 0) return text.substr(1, close - 1);
  }
  return text;
}

MapMatch match_map_text(const std::string& file, std::string_view text, const std::vector<std::string>& values,
                        bool regexp, bool glob) {
  MapMatch out;
  int number = 0;
  for (std::string_view raw : split_lines(text)) {
    ++number;
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t end = line.find_first_of(" \t");
    const std::string entry(line.substr(0, end));
    for (const std::string& v : values) {
      bool hit = false;
      if (regexp) {
        std::string why;
        const std::optional<bool> matched = guarded_perl_match(strip_slashes(entry), v, true, why);
        if (!matched) {
          out.undecided.push_back(
              {file, number, "regexp entry " + entry + ": " + why, _("a pattern this check can evaluate safely")});
          break;  // the same for every value
        }
        hit = *matched;
      } else {
        hit = glob ? glob_match(ascii_lower(entry), ascii_lower(v)) : ascii_lower(entry) == ascii_lower(v);
      }
      if (hit) {
        out.hit = MapHit{file, number, entry};
        out.undecided.clear();  // rspamd found this entry: the ones it could not tell do not matter
        return out;
      }
    }
  }
  return out;
}

}  // namespace clinic_audit::antispam::rspamd
