// SpamAssassin as Debian 12 runs it (spamd, amavisd-new, spamass-milter all
// load the same site configuration).
#include <algorithm>

#include "i18n.hpp"
#include "common/shell_quote.hpp"
#include "filters.hpp"
#include "spamassassin_score.hpp"

namespace clinic_audit::antispam {
namespace {

// Mail::SpamAssassin's @site_rules_path: the first existing directory wins;
// Debian builds it with LOCAL_RULES_DIR=/etc/spamassassin, upstream's default
// is /etc/mail/spamassassin.
constexpr const char* kSiteDirs[] = {"/etc/spamassassin", "/etc/mail/spamassassin"};

std::string where(const SaSource& s) { return s.file + ":" + std::to_string(s.line); }

// Who feeds mail to SpamAssassin on a Debian machine: spamd (systemd unit
// enabled), spamass-milter, amavisd-new, or a spamc/spamassassin pipe in
// Postfix's master.cf. Reported for the technician; the verdict does not
// depend on it, as a missed runner would hide a real problem.
std::vector<std::string> spamassassin_runners(const RootFs& fs) {
  std::vector<std::string> runners;
  const auto wanted = [&fs](const std::string& unit) {
    for (const char* target : {"multi-user.target.wants", "default.target.wants"}) {
      if (fs.lstat("/etc/systemd/system/" + std::string(target) + "/" + unit)) return true;
    }
    return false;
  };
  if (wanted("spamd.service") || wanted("spamassassin.service")) runners.push_back(_("spamd (systemd unit enabled)"));
  if (fs.exists("/etc/default/spamass-milter")) runners.push_back("spamass-milter");
  if (fs.exists("/etc/amavis/conf.d")) runners.push_back(_("amavisd-new (when its spam checks are on)"));
  try {
    if (auto master = fs.read_file_if_exists("/etc/postfix/master.cf")) {
      for (std::string_view line : split_lines(*master)) {
        const std::string_view t = trim(line);
        if (!t.empty() && t.front() != '#' &&
            (t.find("spamc") != std::string_view::npos || t.find("/usr/bin/spamassassin") != std::string_view::npos)) {
          runners.push_back(_("a spamc/spamassassin pipe in /etc/postfix/master.cf"));
          break;
        }
      }
    }
  } catch (const std::exception&) {
    // master.cf unreadable: Postfix's own evaluation reports it.
  }
  return runners;
}

// check_from_in_whitelist is WLBLEval's alias of check_from_in_welcomelist.
std::string canonical_eval(std::string name) {
  const std::size_t at = name.find("whitelist");
  if (at != std::string::npos) name.replace(at, 9, "welcomelist");
  return name;
}

}  // namespace

SaMatch sa_match(const SaConfig& config, const SenderOptions& options) {
  const std::string& address = options.sender.address;
  SaMatch match;
  // WLBLEval::_check_from_in_welcomelist: welcomelist_from first, then _rcvd.
  for (const auto& [pattern, source] : config.welcomelist_from) {
    if (sa_address_matches(pattern, address)) {
      match.welcomelist = source;
      break;
    }
  }
  if (!match.welcomelist) {
    for (const auto& [pattern, entries] : config.welcomelist_from_rcvd) {
      if (!sa_address_matches(pattern, address)) continue;
      for (const SaRcvdEntry& entry : entries) {
        if (options.relay.empty() && options.relay_ip.empty()) {
          if (!match.rcvd_conditional) {
            match.rcvd_conditional = entry.source;
            match.rcvd_relay = entry.relay;
          }
        } else if (sa_relay_matches(entry.relay, options.relay, options.relay_ip)) {
          match.welcomelist = entry.source;
          break;
        }
      }
      if (match.welcomelist) break;
    }
  }
  for (const auto& [pattern, source] : config.welcomelist_auth) {
    if (sa_address_matches(pattern, address)) {
      match.auth = source;
      break;
    }
  }
  for (const auto& [pattern, source] : config.blocklist_from) {
    if (sa_address_matches(pattern, address)) {
      match.blocklist = source;
      break;
    }
  }
  return match;
}

std::optional<FilterVerdict> evaluate_spamassassin(const RootFs& fs, const SenderOptions& options) {
  std::string site_dir;
  for (const char* dir : kSiteDirs) {
    if (is_dir(fs, dir)) {
      site_dir = dir;
      break;
    }
  }
  if (site_dir.empty()) return std::nullopt;

  FilterVerdict verdict;
  verdict.filter = "SpamAssassin";
  std::string rules_dir;
  const SaConfig config = load_spamassassin(fs, site_dir, {}, &rules_dir);
  const std::string& addr = options.sender.address;
  if (!config.unreadable.empty()) {
    // Issue #20: what could not be read is `error` naming the file, never a verdict.
    verdict.state = FilterState::error;
    verdict.evidence = config.unreadable;
    const Evidence& first = config.unreadable.front();
    verdict.summary = tr("SpamAssassin's configuration could not be read: {0} {1}", first.path, first.observed);
    verdict.remediation =
        tr("Make {0} a regular, readable file of reasonable size (or remove it), then run the audit again.",
           first.path);
    return verdict;
  }
  const SaMatch match = sa_match(config, options);
  const SaWeight weight = sa_weight(config, options);
  const double threshold = options.whitelist_score;

  for (const SaRuleHit& hit : weight.hits) {
    verdict.evidence.push_back(
        {hit.source.file, hit.source.line,
         tr("{0} fires, {1}: {2}; {3}", hit.rule, sa_format_score(hit.score), hit.reason, hit.score_origin) +
             (hit.needs_authentication ? _(" [only when SPF or DKIM passes at delivery]") : ""),
         tr("welcomelist rules weighing {0} or less", sa_format_score({threshold, threshold, threshold, threshold}))});
  }
  for (const Evidence& lost : weight.lost) verdict.evidence.push_back(lost);
  if (match.rcvd_conditional) {
    verdict.evidence.push_back(
        {match.rcvd_conditional->file, match.rcvd_conditional->line,
         tr("welcomelist_from_rcvd matching {0} applies only when the mail is relayed by {1}, and "
            "the check was given no relay: not counted",
            addr, match.rcvd_relay),
         _("an entry that does not depend on the relay, or the relay parameter")});
  }
  if (match.auth && !options.authenticated) {
    verdict.evidence.push_back(
        {match.auth->file, match.auth->line,
         tr("welcomelist_auth matching {0} applies only when SPF or DKIM passes at delivery, which depends on the "
            "sender's DNS and on SpamAssassin's network tests (spamassassin -L -t does not welcomelist with it): not "
            "counted",
            addr),
         _("an entry that does not depend on the sender's DNS (or authenticated=true when SPF/DKIM pass is verified)")});
  }
  for (const Evidence& miss : sa_near_misses(fs, config, site_dir, options)) verdict.evidence.push_back(miss);
  for (const Evidence& note : config.notes) verdict.evidence.push_back(note);
  const std::vector<std::string> runners = spamassassin_runners(fs);
  std::string runs;
  for (const auto& r : runners) runs += (runs.empty() ? "" : ", ") + r;
  verdict.evidence.push_back({site_dir, std::nullopt,
                              runs.empty()
                                  ? std::string(_("no spamd unit, spamass-milter, amavisd-new or spamc pipe found: "
                                                  "SpamAssassin may not see any mail (judged from its configuration "
                                                  "all the same)"))
                                  : tr("mail reaches SpamAssassin through {0}", runs),
                              _("information only")});

  const double worst = weight.worst();
  // Conditional only when the pass rests on the SPF/DKIM-bound rules.
  SenderOptions plain = options;
  plain.authenticated = false;
  const bool needs_auth = options.authenticated && sa_weight(config, plain).worst() > threshold;
  if (worst <= threshold) {
    verdict.state = FilterState::whitelisted;
    verdict.summary =
        tr("SpamAssassin welcomelists {0} (welcomelist rules weigh {1})", addr, sa_format_score(weight.total));
    if (needs_auth) verdict.condition = _("only while SPF or DKIM passes at delivery, as authenticated=true states");
    return verdict;
  }

  // Why not: the first reason that applies.
  std::string problem;
  if (match.blocklist) {
    problem = tr("blocklist_from at {0} matches {1} (USER_IN_BLOCKLIST +100 cancels the welcomelist)",
                 where(*match.blocklist), addr);
  } else if (!weight.lost.empty()) {
    problem = weight.lost.front().observed;
  } else if (weight.hits.empty()) {
    problem = tr("no welcomelist_from or welcomelist_from_rcvd entry matches {0}", addr);
    if (match.auth && !options.authenticated)
      problem += tr(" (welcomelist_auth at {0} needs SPF or DKIM to pass at delivery)", where(*match.auth));
  } else {
    problem = tr("the welcomelist rules that fire weigh only {0} ({1}: {2})", sa_format_score(weight.total),
                 weight.hits.front().rule, weight.hits.front().score_origin);
  }
  verdict.state = FilterState::not_whitelisted;
  verdict.summary = tr("SpamAssassin still scores {0}: {1}", addr, problem);

  // The fix: lines appended to the last site *.cf read (after anything that
  // could undo them), each tried on the model before it is suggested. When
  // that file ends inside an if/ifplugin block that is false (the appended
  // line would be skipped), a new file that sorts after it is used instead:
  // SpamAssassin closes open blocks at each file's end (Conf/Parser.pm, "file end").
  const std::string last = config.cf_files.empty() ? site_dir + "/local.cf" : config.cf_files.back();
  const std::string stem = last.substr(0, last.size() - 3);  // "*.cf": '_' sorts after '.', so stem_x.cf comes last
  const std::vector<std::string> targets = {last, stem + "_welcomelist.cf"};
  std::vector<std::string> lines;
  if (!match.welcomelist) {
    lines.push_back(options.relay.empty() ? "welcomelist_from *@" + options.sender.domain
                                          : "welcomelist_from_rcvd *@" + options.sender.domain + " " + options.relay);
  }
  for (const auto& [pattern, source] : config.blocklist_from) {
    if (sa_address_matches(pattern, addr)) lines.push_back("unblocklist_from " + pattern);
  }
  const auto attempt = [&](const std::string& file, const std::vector<std::string>& candidate) {
    std::string text;
    for (const auto& l : candidate) text += l + "\n";
    // `plain`: the fix must not depend on the sender's DNS.
    const SaConfig fixed = load_spamassassin(fs, site_dir, {{file, text}});
    return fixed.unreadable.empty() && sa_weight(fixed, plain).worst() <= threshold;
  };
  // A score override weakened the rule: restore the weight of the rule that
  // reads welcomelist_from (then of its compatibility meta) if still needed.
  std::vector<std::string> score_lines;
  for (const auto& [name, rule] : config.rules) {
    const bool reads_welcomelist = canonical_eval(rule.eval_function) == "check_from_in_welcomelist";
    const bool meta_over_it =
        !rule.meta_dependency.empty() && config.rules.count(rule.meta_dependency) &&
        canonical_eval(config.rules.at(rule.meta_dependency).eval_function) == "check_from_in_welcomelist";
    if (reads_welcomelist) score_lines.insert(score_lines.begin(), "score " + name + " -100");
    else if (meta_over_it) score_lines.push_back("score " + name + " -100");
  }
  std::string target;
  for (std::size_t extra = 0; extra <= score_lines.size() && target.empty(); ++extra) {
    std::vector<std::string> candidate = lines;
    candidate.insert(candidate.end(), score_lines.begin(), score_lines.begin() + static_cast<std::ptrdiff_t>(extra));
    for (const std::string& file : targets) {
      if (attempt(file, candidate)) {
        target = file;
        lines = candidate;
        break;
      }
    }
  }
  if (target.empty()) {
    verdict.remediation = "SpamAssassin: no line appended to " + last + " makes it welcomelist " + addr +
                          " in this configuration (see the evidence: is "
                          "Mail::SpamAssassin::Plugin::WLBLEval loaded by a *.pre file of " +
                          site_dir + "?).";
    return verdict;
  }
  for (const std::string& line : lines) {
    verdict.remediation_commands.push_back("grep -qxF " + shell_word(line) + " " + shell_word(target) +
                                           " || printf '%s\\n' " + shell_word(line) + " >> " + shell_word(target));
  }
  verdict.remediation = "SpamAssassin: append to " + target +
                        (target == last ? " (the last configuration file it reads, so nothing undoes it):"
                                        : " (a new file read after " + last +
                                              ", which ends inside an if/ifplugin block that "
                                              "would skip a line appended to it):");
  for (const std::string& line : lines) verdict.remediation += " `" + line + "`";
  verdict.remediation +=
      "; then reload whatever runs SpamAssassin (spamd, amavisd-new). welcomelist_from does not depend on "
      "the sender's DNS; welcomelist_auth would, and only applies when SPF or DKIM passes at delivery.";
  return verdict;
}

}  // namespace clinic_audit::antispam
