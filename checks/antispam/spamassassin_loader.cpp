// Reading SpamAssassin's configuration from the audited root in the order
// Mail::SpamAssassin::init reads it (SpamAssassin.pm 4.0.1, sub init and
// _get_cf_pre_files_in_dir), and the near misses shown next to a verdict.
#include <algorithm>
#include <stdexcept>

#include "filters.hpp"
#include "i18n.hpp"
#include "spamassassin_defaults.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::antispam {
namespace {

// Files of one directory with the given suffix (case-insensitive, as
// /\.${type}$/i), ordered like _reorder_dir: updates_spamassassin_org.cf
// first, then byte order. Entries that are not regular files are skipped by
// SpamAssassin ("-f"); a FIFO, socket or device named like a configuration
// file is reported as unreadable instead, as its intent cannot be judged.
std::vector<std::string> config_files(const RootFs& fs, const std::string& dir, std::string_view suffix,
                                      SaConfigBuilder& builder) {
  std::vector<std::string> names;
  std::vector<DirEntry> entries;
  try {
    entries = fs.list_dir(dir);
  } catch (const std::exception& e) {
    builder.add_unreadable(dir, i18n::exception_text(e));
    return names;
  }
  for (const DirEntry& entry : entries) {
    if (entry.name.size() < suffix.size() ||
        ascii_lower(entry.name.substr(entry.name.size() - suffix.size())) != suffix) {
      continue;
    }
    const std::string path = dir + "/" + entry.name;
    try {
      auto info = fs.stat(path);
      if (!info) continue;  // dangling symlink: "-f" is false
      if (info->type == FileType::directory) continue;
      if (info->type != FileType::regular) {
        builder.add_unreadable(
            path, "a " + std::string(to_string(info->type)) +
                      ", not a regular file (SpamAssassin would skip it; what it was meant to hold is unknown)");
        continue;
      }
    } catch (const std::exception& e) {
      builder.add_unreadable(path, i18n::exception_text(e));
      continue;
    }
    names.push_back(entry.name);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    if (a == "updates_spamassassin_org.cf") return b != a;
    if (b == "updates_spamassassin_org.cf") return false;
    return a < b;
  });
  return names;
}

// @default_rules_path: __local_state_dir__/__version__ (what sa-update
// writes), then __def_rules_dir__ (/usr/share/spamassassin on Debian).
std::string find_rules_dir(const RootFs& fs) {
  std::string best;
  try {
    if (is_dir(fs, "/var/lib/spamassassin")) {
      for (const DirEntry& e : fs.list_dir("/var/lib/spamassassin")) {
        // "4.000001": the x.yyyzzz version format.
        const std::string& n = e.name;
        if (n.size() == 8 && n[1] == '.' &&
            std::all_of(n.begin() + 2, n.end(), [](char c) { return c >= '0' && c <= '9'; }) && n[0] >= '0' &&
            n[0] <= '9' && n > best) {
          best = n;
        }
      }
    }
  } catch (const std::exception&) {
    best.clear();
  }
  if (!best.empty()) {
    const std::string dir = "/var/lib/spamassassin/" + best;
    if (is_dir(fs, dir)) return dir;
  }
  for (const char* dir : {"/usr/share/spamassassin", "/usr/local/share/spamassassin"}) {
    try {
      if (is_dir(fs, dir)) return dir;
    } catch (const std::exception&) {
      continue;
    }
  }
  return "";
}

bool mentions_directive(std::string_view key) {
  return key.find("welcomelist") != std::string_view::npos || key.find("blocklist") != std::string_view::npos;
}

// The last two labels of the sender's domain ("esante-bretagne.fr"): a
// pattern holding them was probably meant for this sender.
std::string registrable_part(const std::string& domain) {
  const std::size_t last = domain.rfind('.');
  if (last == std::string::npos || last == 0) return domain;
  const std::size_t before = domain.rfind('.', last - 1);
  return before == std::string::npos ? domain : domain.substr(before + 1);
}

}  // namespace

SaConfig load_spamassassin(const RootFs& fs, const std::string& site_dir, const std::vector<SaAppend>& appends,
                           std::string* rules_dir_out) {
  const auto with_appends = [&appends](const std::string& path, std::string text) {
    for (const SaAppend& a : appends) {
      if (a.file == path) {
        if (!text.empty() && text.back() != '\n') text.push_back('\n');
        text += a.text;
      }
    }
    return text;
  };
  SaConfigBuilder builder([&fs, &with_appends](const std::string& path) -> SaLoaded {
    try {
      if (auto text = fs.read_file_if_exists(path)) return {with_appends(path, std::move(*text)), false, ""};
      return {std::nullopt, true, _("no such file")};
    } catch (const std::exception& e) {
      return {std::nullopt, false, i18n::exception_text(e)};
    }
  });
  const auto read_all = [&](const std::string& dir, const std::vector<std::string>& names, bool site_cf) {
    for (const std::string& name : names) {
      const std::string path = dir + "/" + name;
      if (site_cf) builder.config().cf_files.push_back(path);
      try {
        std::optional<std::string> text = fs.read_file_if_exists(path);
        const bool created =
            std::any_of(appends.begin(), appends.end(), [&path](const SaAppend& a) { return a.file == path; });
        if (!text && !created) throw std::runtime_error("no such file");
        builder.add_file(path, with_appends(path, text.value_or("")));
      } catch (const std::exception& e) {
        builder.add_unreadable(path, i18n::exception_text(e));
      }
    }
  };
  // Files a fix would create: read in their place in the order.
  const auto add_created = [&](std::vector<std::string>& names, const std::string& dir, std::string_view suffix) {
    for (const SaAppend& a : appends) {
      if (a.file.rfind(dir + "/", 0) != 0 || a.file.size() < suffix.size() ||
          a.file.compare(a.file.size() - suffix.size(), suffix.size(), suffix) != 0) {
        continue;
      }
      const std::string name = a.file.substr(dir.size() + 1);
      if (std::find(names.begin(), names.end(), name) == names.end() && !fs.exists(a.file)) {
        names.insert(std::upper_bound(names.begin(), names.end(), name), name);
      }
    }
  };
  const std::string rules_dir = find_rules_dir(fs);
  if (rules_dir_out) *rules_dir_out = rules_dir;
  std::vector<std::string> site_pre = config_files(fs, site_dir, ".pre", builder);
  add_created(site_pre, site_dir, ".pre");
  std::vector<std::string> site_cf = config_files(fs, site_dir, ".cf", builder);
  add_created(site_cf, site_dir, ".cf");
  read_all(site_dir, site_pre, false);
  if (rules_dir.empty()) {
    builder.add_file(std::string(kSaBuiltinRulesName), sa_builtin_default_rules());
    builder.config().notes.push_back(
        {"/usr/share/spamassassin", std::nullopt,
         "no default rules directory (/var/lib/spamassassin/<version>, /usr/share/spamassassin): judged with "
         "SpamAssassin 4.0.1's own welcomelist rules and scores",
         _("information only")});
  } else {
    read_all(rules_dir, config_files(fs, rules_dir, ".pre", builder), false);
    read_all(rules_dir, config_files(fs, rules_dir, ".cf", builder), false);
  }
  read_all(site_dir, site_cf, true);
  return std::move(builder.config());
}

std::vector<Evidence> sa_near_misses(const RootFs& fs, const SaConfig& config, const std::string& site_dir,
                                     const SenderOptions& options) {
  std::vector<Evidence> out;
  const std::string& address = options.sender.address;
  const std::string key = registrable_part(options.sender.domain);
  const auto consider = [&](const char* directive, const std::map<std::string, SaSource>& list) {
    for (const auto& [pattern, source] : list) {
      if (pattern.find(key) == std::string::npos || sa_address_matches(pattern, address)) continue;
      out.push_back({source.file, source.line,
                     std::string(directive) + " " + pattern + " does not match " + address +
                         " (SpamAssassin matches the pattern against the whole address: a parent or sibling domain "
                         "does not cover " +
                         options.sender.domain + ")",
                     "a pattern matching " + address});
    }
  };
  consider("welcomelist_from", config.welcomelist_from);
  consider("welcomelist_auth", config.welcomelist_auth);
  consider("welcomelist_from_spf", config.welcomelist_from_spf);
  consider("welcomelist_from_dkim", config.welcomelist_from_dkim);
  for (const auto& [pattern, entries] : config.welcomelist_from_rcvd) {
    if (pattern.find(key) == std::string::npos) continue;
    for (const SaRcvdEntry& e : entries) {
      if (!sa_address_matches(pattern, address)) {
        out.push_back({e.source.file, e.source.line,
                       "welcomelist_from_rcvd " + pattern + " " + e.relay + " does not match " + address +
                           " (the address pattern covers the whole address)",
                       "a pattern matching " + address});
      } else if (!options.relay.empty() || !options.relay_ip.empty()) {
        if (!sa_relay_matches(e.relay, options.relay, options.relay_ip)) {
          out.push_back({e.source.file, e.source.line,
                         "welcomelist_from_rcvd " + pattern + " " + e.relay +
                             " matches the address but not the relay " + options.relay +
                             (options.relay_ip.empty() ? "" : " [" + options.relay_ip + "]") +
                             " (WLBLEval then counts the mail as forged)",
                         _("the relay that delivers the mail")});
        }
      }
    }
  }
  // Welcomelist lines in files SpamAssassin does not read.
  std::vector<std::string> unread;
  const auto scan_dir = [&](const std::string& dir, bool whole_dir) {
    std::vector<DirEntry> entries;
    try {
      if (auto info = fs.stat(dir); !info || info->type != FileType::directory) return;
      entries = fs.list_dir(dir);
    } catch (const std::exception&) {
      return;
    }
    for (const DirEntry& e : entries) {
      const std::string path = dir + "/" + e.name;
      if (config.files_read.count(path)) continue;
      const std::string lower = ascii_lower(e.name);
      const bool read_kind =
          lower.size() > 3 && (lower.compare(lower.size() - 3, 3, ".cf") == 0 ||
                               (lower.size() > 4 && lower.compare(lower.size() - 4, 4, ".pre") == 0));
      if (!whole_dir && read_kind) continue;
      unread.push_back(path);
      if (unread.size() > 64) return;
    }
  };
  for (const char* dir : {"/etc/spamassassin", "/etc/mail/spamassassin"}) scan_dir(dir, dir != site_dir);
  for (const std::string& path : unread) {
    std::optional<std::string> text;
    try {
      auto info = fs.stat(path);
      if (!info || info->type != FileType::regular || info->size > 1024 * 1024) continue;
      text = fs.read_file(path);
    } catch (const std::exception&) {
      continue;
    }
    for (const SaDirective& d : parse_spamassassin_cf(*text)) {
      if (!mentions_directive(d.key) || d.value.find(key) == std::string::npos) continue;
      out.push_back({path, d.line,
                     d.key + " " + d.value +
                         ": in a file SpamAssassin does not read (it reads the *.pre and *.cf files of " + site_dir +
                         " and what they include)",
                     _("the entry in a file SpamAssassin reads")});
    }
  }
  return out;
}

}  // namespace clinic_audit::antispam
