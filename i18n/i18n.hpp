// The agent's languages (DESIGN.md §10, issue #18): English is the source
// language of every message, French comes from the gettext catalog
// po/fr.po, compiled to LOCALEDIR/fr/LC_MESSAGES/clinic-audit.mo.
//
// Usage, the GNU convention (xgettext keywords in po/CMakeLists.txt):
//   _("Audit this machine")            translated now
//   N_("PASS")                         marked for extraction, translated later with _()
//   tr("{0} checks, {1} failed", a, b) translated, then formatted with fmt:
//                                      positional arguments, so a translation
//                                      may reorder them
//   trn("{0} check", "{0} checks", n, n)  with a plural (English n != 1, French n > 1)
//
// The catalog is read by MoCatalog, not by gettext(3): the choice must not
// depend on a fr_FR locale being generated (setlocale failing leaves glibc
// in the C locale, where gettext ignores LANGUAGE).
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::i18n {

enum class Language { en, fr };

// "en" | "fr": the value reports record as `lang`.
std::string_view code(Language language);

// A language name as --lang, <language> or a locale variable gives it:
// "fr", "fr_FR", "fr_FR.UTF-8", "fr_BE@euro", "french"... -> fr;
// "en", "en_US.UTF-8", "C", "POSIX", "C.UTF-8" -> en; anything else nullopt.
std::optional<Language> parse_language(std::string_view name);

// The language the environment asks for, with POSIX precedence: LC_ALL,
// then LC_MESSAGES, then LANG (the first one set and not empty); when that
// names a locale other than C/POSIX, GNU's LANGUAGE list (first entry we
// speak) wins as it does for gettext(3). English when nothing says French.
Language language_from_environment();

// Where the catalogs are: $CLINIC_AUDIT_LOCALEDIR when set (tests), the
// build tree's locale directory for a binary run from the build tree, else
// the installed /usr/share/locale.
std::filesystem::path locale_directory();

// Makes `language` the language of every later message of the process.
// French needs its catalog: when it cannot be read the messages stay in
// English and the reason is returned (for a warning); nullopt on success.
// Called once at start-up before threads are started (tests may switch).
std::optional<std::string> set_language(Language language);
Language language();

// Who chose: the command line (--lang) beats the site configuration
// (<language> in agent.conf), which beats the environment (LANG...).
// choose_language() applies `language` unless a stronger source already
// chose; it returns what set_language() returns.
enum class Source { environment = 0, site_configuration = 1, command_line = 2 };
std::optional<std::string> choose_language(Language language, Source source);

// The translation of `msgid` in the current language, or `msgid` itself.
// The pointer stays valid for the life of the process.
const char* translate(const char* msgid);
const char* translate_plural(const char* singular, const char* plural, unsigned long n);
// The translation of `msgid` in `context` (a po msgctxt; marked NC_(context,
// msgid)), or `msgid` itself.
const char* translate_in_context(std::string_view context, const char* msgid);

// fmt::format over a translated format string. A translation whose format
// fmt refuses (a broken catalog) falls back to the English format.
template <typename... Args>
std::string format_translated(const char* msgid, const char* translated, const Args&... args) {
  try {
    return fmt::format(fmt::runtime(translated), args...);
  } catch (const fmt::format_error&) {
    return fmt::format(fmt::runtime(msgid), args...);
  }
}

}  // namespace clinic_audit::i18n

namespace clinic_audit {

template <typename... Args>
std::string tr(const char* msgid, const Args&... args) {
  return i18n::format_translated(msgid, i18n::translate(msgid), args...);
}

template <typename... Args>
std::string trn(const char* singular, const char* plural, unsigned long n, const Args&... args) {
  return i18n::format_translated(n == 1 ? singular : plural, i18n::translate_plural(singular, plural, n), args...);
}

}  // namespace clinic_audit

#ifndef _
#define _(msgid) ::clinic_audit::i18n::translate(msgid)
#endif
#ifndef N_
#define N_(msgid) msgid
#endif
