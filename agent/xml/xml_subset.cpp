#include "xml_subset.hpp"

#include <string>
#include <vector>

namespace clinic_audit::xml {
namespace {

constexpr std::size_t kMaxSubsetBytes = 1024 * 1024;
constexpr std::size_t kMaxSubsetDepth = 32;

// Valid UTF-8 (RFC 3629: shortest form, no surrogates, at most U+10FFFF)
// whose code points are XML Chars: #x9 | #xA | #xD | [#x20-#xD7FF] |
// [#xE000-#xFFFD] | [#x10000-#x10FFFF] (XML 1.0 §2.2).
bool utf8_xml_chars(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) {
      if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) return false;
      ++p;
      continue;
    }
    int length = 0;
    unsigned code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    if ((length == 3 && code < 0x800) || (length == 4 && (code < 0x10000 || code > 0x10FFFF))) return false;
    if ((code >= 0xD800 && code <= 0xDFFF) || code == 0xFFFE || code == 0xFFFF) return false;
    p += length;
  }
  return true;
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  bool document() {
    if (s_.starts_with("\xEF\xBB\xBF")) at_ = 3;
    if (s_.substr(at_).starts_with("<?xml") && !declaration()) return false;
    misc();
    if (!element()) return false;
    misc();
    return at_ == s_.size();
  }

 private:
  bool eat(std::string_view word) {
    if (!s_.substr(at_).starts_with(word)) return false;
    at_ += word.size();
    return true;
  }
  static bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
  bool spaces() {
    const std::size_t start = at_;
    while (at_ < s_.size() && space(s_[at_])) ++at_;
    return at_ > start;
  }
  bool equals() {
    spaces();
    if (!eat("=")) return false;
    spaces();
    return true;
  }
  // A quoted literal; its text (quotes excluded) in `value`.
  bool literal(std::string_view& value) {
    if (at_ >= s_.size() || (s_[at_] != '"' && s_[at_] != '\'')) return false;
    const char quote = s_[at_];
    const auto close = s_.find(quote, at_ + 1);
    if (close == std::string_view::npos) return false;
    value = s_.substr(at_ + 1, close - at_ - 1);
    at_ = close + 1;
    return true;
  }

  bool declaration() {
    at_ += 5;  // "<?xml"
    std::string_view value;
    if (!spaces() || !eat("version") || !equals() || !literal(value) || value != "1.0") return false;
    const std::size_t before = at_;
    if (spaces() && eat("encoding")) {
      if (!equals() || !literal(value) || value.size() != 5) return false;
      std::string lower(value);
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (lower != "utf-8") return false;
    } else {
      at_ = before;
    }
    spaces();
    return eat("?>");
  }

  bool comment() {
    at_ += 4;  // "<!--"
    const auto close = s_.find("--", at_);
    if (close == std::string_view::npos || !s_.substr(close).starts_with("-->")) return false;
    at_ = close + 3;
    return true;
  }

  void misc() {
    for (;;) {
      spaces();
      if (!s_.substr(at_).starts_with("<!--")) return;
      const std::size_t before = at_;
      if (!comment()) {
        at_ = before;  // left for element() / the end check to refuse
        return;
      }
    }
  }

  bool name(std::string_view& out) {
    const std::size_t start = at_;
    auto first = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    auto rest = [&](char c) { return first(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; };
    if (at_ >= s_.size() || !first(s_[at_])) return false;
    ++at_;
    while (at_ < s_.size() && rest(s_[at_])) ++at_;
    out = s_.substr(start, at_ - start);
    return true;
  }

  bool reference() {
    for (std::string_view entity : {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"}) {
      if (eat(entity)) return true;
    }
    return false;
  }

  bool attribute_value() {
    if (at_ >= s_.size() || (s_[at_] != '"' && s_[at_] != '\'')) return false;
    const char quote = s_[at_++];
    while (at_ < s_.size() && s_[at_] != quote) {
      if (s_[at_] == '<') return false;
      if (s_[at_] == '&') {
        if (!reference()) return false;
        continue;
      }
      ++at_;
    }
    if (at_ >= s_.size()) return false;
    ++at_;
    return true;
  }

  // Iterative (an explicit stack of open names), so that deep nesting
  // cannot exhaust the call stack.
  bool element() {
    std::vector<std::string_view> open;
    if (!start_tag(open)) return false;
    while (!open.empty()) {
      // Character data up to the next markup.
      while (at_ < s_.size() && s_[at_] != '<') {
        if (s_[at_] == '&') {
          if (!reference()) return false;
          continue;
        }
        if (s_[at_] == ']' && s_.substr(at_).starts_with("]]>")) return false;
        ++at_;
      }
      if (at_ >= s_.size()) return false;
      if (s_.substr(at_).starts_with("<!--")) {
        if (!comment()) return false;
      } else if (s_.substr(at_).starts_with("</")) {
        at_ += 2;
        std::string_view closing;
        if (!name(closing) || closing != open.back()) return false;
        spaces();
        if (!eat(">")) return false;
        open.pop_back();
      } else if (!start_tag(open)) {
        return false;
      }
    }
    return true;
  }

  // '<' Name attributes ('/>' | '>'); pushes the name when the element stays open.
  bool start_tag(std::vector<std::string_view>& open) {
    if (!eat("<")) return false;
    std::string_view tag;
    if (!name(tag)) return false;
    std::vector<std::string_view> seen;
    for (;;) {
      const bool had_space = spaces();
      if (eat("/>")) return true;
      if (eat(">")) {
        open.push_back(tag);
        // pugi_tree.cpp builds the tree recursively: deep documents go to libxml2.
        return open.size() <= kMaxSubsetDepth;
      }
      std::string_view attribute;
      if (!had_space || !name(attribute)) return false;
      for (std::string_view other : seen) {
        if (other == attribute) return false;
      }
      seen.push_back(attribute);
      if (!equals() || !attribute_value()) return false;
    }
  }

  std::string_view s_;
  std::size_t at_ = 0;
};

}  // namespace

bool within_strict_subset(std::string_view content) {
  if (content.size() > kMaxSubsetBytes || !utf8_xml_chars(content)) return false;
  return Scanner(content).document();
}

}  // namespace clinic_audit::xml
