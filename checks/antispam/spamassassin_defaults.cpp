#include "spamassassin_defaults.hpp"

namespace clinic_audit::antispam {

// Written from the behaviour of Debian's spamassassin 4.0.1-1~deb12u1
// (60_welcomelist.cf, 60_welcomelist_spf.cf, 60_welcomelist_dkim.cf and the
// SPF/DKIM scores of 50_scores.cf): each header rule calls the eval function
// of its plugin; while "enable_compat welcomelist_blocklist" is NOT set, a
// deprecated meta (USER_IN_WHITELIST...) carries the weight and the 4.0 rule
// keeps 0.01. The def_welcomelist_auth entries for large senders are left
// out: they never name the senders this check is given. The oracle test
// (spamassassin_oracle_test.cpp) checks these against the installed files.
std::string_view sa_builtin_default_rules() {
  return R"(ifplugin Mail::SpamAssassin::Plugin::WLBLEval
header USER_IN_BLOCKLIST eval:check_from_in_blocklist()
score USER_IN_BLOCKLIST 100
if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)
meta USER_IN_BLACKLIST (USER_IN_BLOCKLIST)
score USER_IN_BLACKLIST 100
score USER_IN_BLOCKLIST 0.01
endif
header USER_IN_WELCOMELIST eval:check_from_in_welcomelist()
score USER_IN_WELCOMELIST -100
if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)
meta USER_IN_WHITELIST (USER_IN_WELCOMELIST)
score USER_IN_WHITELIST -100
score USER_IN_WELCOMELIST -0.01
endif
header USER_IN_DEF_WELCOMELIST eval:check_from_in_default_welcomelist()
score USER_IN_DEF_WELCOMELIST -15
if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)
meta USER_IN_DEF_WHITELIST (USER_IN_DEF_WELCOMELIST)
score USER_IN_DEF_WHITELIST -15
score USER_IN_DEF_WELCOMELIST -0.01
endif
endif
ifplugin Mail::SpamAssassin::Plugin::SPF
header USER_IN_SPF_WELCOMELIST eval:check_for_spf_welcomelist_from()
score USER_IN_SPF_WELCOMELIST -100
if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)
meta USER_IN_SPF_WHITELIST (USER_IN_SPF_WELCOMELIST)
score USER_IN_SPF_WHITELIST -100
score USER_IN_SPF_WELCOMELIST -0.01
endif
header USER_IN_DEF_SPF_WL eval:check_for_def_spf_welcomelist_from()
score USER_IN_DEF_SPF_WL -7.5
endif
ifplugin Mail::SpamAssassin::Plugin::DKIM
header USER_IN_DKIM_WELCOMELIST eval:check_for_dkim_welcomelist_from()
score USER_IN_DKIM_WELCOMELIST -100
if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)
meta USER_IN_DKIM_WHITELIST (USER_IN_DKIM_WELCOMELIST)
score USER_IN_DKIM_WHITELIST -100
score USER_IN_DKIM_WELCOMELIST -0.01
endif
header USER_IN_DEF_DKIM_WL eval:check_for_def_dkim_welcomelist_from()
score USER_IN_DEF_DKIM_WL -7.5
endif
)";
}

}  // namespace clinic_audit::antispam
