#include "regex_guard.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace clinic_audit::sudoers {
namespace {

constexpr std::size_t kCap = std::size_t{1} << 40;

std::size_t mul(std::size_t a, std::size_t b) { return (b != 0 && a > kCap / b) ? kCap : std::min(kCap, a * b); }
std::size_t add(std::size_t a, std::size_t b) { return std::min(kCap, a + b); }

// Reads "{m}", "{m,}" or "{m,n}" at `i`; returns the largest count (m + 1
// when unbounded) and advances `i`, or 0 when it is not an interval.
std::size_t interval(std::string_view p, std::size_t& i) {
  std::size_t j = i + 1;
  std::size_t low = 0;
  std::size_t high = 0;
  bool comma = false;
  bool digits = false;
  for (; j < p.size() && p[j] != '}'; ++j) {
    if (p[j] == ',') {
      if (comma) return 0;
      comma = true;
    } else if (std::isdigit(static_cast<unsigned char>(p[j])) != 0) {
      std::size_t& n = comma ? high : low;
      n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(p[j] - '0'), 1u << 20);
      digits = true;
    } else {
      return 0;
    }
  }
  if (j >= p.size() || !digits) return 0;
  i = j;
  return std::max<std::size_t>(1, comma && high == 0 ? low + 1 : std::max(low, high));
}

}  // namespace

std::size_t estimated_regex_nodes(std::string_view p) {
  struct Frame {
    std::size_t total = 0;
    std::size_t last = 0;
  };
  std::vector<Frame> stack(1);
  for (std::size_t i = 0; i < p.size(); ++i) {
    Frame& f = stack.back();
    const char c = p[i];
    auto atom = [&](std::size_t size) {
      f.total = add(f.total, f.last);
      f.last = size;
    };
    switch (c) {
      case '\\': atom(1); ++i; break;
      case '[': {
        std::size_t j = i + 1;
        if (j < p.size() && p[j] == '^') ++j;
        if (j < p.size() && p[j] == ']') ++j;
        while (j < p.size() && p[j] != ']') {
          if (p[j] == '[' && j + 1 < p.size() && (p[j + 1] == ':' || p[j + 1] == '.' || p[j + 1] == '=')) {
            const char closing[] = {p[j + 1], ']'};  // ":]", ".]" or "=]"
            const std::size_t end = p.find(std::string_view(closing, 2), j + 2);
            j = end == std::string_view::npos ? p.size() : end + 2;
          } else {
            ++j;
          }
        }
        i = j;
        atom(1);
        break;
      }
      case '(': stack.emplace_back(); break;
      case ')':
        if (stack.size() > 1) {
          const std::size_t group = add(add(f.total, f.last), 1);
          stack.pop_back();
          Frame& parent = stack.back();
          parent.total = add(parent.total, parent.last);
          parent.last = group;
        } else {
          atom(1);
        }
        break;
      case '|': f.total = add(add(f.total, f.last), 1); f.last = 0; break;
      case '+': f.last = mul(std::max<std::size_t>(f.last, 1), 2); break;
      case '*':
      case '?': f.last = add(f.last, 1); break;
      case '{': {
        const std::size_t n = interval(p, i);
        if (n == 0) atom(1);
        else f.last = mul(std::max<std::size_t>(f.last, 1), n + 1);
        break;
      }
      default: atom(1); break;
    }
  }
  std::size_t total = 0;
  while (!stack.empty()) {
    total = add(total, add(stack.back().total, stack.back().last));
    stack.pop_back();
  }
  return total;
}

}  // namespace clinic_audit::sudoers
