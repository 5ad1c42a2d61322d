// Renders parsed sudoers elements back to sudoers(5) text for evidence:
// a technician reads "www-data ALL=(ALL) NOPASSWD: /bin/sh", not a structure.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sudoers_ast.hpp"
#include "sudoers_eval.hpp"

namespace clinic_audit::sudoers {

std::string render_member(const Member& m);
std::string render_list(std::span<const Member> list);
std::string render_runas(const CommandSpec& cs);  // "(ALL)", "(root:wheel)", "" when none
std::string render_tags(const Tags& tags);        // "NOPASSWD: SETENV: ", only the tags set
// "www-data ALL=(ALL) NOPASSWD: /bin/sh" (via Cmnd_Alias X when expanded).
std::string render_grant(const LeafCommand& leaf);

}  // namespace clinic_audit::sudoers
