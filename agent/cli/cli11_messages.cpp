#include "cli11_messages.hpp"

#include <regex>
#include <vector>

#include "i18n.hpp"

namespace clinic_audit {
namespace {

// One CLI11 message shape: the English regular expression (anchored) and
// the catalog format that rebuilds it, {0}... being the captured groups.
struct Shape {
  std::regex pattern;
  const char* format;
};

const std::vector<Shape>& shapes() {
  // CLI11 2.1 Error.hpp / Validators.hpp wordings, most specific first.
  static const std::vector<Shape> table = [] {
    const auto re = [](const char* pattern) { return std::regex(pattern, std::regex::ECMAScript); };
    return std::vector<Shape>{
        {re("^The following argument was not expected: (.*)$"), N_("unexpected argument: {0}")},
        {re("^The following arguments were not expected: (.*)$"), N_("unexpected arguments: {0}")},
        // CLI::PositiveNumber: a range up to DBL_MAX, printed in full.
        {re("^(.+): Value (.*) not in range [0-9.]+ to [0-9]{30,}\\.[0-9]+$"), N_("{0}: {1} is not a positive number")},
        {re("^(.+): Value (.*) not in range (.*) to (.*)$"), N_("{0}: {1} is not between {2} and {3}")},
        {re("^(.+): (.*) not in (\\{.*\\})$"), N_("{0}: {1} is not one of {2}")},
        {re("^(.+): Directory does not exist: (.*)$"), N_("{0}: directory {1} does not exist")},
        {re("^(.+): Directory is actually a file: (.*)$"), N_("{0}: {1} is a file, not a directory")},
        {re("^(.+): File does not exist: (.*)$"), N_("{0}: file {1} does not exist")},
        {re("^(.+): File is actually a directory: (.*)$"), N_("{0}: {1} is a directory, not a file")},
        {re("^(.+): Path does not exist: (.*)$"), N_("{0}: {1} does not exist")},
        {re("^(.+): Failed parsing (.*) as a (.*)$"), N_("{0}: {1} is not a valid {2}")},
        {re("^(.+): Value (.*) could not be converted.*$"), N_("{0}: {1} is not a valid value")},
        {re("^Could not convert: (.+) = (.*)$"), N_("{0}: {1} is not a valid value")},
        {re("^The value (.*) is not an allowed value for (.+)$"), N_("{1}: {0} is not an allowed value")},
        {re("^(.+): ([0-9]+) required (.*) missing$"), N_("{0} needs a value ({2})")},
        {re("^(.+): At least ([0-9]+) required but received ([0-9]+)$"),
         N_("{0}: at least {1} values needed, {2} given")},
        {re("^(.+): At Most ([0-9]+) required but received ([0-9]+)$"),
         N_("{0}: at most {1} values allowed, {2} given")},
        {re("^Expected exactly ([0-9]+) arguments to (.+), got ([0-9]+)$"),
         N_("{1}: exactly {0} values needed, {2} given")},
        {re("^Expected at least ([0-9]+) arguments to (.+), got ([0-9]+)$"),
         N_("{1}: at least {0} values needed, {2} given")},
        {re("^(.+): too many inputs for a flag$"), N_("{0} takes no value")},
        {re("^(.+): Should be true/false or a number$"), N_("{0}: true, false or a number expected")},
        {re("^(.+) was given a disallowed flag override$"), N_("{0} was given a value it does not accept")},
        {re("^A subcommand is required$"), N_("a subcommand is required")},
        {re("^Requires at least ([0-9]+) subcommands?$"), N_("a subcommand is required")},
        {re("^(.+) is required$"), N_("{0} is required")},
        {re("^(.+) requires (.+)$"), N_("{0} requires {1}")},
        {re("^(.+) excludes (.+)$"), N_("{0} excludes {1}")},
        {re("^(.+) not found$"), N_("{0} not found")},
    };
  }();
  return table;
}

}  // namespace

std::string translate_cli11_message(const std::string& message) {
  if (i18n::language() == i18n::Language::en) return message;
  for (const Shape& shape : shapes()) {
    std::smatch m;
    if (!std::regex_match(message, m, shape.pattern)) continue;
    std::vector<std::string> parts;
    for (std::size_t i = 1; i < m.size(); ++i) parts.push_back(m[i].str());
    while (parts.size() < 4) parts.emplace_back();
    return i18n::format_translated(shape.format, i18n::translate(shape.format), parts[0], parts[1], parts[2], parts[3]);
  }
  return message;
}

}  // namespace clinic_audit
