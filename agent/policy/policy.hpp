// A loaded policy (policies/policy.xsd), before variables are resolved.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace clinic_audit {

struct VariableDiscovery {
  std::string method;  // apache-setenv | first-existing
  std::string name;    // apache-setenv: the SetEnv variable name
  std::string paths;   // first-existing: space-separated candidate paths
};

struct VariableDecl {
  std::string name;
  std::string default_value;  // may reference other variables
  std::string description;
  std::vector<VariableDiscovery> discover;
  int line = 0;
};

// A <list> of a policy: fixed words a `foreach` repeats a check or a
// parameter over. Not overridable by the site configuration: the check ids
// it produces must be the same on every machine (waivers, the collector).
struct ListDecl {
  std::string name;
  std::vector<std::string> items;
  int line = 0;
};

struct Reference {
  std::string seed;
  std::string section;
};

struct Condition {
  std::string variable;
  std::string equals;
  int line = 0;
};

struct RawParam {
  std::string name;
  std::string value;  // unexpanded: may contain ${variable}
  int line = 0;
};

// One <command> of a policy remediation: a POSIX sh command line a root
// technician pastes, with ${variables} that are inserted shell-quoted.
struct RemediationCommand {
  std::string text;  // unexpanded
  int line = 0;
};

struct CheckDecl {
  std::string id;
  std::string type;
  Severity severity = Severity::info;
  int timeout_seconds = 30;
  std::string title;
  std::string rationale;
  std::string remediation;                               // the note (prose), unexpanded
  std::vector<RemediationCommand> remediation_commands;  // <command> children, in order
  std::vector<Reference> references;
  std::vector<Condition> conditions;
  std::vector<RawParam> params;
  int line = 0;
};

struct Policy {
  std::string id;
  std::string version;
  std::string title;
  std::string description;
  std::filesystem::path file;
  std::string sha256;  // of the file's bytes, as reported
  std::vector<VariableDecl> variables;
  std::vector<ListDecl> lists;
  // Policy-level <applies-if>: every check of the policy reports
  // not_applicable unless they all hold (checked before the check's own).
  std::vector<Condition> conditions;
  std::vector<CheckDecl> checks;  // foreach already expanded, in document order
};

}  // namespace clinic_audit
