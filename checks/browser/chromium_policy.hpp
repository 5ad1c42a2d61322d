// Chromium-family enterprise policies on Linux: JSON files in
// <dir>/managed (mandatory) and <dir>/recommended, per browser
// (policy_templates: "Linux: /etc/opt/chrome/policies", Debian's chromium:
// /etc/chromium/policies). Semantics checked against Debian's chromium
// (tests/browser_oracle_test.cpp):
//  - every regular file of the directory is read, whatever its name (".a.json"
//    and "a.txt" too), in byte order of names; on a key in several files the
//    last file wins (config_dir_policy_loader.cc merges them in reverse order
//    with MergeFrom keeping existing keys);
//  - a file that does not parse (Chromium dialect, lenient_json.hpp) or whose
//    top level is not an object is ignored whole;
//  - a value of the wrong type is ignored (a string "2" or 2.0 for an integer policy);
//  - a mandatory value beats a recommended one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/root_fs.hpp"
#include "findings.hpp"
#include "lenient_json.hpp"

namespace clinic_audit::browser {

struct PolicyValue {
  JsonValue value;
  std::string file;
  int line = 0;
  bool mandatory = true;
};

struct ChromiumPolicies {
  std::map<std::string, PolicyValue> values;  // effective value per policy name
  std::vector<Finding> problems;              // ignored files, unreadable directories
  bool unreadable = false;                    // a file could not be read: the verdict is `error`
  std::string last_managed_name;              // the greatest entry name of <dir>/managed ("" when none)
};

// Every policy of the Chromium policy list (chromeenterprise.google/policies)
// that concerns capture or WebRTC, and whether the check judges it. The
// oracle test BrowserChromiumOracle.EveryCapturePolicyOfTheBinaryIsKnown
// holds this list against the policy names compiled into Debian's chromium:
// a capture or WebRTC policy added upstream fails it until it is judged here
// or said not to block.
struct CapturePolicy {
  const char* name;
  const char* not_judged_because;  // nullptr: judged by judge_chromium_policies()
};
const std::vector<CapturePolicy>& capture_policies();

// Policy directory of a Chromium-based product id; "" when it reads none on Linux.
// `source` matters for Chromium: the snap reads /etc/chromium-browser/policies.
std::string chromium_policy_dir(const std::string& product_id, const std::string& source = "deb");

// /etc/opt/vivaldi/policies when it holds a managed/ or recommended/ entry:
// a directory some tools write but no Vivaldi source reads (see
// chromium_policy_dir), reported as not evaluated; nullopt otherwise. An
// unreadable directory is said as such (its content is not evaluated anyway).
std::optional<Evidence> vivaldi_unread_directory(const RootFs& fs);

// Loads <dir>/managed and <dir>/recommended of the root.
ChromiumPolicies load_chromium_policies(const RootFs& fs, const std::string& dir);

// Is JavaScript blocked for `origin` by JavaScriptBlockedForUrls (an allow
// exception wins only when more specific: pattern_specificity)?
bool javascript_blocked_for(const ChromiumPolicies& policies, const std::string& origin);

// What the effective policies do to a consultation served from `origins`.
std::vector<Finding> judge_chromium_policies(const ChromiumPolicies& policies, const std::vector<std::string>& origins);

}  // namespace clinic_audit::browser
