#include "regex_guard.hpp"

#include "regcomp_model.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

namespace clinic_audit {
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
      case '\\':
        atom(1);
        ++i;
        break;
      case '[':
        i = regex_bracket_end(p, i);
        atom(1);
        break;
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
      case '|':
        f.total = add(add(f.total, f.last), 1);
        f.last = 0;
        break;
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

int nullable_quantifier_weight(std::string_view p) {
  struct Frame {
    bool seq_nullable = true;   // the concatenation so far matches ""
    bool alt_nullable = false;  // an earlier alternative matches ""
    int max_weight = 0;
    bool last_nullable = true;  // the operand a quantifier would apply to
    int last_weight = 0;
    bool has_last = false;
    void commit() {
      if (has_last) {
        seq_nullable = seq_nullable && last_nullable;
        max_weight = std::max(max_weight, last_weight);
      }
      has_last = false;
    }
    void atom(bool nullable, int weight) {
      commit();
      last_nullable = nullable;
      last_weight = weight;
      has_last = true;
    }
  };
  std::vector<Frame> stack(1);
  int worst = 0;
  auto quantify = [&](int weight, bool makes_nullable) {
    Frame& f = stack.back();
    if (!f.has_last) return;
    if (f.last_nullable) f.last_weight += weight;
    f.last_nullable = f.last_nullable || makes_nullable;
    worst = std::max(worst, f.last_weight);
  };
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    switch (c) {
      case '\\':
        stack.back().atom(false, 0);
        ++i;
        break;
      case '[':
        i = regex_bracket_end(p, i);
        stack.back().atom(false, 0);
        break;
      case '^':
      case '$': stack.back().atom(true, 0); break;
      case '(': stack.emplace_back(); break;
      case ')': {
        if (stack.size() == 1) {
          stack.back().atom(false, 0);
          break;
        }
        Frame inner = stack.back();
        inner.commit();
        stack.pop_back();
        stack.back().atom(inner.alt_nullable || inner.seq_nullable, inner.max_weight);
        break;
      }
      case '|': {
        Frame& f = stack.back();
        f.commit();
        f.alt_nullable = f.alt_nullable || f.seq_nullable;
        f.seq_nullable = true;
        break;
      }
      case '?':
      case '*': quantify(1, true); break;
      case '+': quantify(3, false); break;
      case '{': {
        std::size_t j = i;
        if (interval(p, j) == 0) {
          stack.back().atom(false, 0);
        } else {
          quantify(3, p[i + 1] == '0' || p[i + 1] == ',');
          i = j;
        }
        break;
      }
      default: stack.back().atom(false, 0); break;
    }
  }
  return worst;
}

namespace {

// The extended spelling of a basic expression, for the two measures: the
// escaped operators lose their backslash and the bare ones gain one (GNU
// BRE: "\\+", "\\?" and "\\|" are operators too, regex(7)).
std::string basic_as_extended(std::string_view p) {
  std::string out;
  out.reserve(p.size() + p.size() / 4);
  constexpr std::string_view kOperators = "+?{}()|";
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      if (kOperators.find(p[i + 1]) != std::string_view::npos) {
        out.push_back(p[i + 1]);
      } else {
        out.append(p.substr(i, 2));
      }
      ++i;
    } else if (kOperators.find(p[i]) != std::string_view::npos) {
      out.push_back('\\');
      out.push_back(p[i]);
    } else {
      out.push_back(p[i]);
    }
  }
  return out;
}

}  // namespace

namespace {

// One pattern's verdict, what compiling it would cost, and what judging it
// cost (the replay's own work, spent even when the pattern is refused).
struct Assessment {
  std::optional<std::string> refusal;
  std::size_t cost = 0;
  std::size_t judging = 0;
};

// Patterns are judged again and again (the lexer then the evaluator, every
// lookup of an antispam map): the last verdicts are kept per thread, so
// that the replay runs once per distinct pattern.
class Memo {
 public:
  const Assessment* find(std::string_view pattern, RegexSyntax syntax) const {
    for (const Entry& e : entries_) {
      if (e.syntax == syntax && e.pattern == pattern) return &e.assessment;
    }
    return nullptr;
  }
  void keep(std::string_view pattern, RegexSyntax syntax, const Assessment& a) {
    if (entries_.size() < kEntries) entries_.emplace_back();
    Entry& e = entries_[next_];
    next_ = (next_ + 1) % kEntries;
    e.pattern.assign(pattern);
    e.syntax = syntax;
    e.assessment = a;
  }

 private:
  static constexpr std::size_t kEntries = 64;
  struct Entry {
    std::string pattern;
    RegexSyntax syntax = RegexSyntax::extended;
    Assessment assessment;
  };
  std::vector<Entry> entries_;
  std::size_t next_ = 0;
};

Assessment assess(std::string_view original, RegexSyntax syntax) {
  thread_local Memo memo;
  if (const Assessment* known = memo.find(original, syntax)) return *known;

  const std::string translated = syntax == RegexSyntax::basic ? basic_as_extended(original) : std::string();
  const std::string_view pattern = syntax == RegexSyntax::basic ? std::string_view(translated) : original;
  Assessment a;
  const std::string too_large =
      "regular expression too large for the auditor: glibc's regcomp() would build more than " +
      std::to_string(kMaxRegexNodes) + " nodes (stacked '+' or intervals)";
  const std::string too_slow =
      "regular expression with stacked '?', '*', '+' or intervals on an operand that matches the empty string: "
      "glibc's regcomp(), which sudo, Postfix and rspamd use too, would run for seconds to hours";
  // The two quick measures first: they bound what the replay would build.
  a.judging = pattern.size();
  if (estimated_regex_nodes(pattern) > kMaxRegexNodes) {
    a.refusal = too_large;
  } else if (nullable_quantifier_weight(pattern) > kMaxNullableWeight) {
    a.refusal = too_slow;
  } else {
    const RegcompWork work = replay_regcomp(pattern, kMaxRegexNodes, kMaxRegexWork);
    a.cost = add(work.steps, mul(kRegexWorkPerNode, work.nodes));
    a.judging = add(a.judging, a.cost);
    if (work.over) a.refusal = work.nodes >= kMaxRegexNodes ? too_large : too_slow;
  }
  memo.keep(original, syntax, a);
  return a;
}

}  // namespace

std::optional<std::string> regex_refusal(std::string_view original, RegexSyntax syntax) {
  return assess(original, syntax).refusal;
}

std::size_t regex_compile_cost(std::string_view original, RegexSyntax syntax) {
  const Assessment a = assess(original, syntax);
  return a.refusal ? kCap : a.cost;
}

std::optional<std::string> RegexCompileBudget::charge(std::string_view pattern, RegexSyntax syntax) {
  const std::string spent =
      "one regular expression too many in this input: together they would keep glibc's regcomp() busy for more than "
      "about 100 ms (the auditor's budget for one input)";
  if (left_ == 0) return spent;
  const Assessment a = assess(pattern, syntax);
  // Judging costs as much as compiling: the replay's work is charged
  // whether the pattern is refused or compiled, so that a file of
  // thousands of refused patterns is bounded too.
  const std::size_t charged = a.refusal ? a.judging : add(a.judging, a.cost);
  if (charged > left_) {
    left_ = 0;
    return a.refusal ? a.refusal : spent;
  }
  left_ -= charged;
  return a.refusal;
}

}  // namespace clinic_audit
