// Server-rendered HTML, escaped by construction (STYLE.md §11): every piece
// of text from a report (hostnames, summaries, evidence) goes through
// text()/attr() and so can never become markup; only string literals of the
// dashboard's own templates reach raw_literal().
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace clinic_audit::dashboard {

// & < > " ' as character references (HTML Living Standard, "escapable raw
// text" rules do not apply: we never write into <script> or <style>).
std::string escape_html(std::string_view text);

struct Attr {
  std::string_view name;  // a literal of ours
  std::string value;      // any text: escaped on output
};

class Html {
 public:
  // <name attr="...">. `name` and attribute names are our own literals.
  Html& open(std::string_view name, std::initializer_list<Attr> attrs = {});
  Html& close(std::string_view name);
  // <name attrs>text</name>
  Html& element(std::string_view name, std::string_view text, std::initializer_list<Attr> attrs = {});
  // A void element (<input>, <meta>, <link>).
  Html& empty(std::string_view name, std::initializer_list<Attr> attrs = {});
  Html& text(std::string_view text);
  // Only for compile-time literals of the templates (a consteval guard makes
  // passing a runtime string a compile error).
  struct Literal {
    std::string_view value;
    consteval Literal(const char* literal) : value(literal) {}  // NOLINT: implicit by design
  };
  Html& raw_literal(Literal literal);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void attributes(std::initializer_list<Attr> attrs);
  std::string out_;
};

// Percent-encoding of a query parameter value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view text);

}  // namespace clinic_audit::dashboard
