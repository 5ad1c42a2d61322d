// amavisd-new configuration files are Perl. This reads the small data subset
// that lookup tables are written in (amavisd-new README.lookups): scalar,
// list and hash assignments whose right-hand side is built from strings,
// numbers, qw(), qr'', (), [], {}, \%refs, and calls such as read_hash(),
// read_array() and new_RE(). Anything else becomes an opaque node, never an
// error: a Perl file may hold code this parser does not need to understand.
// Pure; nesting is capped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace clinic_audit::antispam {

struct PerlNode {
  enum class Kind {
    string,  // '...', "...", q(), barewords before =>
    number,
    list,       // ( ... ) and qw( ... )
    hash_ref,   // { k => v, ... } (children alternate key, value)
    array_ref,  // [ ... ]
    ref,        // \%name, \@name, \$name (text holds "%name")
    variable,   // @name, %name, $name
    call,       // name( args ): children are the arguments
    regexp,     // qr'...'flags: text is the pattern, flags in `flags`
    opaque,     // anything else
  };
  Kind kind = Kind::opaque;
  std::string text;
  std::string flags;
  int line = 0;
  std::vector<PerlNode> children;
};

struct PerlStatement {
  enum class Kind { assignment, call, other };
  Kind kind = Kind::other;
  std::string target;  // assignment: "@whitelist_sender_maps"; call: function name
  PerlNode value;      // assignment: right-hand side; call: the argument list
  int line = 0;
};

std::vector<PerlStatement> parse_perl_config(std::string_view text);

// Perl truth: undef, "", "0" and 0 are false.
bool perl_true(const PerlNode& node);

}  // namespace clinic_audit::antispam
