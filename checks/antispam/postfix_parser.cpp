#include "postfix_parser.hpp"
#include "i18n.hpp"

#include <cctype>

#include "antispam_common.hpp"

namespace clinic_audit::antispam {

std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  int number = 0;
  for (std::string_view line : split_lines(text)) {
    ++number;
    std::string_view stripped = trim(line);
    if (stripped.empty() || stripped.front() == '#') continue;
    if ((line.front() == ' ' || line.front() == '\t') && !out.empty()) {
      out.back().text.append(line);
      continue;
    }
    out.push_back({std::string(line), number});
  }
  return out;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

constexpr long kMaxReferences = 10000;

}  // namespace

std::map<std::string, PostfixParam> parse_main_cf(std::string_view text, std::vector<Evidence>* issues,
                                                  const std::string& file) {
  std::map<std::string, PostfixParam> params;
  for (const LogicalLine& l : logical_lines(text)) {
    const std::size_t eq = l.text.find('=');
    const std::string name =
        eq == std::string::npos ? std::string() : std::string(trim(std::string_view(l.text).substr(0, eq)));
    bool valid = !name.empty();
    for (char c : name) {
      if (is_space(c)) valid = false;
    }
    if (!valid) {
      if (issues) issues->push_back({file, l.line, l.text, _("name = value (postconf(5))")});
      continue;
    }
    std::string value(trim(std::string_view(l.text).substr(eq + 1)));
    std::vector<int> earlier;
    if (auto it = params.find(name); it != params.end()) {
      earlier = std::move(it->second.earlier_lines);
      earlier.push_back(it->second.line);
    }
    params[name] = {std::move(value), l.line, std::move(earlier)};
  }
  return params;
}

std::vector<MasterService> parse_master_cf(std::string_view text) {
  std::vector<MasterService> services;
  for (const LogicalLine& l : logical_lines(text)) {
    // Fields are separated by whitespace; "{ ... }" keeps an argument with spaces.
    std::vector<std::string> fields;
    std::string_view rest = l.text;
    while (true) {
      rest = trim(rest);
      if (rest.empty()) break;
      std::size_t end = 0;
      if (rest.front() == '{') {
        end = rest.find('}');
        end = end == std::string_view::npos ? rest.size() : end + 1;
      } else {
        while (end < rest.size() && !is_space(rest[end])) ++end;
      }
      fields.emplace_back(rest.substr(0, end));
      rest = rest.substr(end);
    }
    if (fields.size() < 8) continue;
    MasterService s{fields[0], fields[1], fields[7], {}, l.line};
    for (std::size_t i = 8; i + 1 < fields.size(); ++i) {
      if (fields[i] != "-o") continue;
      std::string option = fields[++i];
      if (option.size() >= 2 && option.front() == '{' && option.back() == '}')
        option = std::string(trim(std::string_view(option).substr(1, option.size() - 2)));
      const std::size_t eq = option.find('=');
      if (eq == std::string::npos) continue;
      s.overrides.emplace_back(std::string(trim(std::string_view(option).substr(0, eq))),
                               std::string(trim(std::string_view(option).substr(eq + 1))));
    }
    services.push_back(std::move(s));
  }
  return services;
}

std::string postfix_expand(std::string_view value, const std::map<std::string, std::string>& params,
                           std::string* error) {
  // Appends straight into `out`, with a budget of parameter references, so
  // that neither doubling ("$a = $b $b") nor empty chains ("$b = $c$c", c
  // empty) can run away.
  struct Expander {
    const std::map<std::string, std::string>& params;
    std::string out;
    long budget = kMaxReferences;
    bool exceeded = false;
    void run(std::string_view v, int depth) {
      for (std::size_t i = 0; i < v.size() && !exceeded; ++i) {
        if (out.size() >= kMaxPostfixExpansion) {
          exceeded = true;
          break;
        }
        if (v[i] != '$' || i + 1 >= v.size()) {
          out.push_back(v[i]);
          continue;
        }
        std::string name;
        std::size_t j = i + 1;
        if (v[j] == '{' || v[j] == '(') {
          const char close = v[j] == '{' ? '}' : ')';
          const std::size_t end = v.find(close, j + 1);
          if (end == std::string_view::npos) {
            out.append(v.substr(i));
            break;
          }
          name = std::string(v.substr(j + 1, end - j - 1));
          i = end;
        } else {
          while (j < v.size() && (std::isalnum(static_cast<unsigned char>(v[j])) || v[j] == '_')) ++j;
          name = std::string(v.substr(i + 1, j - i - 1));
          if (name.empty()) {
            out.push_back('$');
            continue;
          }
          i = j - 1;
        }
        // ${name?value} / ${name:value} conditional forms are not modelled:
        // only plain names expand.
        auto it = params.find(name);
        if (it == params.end() || depth >= 20) continue;
        if (--budget <= 0) {
          exceeded = true;
          break;
        }
        run(it->second, depth + 1);
      }
    }
  };
  Expander expander{params, {}, kMaxReferences, false};
  expander.run(value, 0);
  if (expander.exceeded && error) {
    *error = "parameter expansion exceeds " + std::to_string(kMaxPostfixExpansion / 1024) + " KiB or " +
             std::to_string(kMaxReferences) + " $references (parameters that double at each level, or a loop)";
  }
  return std::move(expander.out);
}

std::vector<std::string> split_postfix_list(std::string_view value) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (is_space(value[i]) || value[i] == ',')) ++i;
    if (i >= value.size()) break;
    if (value[i] == '{') {
      int level = 0;
      const std::size_t start = i;
      for (; i < value.size(); ++i) {
        if (value[i] == '{') ++level;
        if (value[i] == '}' && --level == 0) {
          ++i;
          break;
        }
      }
      std::string_view inner = value.substr(start + 1, (i > start + 1 ? i - start - 2 : 0));
      out.emplace_back(trim(inner));
      continue;
    }
    // Inside a token, "{ ... }" is kept whole (mystrtokq(3) in Postfix:
    // "inline:{ key=value }" is one table).
    const std::size_t start = i;
    int level = 0;
    while (i < value.size() && (level > 0 || (!is_space(value[i]) && value[i] != ','))) {
      if (value[i] == '{') ++level;
      if (value[i] == '}' && level > 0) --level;
      ++i;
    }
    out.emplace_back(value.substr(start, i - start));
  }
  return out;
}

const AccessEntry* AccessTable::find(std::string_view key) const {
  auto it = index.find(std::string(key));
  return it == index.end() ? nullptr : &entries[it->second];
}

void AccessTable::add(AccessEntry entry) {
  if (index.count(entry.key)) return;
  index.emplace(entry.key, entries.size());
  entries.push_back(std::move(entry));
}

AccessTable parse_access_table(std::string_view text, const std::string& file) {
  AccessTable table;
  for (const LogicalLine& l : logical_lines(text)) {
    std::string_view line = l.text;
    std::size_t key_end = 0;
    if (line.front() == '"') {
      const std::size_t close = line.find('"', 1);
      key_end = close == std::string_view::npos ? line.size() : close + 1;
    }
    while (key_end < line.size() && !is_space(line[key_end])) ++key_end;
    std::string key = ascii_lower(line.substr(0, key_end));
    std::string_view value = trim(line.substr(key_end));
    if (value.empty()) {
      table.issues.push_back({file, l.line, l.text, _("key whitespace value (postmap ignores this line)")});
      continue;
    }
    if (table.find(key)) {
      table.issues.push_back({file, l.line,
                              "duplicate entry \"" + key + "\" loses to line " + std::to_string(table.find(key)->line),
                              "each key once (postmap keeps the first)"});
      continue;
    }
    table.add({std::move(key), std::string(value), l.line});
  }
  return table;
}

}  // namespace clinic_audit::antispam
