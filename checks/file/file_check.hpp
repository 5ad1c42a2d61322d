// The `file` check type: existence and type, owner and group by name, mode
// bits, access for a given user, and "only root can replace it".
//
// Parameters (all optional but `path`):
//   path                 absolute path inside the audited root (symlinks followed)
//   exists               true (default): must exist; false: must not exist
//   type                 file | directory | any (default any)
//   owner, group         required owner / group names (resolved through the root's /etc/passwd, /etc/group)
//   required_bits        octal mode bits that must all be set (e.g. 0100)
//   forbidden_bits       octal mode bits that must all be clear (e.g. 0022)
//   readable_by, writable_by, executable_by   user names (repeatable): the
//                        kernel's decision for that user, directories crossed included
//   root_only_writable   true: no component of the path writable by anyone but root
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType file_check_type();

}  // namespace clinic_audit
