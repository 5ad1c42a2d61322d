// The `sudoers` check type: what sudo itself would let a user run, read from
// the audited root's sudoers tree (includes, aliases, negations, last match
// wins), against the grants a policy requires and the ones it forbids.
//
// Parameters:
//   user            the invoking user (e.g. www-data), from the root's /etc/passwd
//   require         repeatable: "PATH [ARGS]" the user must be able to run as
//                   `runas` (without password when `nopasswd`); without ARGS,
//                   with any arguments
//   runas           default root
//   nopasswd        default true
//   allow           repeatable: further command lines that are not "broader"
//   forbid_broader  default false: fail on any grant to `user` beyond require/allow,
//                   on ALL, shells/interpreters, globs, directories, regexes,
//                   sudoedit, SETENV, and commands writable by anyone but root
//   file_modes      default = forbid_broader: sudoers files must be root-owned, mode 0440 or stricter
//   optional_alias, optional_command   a Cmnd_Alias the policy recognises and
//                   reports as info (e.g. RESTART_APICRYPT), and its expected command
//   sudoers         default /etc/sudoers
//   hostname        default: the root's /etc/hostname
//   fix_file        file named in the remediation (default /etc/sudoers.d/clinic-audit;
//                   no '.' in the name, or sudo's @includedir skips it)
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType sudoers_check_type();

}  // namespace clinic_audit
