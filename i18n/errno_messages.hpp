// The errno values glibc names, with their English text (the source
// language, glibc's strerrordesc_np(3) wording) marked for the catalog with
// the context "errno" (a msgid such as "Bad message" must not share the
// translation of an unrelated message of ours).
#pragma once

#include <span>

#ifndef NC_
// NC_(context, msgid): marked for extraction with a context (xgettext
// --keyword=NC_:1c,2), translated later with translate_in_context().
#define NC_(context, msgid) msgid
#endif

namespace clinic_audit::i18n {

struct ErrnoMessage {
  int value;
  const char* name;     // "ENOENT" (strerrorname_np(3))
  const char* english;  // "No such file or directory" (strerrordesc_np(3))
};

std::span<const ErrnoMessage> errno_messages();
// nullptr for a value glibc does not name ("Unknown error 41").
const ErrnoMessage* find_errno_message(int value);

}  // namespace clinic_audit::i18n
