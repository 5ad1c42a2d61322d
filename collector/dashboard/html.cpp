#include "html.hpp"

namespace clinic_audit::dashboard {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;  // U+FFFD: NUL is a parse error in HTML
      default: out += c;
    }
  }
  return out;
}

void Html::attributes(std::initializer_list<Attr> attrs) {
  for (const auto& attr : attrs) {
    out_ += ' ';
    out_ += attr.name;
    out_ += "=\"";
    out_ += escape_html(attr.value);
    out_ += '"';
  }
}

Html& Html::open(std::string_view name, std::initializer_list<Attr> attrs) {
  out_ += '<';
  out_ += name;
  attributes(attrs);
  out_ += '>';
  return *this;
}

Html& Html::close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

Html& Html::element(std::string_view name, std::string_view text, std::initializer_list<Attr> attrs) {
  open(name, attrs);
  out_ += escape_html(text);
  return close(name);
}

Html& Html::empty(std::string_view name, std::initializer_list<Attr> attrs) {
  out_ += '<';
  out_ += name;
  attributes(attrs);
  out_ += '>';
  return *this;
}

Html& Html::text(std::string_view text) {
  out_ += escape_html(text);
  return *this;
}

Html& Html::raw_literal(Literal literal) {
  out_ += literal.value;
  return *this;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                            c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

}  // namespace clinic_audit::dashboard
