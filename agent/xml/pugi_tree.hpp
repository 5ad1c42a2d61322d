// The element tree (xml_tree.hpp) read with pugixml: the agent's default
// path, for bytes whose validity is already known (shipped policies
// validated by the build, an agent.conf within the strict subset that
// config/agent_config_fast.hpp proves valid). pugixml is not a validating
// parser and accepts some documents libxml2 refuses, so nothing reaches it
// that has not been vouched for otherwise.
#pragma once

#include <stdexcept>
#include <string_view>

#include "xml_tree.hpp"

namespace clinic_audit::xml {

// pugixml refused the bytes, or an element uses an undeclared prefix.
class XmlSyntaxError : public std::runtime_error {
 public:
  XmlSyntaxError(int line, const std::string& message) : std::runtime_error(message), line_(line) {}
  int line() const { return line_; }

 private:
  int line_;
};

// The document element of `content`. Throws XmlSyntaxError (line counted
// from pugixml's byte offset) when pugixml refuses it or when it has not
// exactly one element at the top.
XmlElement tree_from_pugixml(std::string_view content);

// 1 + the number of '\n' in content[0, offset) (offset clamped to the size).
int line_at(std::string_view content, std::size_t offset);

}  // namespace clinic_audit::xml
