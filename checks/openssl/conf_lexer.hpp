// A faithful re-implementation of how OpenSSL 3.0's NCONF reader
// (crypto/conf/conf_def.c, def_load_bio) cuts a configuration file into
// logical lines and recognises its directives, config(5).
//
// Why re-implement anything: OpenSSL's own `.include` handling opens host
// paths (stat/fopen), which would read outside `--root`. We therefore feed
// NCONF a text in which every `.include` has already been replaced by the
// included files read through RootFs. To do that we must recognise exactly the
// lines NCONF treats as directives -- no more, no less -- so this lexer copies
// its rules: 510-byte reads, trailing CR/LF stripping, backslash continuation,
// comments outside quotes, the character classes of conf_def.h and the
// `.pragma dollarid` that changes them. Variable expansion is left to NCONF.
//
// Pure: text in, lines out; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace clinic_audit::openssl {

// One logical line: physical lines joined by backslash continuation, with the
// line terminators and continuation backslashes removed, as NCONF sees it.
struct LogicalLine {
  std::string text;
  int first_line = 0;  // 1-based physical line where it starts
};

// Reads one file the way def_load_bio reads a BIO. Logical lines never span
// files in OpenSSL: a continuation pending at end of file just ends there.
class LineReader {
 public:
  // `strip_bom`: only the first read of the top-level file drops a UTF-8 BOM.
  LineReader(std::string_view text, bool strip_bom);
  std::optional<LogicalLine> next();

 private:
  std::string_view chunk();  // one BIO_gets(in, p, 511): at most 510 bytes, up to '\n'
  std::string_view text_;
  std::size_t pos_ = 0;
  bool first_call_;
  int physical_line_ = 0;
};

// The bytes that make NCONF read `logical` back as one identical logical
// line ("text\n"), or nullopt when no such line exists -- e.g. a line that
// ends in a carriage return joined by a continuation, which a fresh read
// would strip. Callers refuse such input rather than parse it differently.
std::optional<std::string> reemit(std::string_view logical);

// Parser state that changes how later lines are lexed (config(5) ".pragma").
struct PragmaState {
  bool dollarid = false;
  bool abspath = false;
  std::optional<std::string> includedir;
};

enum class LineKind {
  blank,       // empty or comment only
  section,     // [ name ]
  assignment,  // name = value, or section::name = value
  include,     // .include [=] path
  pragma,      // .pragma [=] key:value
  error,       // NCONF would stop loading here
};

struct ClassifiedLine {
  LineKind kind = LineKind::blank;
  std::string section;  // raw section name (section lines), or "x" of "x::name"
  bool explicit_section = false;
  std::string name;   // raw name (assignments)
  std::string rest;   // include: path text after the directive, comments removed, untrimmed
                      // assignment: raw value text (comments removed, untrimmed)
  std::string error;  // why NCONF rejects the line (kind == error)
};

// Classifies one logical line and applies a valid `.pragma` to `state`.
ClassifiedLine classify(std::string_view line, PragmaState& state);

// True when a name would be reported back by NCONF exactly as written, i.e.
// it holds no character that str_copy() would transform ($, quotes, escapes).
bool is_literal(std::string_view raw);

}  // namespace clinic_audit::openssl
