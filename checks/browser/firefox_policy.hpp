// Firefox: enterprise policies (policies.json) and preference files.
//  - policies.json (EnterprisePoliciesParent.sys.mjs, JSONPoliciesProvider):
//    one file only, the system one (/etc/firefox/policies/policies.json, also
//    for Debian's firefox-esr) when it exists, else <install>/distribution/
//    policies.json; read with JSON.parse (strict): a file that does not parse
//    gives no policies at all.
//  - Permissions.Camera/Microphone/ScreenShare: "Block" lists origins,
//    "BlockNewRequests": true denies every origin not in "Allow".
//  - Preferences: a bare value or {"Value": v, "Status": "default"|"locked"|"user"|"clear"}.
//  - preference files (modules/libpref parser): pref(), user_pref(),
//    sticky_pref(), lockPref() (defaultPref() is a syntax error there); a
//    later file overrides an earlier one, a locked pref keeps its locked
//    value. Debian's firefox-esr reads /etc/firefox-esr/*.js as default
//    preferences (its browser/defaults/syspref symlink).
//  - autoconfig (general.config.filename, see firefox_policy.cpp) runs after
//    the default files, policies.json's Preferences after autoconfig.
//  - the profile's prefs.js/user.js are not read: they are one user's state
//    (Firefox rewrites prefs.js on exit), cannot override a locked pref nor
//    any pref the autoconfig file sets (it runs after them at every start:
//    oracle ff_autoconfig_pref_beats_user_pref), and
//    the question audited is what the machine's configuration imposes on
//    every user; a default a user may have changed is reported as set.
//  - meaning (dom/base/Navigator.cpp, Navigator::HasUserMediaSupport):
//    navigator.mediaDevices exists when media.navigator.enabled OR
//    media.peerconnection.enabled is true, so media.navigator.enabled=false
//    alone does not take getUserMedia away; media.peerconnection.enabled=false
//    removes RTCPeerConnection (no consultation).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"
#include "findings.hpp"
#include "lenient_json.hpp"

namespace clinic_audit::browser {

struct PrefValue {
  JsonValue value;  // boolean, integer or string
  std::string file;
  int line = 0;
  bool locked = false;
};
using Prefs = std::map<std::string, PrefValue>;

class PrefError : public std::runtime_error {
 public:
  PrefError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

enum class PrefSyntax { pref_file, autoconfig };

// Applies one preference file to `prefs`. On a syntax error Firefox skips to
// the next ';' and goes on (modules/libpref/parser); so does this, then it
// throws the first PrefError once the whole file is applied.
// PrefSyntax::autoconfig: the body of an autoconfig .cfg (first line already
// removed, de-obscured); anything but the pref calls throws PrefError (not evaluated).
void apply_pref_file(std::string_view text, const std::string& file, Prefs& prefs,
                     PrefSyntax syntax = PrefSyntax::pref_file);

// An autoconfig file as Firefox reads it (extensions/pref/autoconfig/src/
// nsReadConfig.cpp, openAndEvaluateJSFile): every byte minus `obscure_value`
// (general.config.obscure_value, 13 by default; 0 or negative: plain text), then the
// first line skipped: it is blanked, so lines of the result are the file's.
std::string autoconfig_body(std::string_view file_bytes, long obscure_value);

struct FirefoxConfig {
  std::string policies_file;    // the one Firefox reads ("" when none)
  std::string autoconfig_file;  // the .cfg read ("" when none)
  JsonValue policies;           // its "policies" object (null when none)
  Prefs prefs;
  std::vector<Finding> problems;
  bool unreadable = false;
};

// After an autoconfig file ran: general.config.vendor (when set) must match
// general.config.filename without ".cfg", or Firefox quits at startup (a
// finding added to config.problems; nsReadConfig.cpp, readConfigFile).
void check_autoconfig_vendor(FirefoxConfig& config);

// `app_name`: "firefox" or "firefox-esr"; `install_dir`: "" when unknown.
FirefoxConfig load_firefox_config(const RootFs& fs, const std::string& app_name, const std::string& install_dir);
std::vector<Finding> judge_firefox_config(const FirefoxConfig& config, const std::vector<std::string>& origins);

}  // namespace clinic_audit::browser
