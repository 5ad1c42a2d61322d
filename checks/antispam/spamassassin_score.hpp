// The weight SpamAssassin 4.0 actually gives a sender: which welcomelist and
// blocklist rules fire for it and with what score, after every `score` line
// of the default rules directory and the site configuration (the last line
// read wins; relative "(n)" lines add to it; a score of 0 disables the rule
// and every meta built on it: Mail::SpamAssassin::Conf "score").
//
// The rules themselves come from the configuration too (60_welcomelist.cf,
// 60_welcomelist_spf.cf, 60_welcomelist_dkim.cf): a header rule calling one
// of the WLBLEval/SPF/DKIM eval functions, and the compatibility metas
// (USER_IN_WHITELIST...) that exist only while enable_compat
// welcomelist_blocklist is not set. So a `score USER_IN_WELCOMELIST 0`
// override, a plugin that is not loaded, or a missing rule all show here as
// the weight they take away.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "antispam_common.hpp"
#include "spamassassin_parser.hpp"

namespace clinic_audit::antispam {

// One rule that fires for the sender, with its effective score per score set.
struct SaRuleHit {
  std::string rule;
  SaSource source;  // the entry that makes it fire (a meta: its definition)
  std::array<double, 4> score{};
  std::string reason;                 // why it fires: the entry that matches, file:line
  std::string score_origin;           // which score line won and which lost
  bool needs_authentication = false;  // fires only on an SPF or DKIM pass at delivery
};

struct SaWeight {
  // Sum of the scores of the rules that fire, per score set.
  std::array<double, 4> total{};
  std::vector<SaRuleHit> hits;
  // Rules that would fire but are disabled (score 0), and entries that match
  // but that no rule reads (its plugin not loaded, its rule redefined).
  std::vector<Evidence> lost;
  double worst() const;  // the highest total over the four score sets
};

// `options.authenticated`: the site verified that the sender's mail passes
// SPF and DKIM at delivery; only then do the SPF/DKIM-bound rules
// (welcomelist_auth, welcomelist_from_spf/_dkim and their def_ forms) fire.
SaWeight sa_weight(const SaConfig& config, const SenderOptions& options);

// "-100", "-0.01", "-1/-1/-2/-2" when the score sets differ.
std::string sa_format_score(const std::array<double, 4>& score);

}  // namespace clinic_audit::antispam
