// A Perl or PCRE regular expression rewritten as the POSIX extended one
// (glibc regcomp, REG_EXTENDED) that matches the same strings, for the
// sender patterns of amavisd-new (new_RE, qr'...': perlre(1)) and rspamd
// (multimap regexp maps, settings `from`: PCRE2, pcre2pattern(3)). Only
// whether a pattern matches a one-line address is asked, never what it
// captured, so laziness can be dropped and groups need no numbering.
//
// glibc reads an escape it does not know as the letter itself: `\d` is
// `d`, `\x2d` is `x2d`, `\t` is `t`, and inside brackets `\` is an ordinary
// character. Handed over as they are, Debian's own amavis default
// `^(inkjetplanet|marketopt|MakeMoney)\d*@` would never match
// "makemoney2@...". So the Perl escapes (classes \d \w \s and their
// negations, \t \n \r \f \e \a, \xHH, \x{HH}, \0oo, escaped punctuation,
// \A \z \Z), escapes inside brackets, (?:...), named groups, (?#...) and
// lazy quantifiers are translated; what POSIX cannot say (look-around,
// possessive quantifiers, inline flags, \p{...}, \Q...\E, back-references,
// a quantifier on an assertion, characters beyond ASCII given by number)
// makes the pattern untranslatable, with the reason: the caller reports
// it, never taking it for "no match". perl_regex_test.cpp compares the
// translation with Perl's own answers on generated patterns.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::antispam {

// The capture groups of a translated pattern as Perl numbers them (named
// ones included), for a caller that checks a result's $N against them
// (pcre_table(5)). The translation numbers its groups otherwise ((?:...)
// becomes a plain group) and POSIX captures the longest match, not Perl's.
struct PerlGroups {
  std::size_t capturing = 0;
};

// The POSIX extended pattern, or nullopt and `why` (English, for the
// check's notes) when the pattern uses what POSIX cannot express. `groups`,
// when given, receives the pattern's groups (meaningful with a result).
std::optional<std::string> perl_to_posix_ere(std::string_view perl, std::string& why, PerlGroups* groups = nullptr);

}  // namespace clinic_audit::antispam
