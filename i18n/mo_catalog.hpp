// A reader for GNU gettext's binary catalogs (.mo), so that the agent picks
// its language itself instead of depending on setlocale(3) succeeding: a
// clinic machine often has no fr_FR.UTF-8 locale generated, and glibc's
// gettext(3) then ignores LANGUAGE and answers in English.
//
// Format: GNU gettext manual, "The Format of GNU MO Files" (magic
// 0x950412de in the file's byte order, revision 0 or 1, N, offset of the
// original strings table, offset of the translations table; each table
// entry a (length, offset) pair of 32-bit words; every string NUL-terminated).
// The hash table is not needed: the strings go into a map.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace clinic_audit::i18n {

class MoCatalog {
 public:
  // Parses the bytes of a .mo file. nullopt (with `why` set) when the file
  // is not a well-formed catalog: every offset and length is checked
  // against the file's size, a string must end with its NUL.
  static std::optional<MoCatalog> parse(std::string bytes, std::string* why = nullptr);

  // The translation of `msgid` ("" = none). For a plural entry, `msgid` is
  // the singular and the answer the form number `form` (0-based) when the
  // catalog has it.
  std::string_view find(std::string_view msgid, unsigned form = 0) const;
  std::size_t size() const { return entries_.size(); }

  MoCatalog(MoCatalog&&) noexcept;
  MoCatalog& operator=(MoCatalog&&) noexcept;
  MoCatalog(const MoCatalog&) = delete;
  MoCatalog& operator=(const MoCatalog&) = delete;
  ~MoCatalog();

 private:
  MoCatalog() = default;
  std::string bytes_;
  // Views into bytes_: singular msgid -> msgstr (plural forms separated by NUL).
  std::unordered_map<std::string_view, std::string_view> entries_;
};

}  // namespace clinic_audit::i18n
