// SpamAssassin as Debian 12 runs it (spamd, amavisd-new, spamass-milter all
// load the same site configuration).
#include <algorithm>

#include "filters.hpp"

namespace clinic_audit::antispam {
namespace {

// Mail::SpamAssassin's @site_rules_path: the first existing directory wins;
// Debian builds it with LOCAL_RULES_DIR=/etc/spamassassin, upstream's default
// is /etc/mail/spamassassin.
constexpr const char* kSiteDirs[] = {"/etc/spamassassin", "/etc/mail/spamassassin"};

std::string where(const SaSource& s) { return s.file + ":" + std::to_string(s.line); }

bool has_suffix_ci(const std::string& name, std::string_view suffix) {
  return name.size() >= suffix.size() &&
         ascii_lower(name.substr(name.size() - suffix.size())) == std::string(suffix);
}

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
  if (wanted("spamd.service") || wanted("spamassassin.service")) runners.push_back("spamd (systemd unit enabled)");
  if (fs.exists("/etc/default/spamass-milter")) runners.push_back("spamass-milter");
  if (fs.exists("/etc/amavis/conf.d")) runners.push_back("amavisd-new (when its spam checks are on)");
  try {
    if (auto master = fs.read_file_if_exists("/etc/postfix/master.cf")) {
      for (std::string_view line : split_lines(*master)) {
        const std::string_view t = trim(line);
        if (!t.empty() && t.front() != '#' && (t.find("spamc") != std::string_view::npos ||
                                               t.find("/usr/bin/spamassassin") != std::string_view::npos)) {
          runners.push_back("a spamc/spamassassin pipe in /etc/postfix/master.cf");
          break;
        }
      }
    }
  } catch (const std::exception&) {
    // master.cf unreadable: Postfix's own evaluation reports it.
  }
  return runners;
}

}  // namespace

SaConfig load_spamassassin_site(const RootFs& fs, const std::string& site_dir) {
  SaConfigBuilder builder([&fs](const std::string& path, std::string* why) -> std::optional<std::string> {
    try {
      return fs.read_file(path);
    } catch (const std::exception& e) {
      *why = e.what();
      return std::nullopt;
    }
  });
  std::vector<std::string> pre;
  std::vector<std::string> cf;
  for (const DirEntry& entry : fs.list_dir(site_dir)) {
    const std::string path = site_dir + "/" + entry.name;
    auto info = fs.stat(path);
    if (!info || info->type != FileType::regular) continue;  // "-f $dir/$_"
    if (has_suffix_ci(entry.name, ".pre")) pre.push_back(entry.name);
    if (has_suffix_ci(entry.name, ".cf")) cf.push_back(entry.name);
  }
  // _reorder_dir: updates_spamassassin_org.cf first, then byte order.
  const auto order = [](const std::string& a, const std::string& b) {
    if (a == "updates_spamassassin_org.cf") return b != a;
    if (b == "updates_spamassassin_org.cf") return false;
    return a < b;
  };
  std::sort(pre.begin(), pre.end(), order);
  std::sort(cf.begin(), cf.end(), order);
  for (const auto* list : {&pre, &cf}) {
    for (const std::string& name : *list) {
      const std::string path = site_dir + "/" + name;
      if (list == &cf) builder.config().cf_files.push_back(path);
      try {
        builder.add_file(path, fs.read_file(path));
      } catch (const std::exception& e) {
        builder.config().notes.push_back({path, std::nullopt, e.what(), "a readable configuration file"});
      }
    }
  }
  return std::move(builder.config());
}

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
    auto info = fs.stat(dir);
    if (info && info->type == FileType::directory) {
      site_dir = dir;
      break;
    }
  }
  if (site_dir.empty()) return std::nullopt;

  FilterVerdict verdict;
  verdict.filter = "SpamAssassin";
  const SaConfig config = load_spamassassin_site(fs, site_dir);
  const SaMatch match = sa_match(config, options);
  const std::string& addr = options.sender.address;
  // The line must come after anything that could undo it (an
  // unwelcomelist_from in a later file): the last *.cf read, else local.cf.
  const std::string local_cf = config.cf_files.empty() ? site_dir + "/local.cf" : config.cf_files.back();
  // welcomelist_auth is what Mail::SpamAssassin::Conf recommends (it needs an
  // SPF or DKIM pass, so a forged From gains nothing); welcomelist_from when
  // the sender's mail is known not to authenticate.
  const std::string wanted_line =
      (options.authenticated ? "welcomelist_auth *@" : "welcomelist_from *@") + options.sender.domain;

  std::vector<std::string> problems;
  bool whitelisted = false;
  if (match.welcomelist) {
    whitelisted = true;
    verdict.evidence.push_back({match.welcomelist->file, match.welcomelist->line,
                                "welcomelist entry matching " + addr + " (USER_IN_WELCOMELIST)", "a welcomelist entry"});
  }
  if (!whitelisted && match.rcvd_conditional) {
    whitelisted = true;
    verdict.evidence.push_back({match.rcvd_conditional->file, match.rcvd_conditional->line,
                                "welcomelist_from_rcvd matching " + addr + ", only when relayed by " + match.rcvd_relay,
                                "a welcomelist entry"});
  }
  if (match.auth) {
    verdict.evidence.push_back({match.auth->file, match.auth->line,
                                "welcomelist_auth matching " + addr +
                                    (options.authenticated ? " (applies when the mail passes SPF or DKIM)"
                                                           : " (not applied: the sender is not authenticated)"),
                                "a welcomelist entry"});
    if (options.authenticated) whitelisted = true;
  }
  if (!whitelisted) {
    problems.push_back("no welcomelist_from, welcomelist_from_rcvd or welcomelist_auth entry matches " + addr);
  }
  if (match.blocklist) {
    problems.push_back("blocklist_from at " + where(*match.blocklist) + " also matches " + addr +
                       " (USER_IN_BLOCKLIST +100 cancels the welcomelist)");
    verdict.evidence.push_back({match.blocklist->file, match.blocklist->line, "blocklist_from matching " + addr,
                                "no blocklist entry for the sender"});
  }
  for (const char* rule : {"USER_IN_WELCOMELIST", "USER_IN_WHITELIST"}) {
    auto it = config.scores.find(rule);
    if (it == config.scores.end() || !match.welcomelist) continue;
    double score = 0;
    try {
      score = std::stod(it->second.first);
    } catch (const std::exception&) {
      continue;
    }
    // 60_welcomelist.cf scores USER_IN_WHITELIST -100 (the 4.0 compat meta
    // that carries the weight) and USER_IN_WELCOMELIST -0.01.
    if (std::string(rule) == "USER_IN_WHITELIST" && score > -5.0) {
      problems.push_back(std::string("score ") + rule + " " + it->second.first + " at " + where(it->second.second) +
                         " takes the welcomelist's weight away");
      verdict.evidence.push_back({it->second.second.file, it->second.second.line,
                                  std::string("score ") + rule + " " + it->second.first, "the default -100"});
    }
  }
  for (const Evidence& note : config.notes) verdict.evidence.push_back(note);
  const std::vector<std::string> runners = spamassassin_runners(fs);
  std::string runs;
  for (const auto& r : runners) runs += (runs.empty() ? "" : ", ") + r;
  verdict.evidence.push_back({site_dir, std::nullopt,
                              runs.empty() ? "no spamd unit, spamass-milter, amavisd-new or spamc pipe found: SpamAssassin "
                                             "may not see any mail (judged from its configuration all the same)"
                                           : "mail reaches SpamAssassin through " + runs,
                              "information only"});

  if (problems.empty()) {
    verdict.state = FilterState::whitelisted;
    verdict.summary = "SpamAssassin welcomelists " + addr;
    return verdict;
  }
  verdict.state = FilterState::not_whitelisted;
  verdict.summary = "SpamAssassin still scores " + addr + ": " + problems.front();
  verdict.remediation = "SpamAssassin: add the line `" + wanted_line + "` at the end of " + local_cf;
  if (match.blocklist) {
    verdict.remediation += " and remove `" + options.sender.address + "` from the blocklist_from line at " +
                           where(*match.blocklist) + " (or add `unblocklist_from <that pattern>` after it)";
  }
  return verdict;
}

}  // namespace clinic_audit::antispam
