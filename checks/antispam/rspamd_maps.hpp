// rspamd multimap map sources and their entries, as the rspamd check reads
// them (https://rspamd.com/doc/modules/multimap.html#map-types). A regexp
// entry (case-insensitive) that guarded_perl_match cannot evaluate is never
// taken for "no match": it is returned as undecided, with where it is and why, so that the verdict can say it
// cannot tell instead of passing on a rule it never evaluated.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace clinic_audit::antispam::rspamd {

// "fallback+file:///x", "$LOCAL_CONFDIR/x", "${DBDIR}/x" -> a path.
std::string expand_map_path(std::string path);
// "/re/flags" -> re; anything else unchanged.
std::string strip_slashes(const std::string& text);

struct MapHit {
  std::string file;
  int line = 0;
  std::string entry;
};

struct MapMatch {
  std::optional<MapHit> hit;
  // Regexp entries that could not be evaluated (none once there is a hit
  // before them; later ones are not looked at, as rspamd stops there).
  std::vector<Evidence> undecided;
};

// One rspamd map source: a file of entries "key [value]" with '#' comments.
MapMatch match_map_text(const std::string& file, std::string_view text, const std::vector<std::string>& values,
                        bool regexp, bool glob);

}  // namespace clinic_audit::antispam::rspamd
