#include "visudo_messages.hpp"

#include <optional>
#include <vector>

#include "errno_messages.hpp"
#include "i18n.hpp"

namespace clinic_audit::sudoers {
namespace {

struct Message {
  const char* context;
  const char* english;  // the parser's wording, {N} for what varies
  // The placeholder sudo fills with strerror(3), translated as sudo's
  // catalog does; -1: none. Every other value is the audited file's text
  // and stays as written, even when it reads as an errno message
  // (`Defaults lecture="No such file or directory"`: visudo keeps it).
  int errno_value = -1;
};

// The msgids of sudo 1.9.13 (plugins/sudoers/gram.y, toke.l, defaults.c,
// sudoers.c, visudo.c) as our parser words them, "%s" written {N}. Context
// "visudo": the French is the one sudo's fr catalog gives, checked against
// the real visudo by tests/integration/french_visudo_test.cpp. Context
// "sudoers": our own wording of why sudo refuses a file.
constexpr Message kMessages[] = {
    {"visudo", NC_("visudo", "syntax error")},
    {"visudo", NC_("visudo", "syntax error, reserved word {0} used as an alias name")},
    // TRANSLATORS: visudo prints this one in English under a French locale
    // (gram.y does not mark it for translation): keep the English.
    {"visudo", NC_("visudo", "expected a fully-qualified path name")},
    // TRANSLATORS: visudo prints this one in English under a French locale
    // (gram.y does not mark it for translation): keep the English.
    {"visudo", NC_("visudo", "digest specified for non-command")},
    {"visudo", NC_("visudo", "unknown defaults entry \"{0}\"")},
    {"visudo", NC_("visudo", "Alias \"{0}\" already defined")},
    {"visudo", NC_("visudo", "invalid line continuation")},
    {"visudo", NC_("visudo", "empty string")},
    {"visudo", NC_("visudo", "empty group")},
    {"visudo", NC_("visudo", "empty netgroup")},
    {"visudo", NC_("visudo", "unterminated regular expression")},
    {"visudo", NC_("visudo", "invalid regular expression")},
    {"visudo", NC_("visudo", "sudoedit should not be specified with a path")},
    {"visudo", NC_("visudo", "invalid IPv6 address")},
    {"visudo", NC_("visudo", "unexpected line break in string")},
    {"visudo", NC_("visudo", "values for \"{0}\" must start with a '/', '~', or '*'")},
    {"visudo", NC_("visudo", "values for \"{0}\" must start with a '/'")},
    {"visudo", NC_("visudo", "value \"{0}\" is invalid for option \"{1}\"")},
    {"visudo", NC_("visudo", "no value specified for \"{0}\"")},
    {"visudo", NC_("visudo", "invalid operator \"{0}=\" for \"{1}\"")},
    {"visudo", NC_("visudo", "option \"{0}\" does not take a value")},
    {"visudo", NC_("visudo", "{0}: too many levels of includes")},
    {"visudo", NC_("visudo", "unable to open {0}: {1}"), 1},
    {"sudoers", NC_("sudoers", "{0} (owner uid {1}, gid {2}, mode {3}) is not a directory")},
    {"sudoers", NC_("sudoers", "{0} (owner uid {1}, gid {2}, mode {3}) is not a regular file")},
    {"sudoers", NC_("sudoers", "{0} (owner uid {1}, gid {2}, mode {3}) is owned by uid {4}, sudo requires 0")},
    {"sudoers", NC_("sudoers", "{0} (owner uid {1}, gid {2}, mode {3}) is world writable")},
    {"sudoers",
     NC_("sudoers", "{0} (owner uid {1}, gid {2}, mode {3}) is group writable with gid {4}, sudo requires 0")},
    {"sudoers", NC_("sudoers", "empty include path")},
};

// The pattern's literal pieces, between its {N} placeholders (numbered in
// order of appearance in every English pattern above).
std::vector<std::string_view> literal_pieces(std::string_view pattern) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (std::size_t at = pattern.find('{'); at != std::string_view::npos; at = pattern.find('{', start)) {
    const std::size_t close = pattern.find('}', at);
    if (close == std::string_view::npos) break;
    pieces.push_back(pattern.substr(start, at - start));
    start = close + 1;
  }
  pieces.push_back(pattern.substr(start));
  return pieces;
}

// The values of the placeholders when `text` is `pattern` filled in.
std::optional<std::vector<std::string>> match(std::string_view pattern, std::string_view text) {
  const auto pieces = literal_pieces(pattern);
  if (pieces.size() == 1) {
    if (text == pattern) return std::vector<std::string>{};
    return std::nullopt;
  }
  if (!text.starts_with(pieces.front()) || !text.ends_with(pieces.back())) return std::nullopt;
  if (text.size() < pieces.front().size() + pieces.back().size()) return std::nullopt;
  std::vector<std::string> values;
  std::size_t pos = pieces.front().size();
  const std::size_t end = text.size() - pieces.back().size();
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    const std::size_t at = text.find(pieces[i], pos);
    if (at == std::string_view::npos || at + pieces[i].size() > end) return std::nullopt;
    values.emplace_back(text.substr(pos, at - pos));
    pos = at + pieces[i].size();
  }
  values.emplace_back(text.substr(pos, end - pos));
  return values;
}

// The strerror(3) text sudo appended, in the current language.
std::string value_text(const std::string& value) {
  for (const auto& known : i18n::errno_messages()) {
    if (value == known.english) return i18n::translate_in_context("errno", known.english);
  }
  return value;
}

std::string fill(std::string_view format, const std::vector<std::string>& values, int errno_value) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '{') {
      const std::size_t close = format.find('}', i);
      if (close != std::string_view::npos && close > i + 1) {
        std::size_t n = 0;
        bool digits = true;
        for (std::size_t j = i + 1; j < close; ++j) {
          if (format[j] < '0' || format[j] > '9') digits = false;
          else n = n * 10 + static_cast<std::size_t>(format[j] - '0');
        }
        if (digits && n < values.size()) {
          out += static_cast<int>(n) == errno_value ? value_text(values[n]) : values[n];
          i = close;
          continue;
        }
      }
    }
    out += format[i];
  }
  return out;
}

}  // namespace

std::string visudo_message_text(std::string_view english) {
  if (i18n::language() == i18n::Language::en) return std::string(english);
  for (const Message& message : kMessages) {
    if (const auto values = match(message.english, english)) {
      return fill(i18n::translate_in_context(message.context, message.english), *values, message.errno_value);
    }
  }
  return std::string(english);
}

std::string visudo_describe(const SyntaxError& error) {
  if (i18n::language() == i18n::Language::en) return error.describe();
  SyntaxError translated = error;
  translated.message = visudo_message_text(error.message);
  return translated.describe();
}

}  // namespace clinic_audit::sudoers
