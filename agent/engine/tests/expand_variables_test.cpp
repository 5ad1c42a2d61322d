// expand_variables copies the text between references in one piece (issue
// #19 item 5); the character-at-a-time loop it replaced is kept here as the
// reference, and both must give the same text and the same errors on
// generated texts mixing "$", "$${", "${name}", unknown and unterminated
// references, braces, multibyte characters, with and without a budget.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "engine/variables.hpp"

namespace clinic_audit {
namespace {

// The loop before issue #19 item 5 (engine/variables.cpp at 5f7515d), with
// its lookup and charge, verbatim but for names.
const ResolvedVariable* reference_lookup(std::string_view text, std::size_t i, std::size_t& next,
                                         const VariableMap& vars, const std::string& file, int line,
                                         std::vector<LoadError>& errors) {
  const std::size_t close = text.find('}', i + 2);
  if (close == std::string_view::npos) {
    errors.push_back({file, line, "unterminated variable reference '" + std::string(text.substr(i)) + "'"});
    next = std::string_view::npos;
    return nullptr;
  }
  next = close + 1;
  const std::string_view name = text.substr(i + 2, close - i - 2);
  auto it = vars.find(name);
  if (it != vars.end()) return &it->second;
  std::string known;
  for (const auto& [key, value] : vars) known += (known.empty() ? "" : ", ") + key;
  errors.push_back(
      {file, line,
       "unknown variable ${" + std::string(name) + "} (declared: " + (known.empty() ? "none" : known) + ")"});
  return nullptr;
}

bool reference_charge(ExpansionBudget* budget, std::size_t produced, const std::string& file, int line,
                      std::vector<LoadError>& errors) {
  if (budget == nullptr) return true;
  if (produced <= budget->left) {
    budget->left -= produced;
    return true;
  }
  budget->left = 0;
  if (!budget->reported) {
    budget->reported = true;
    errors.push_back({file, line,
                      "variable expansion of the policies exceeds " + std::to_string(kMaxExpandedTotal) +
                          " bytes in total here (nested ${...} references multiplying): refused"});
  }
  return false;
}

std::string reference_expand(std::string_view text, const VariableMap& vars, const std::string& file, int line,
                             std::vector<LoadError>& errors, ExpansionBudget* budget) {
  std::string out;
  std::size_t i = 0;
  auto too_long = [&](std::size_t adding) {
    if (out.size() + adding <= kMaxExpandedBytes) return false;
    errors.push_back({file, line,
                      "expanding the variables here gives more than " + std::to_string(kMaxExpandedBytes) +
                          " bytes (nested ${...} references multiplying): refused"});
    return true;
  };
  if (budget != nullptr && budget->left == 0) {
    reference_charge(budget, 1, file, line, errors);
    return {};
  }
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    std::size_t next = 0;
    if (const auto* var = reference_lookup(text, i, next, vars, file, line, errors)) {
      if (too_long(var->value.size())) return out;
      out += var->value;
    }
    if (next == std::string_view::npos) return out;
    i = next;
  }
  if (too_long(0)) return out.substr(0, kMaxExpandedBytes);
  if (!reference_charge(budget, out.size(), file, line, errors)) return {};
  return out;
}

std::vector<std::string> messages(const std::vector<LoadError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.file + ":" + std::to_string(e.line) + ": " + e.message);
  return out;
}

TEST(ExpandVariables, SameTextAndErrorsAsTheCharacterLoop) {
  VariableMap vars;
  vars["web_user"].value = "www-data";
  vars["empty"].value = "";
  vars["dollar"].value = "$${x}${web_user}";  // values are not expanded again
  vars["big"].value = std::string(30 * 1024, 'b');
  const std::vector<std::string> pieces{"$",           "$$",         "$${",        "${",         "}",  "{",
                                        "${web_user}", "${empty}",   "${dollar}",  "${unknown}", "a",  "plain text ",
                                        "é",           "${web_user", "$$${empty}", "${}",        "\n", "${big}",
                                        "\t$ {x}",     "$}",         "${${empty}}"};
  std::mt19937 random(19);
  int compared = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    const int count = static_cast<int>(random() % 12);
    for (int k = 0; k < count; ++k) text += pieces[random() % pieces.size()];
    for (const bool with_budget : {false, true}) {
      ExpansionBudget budget_a, budget_b;
      if (with_budget) budget_a.left = budget_b.left = random() % 70000;
      std::vector<LoadError> errors_a, errors_b;
      const std::string got = expand_variables(text, vars, "p.xml", 7, errors_a, with_budget ? &budget_a : nullptr);
      const std::string want = reference_expand(text, vars, "p.xml", 7, errors_b, with_budget ? &budget_b : nullptr);
      ASSERT_EQ(got, want) << "text: " << text;
      ASSERT_EQ(messages(errors_a), messages(errors_b)) << "text: " << text;
      ASSERT_EQ(budget_a.left, budget_b.left) << "text: " << text;
      ASSERT_EQ(budget_a.reported, budget_b.reported) << "text: " << text;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 8000);
  // The control: the generator produces texts the two expand (and refuse).
  std::vector<LoadError> errors;
  EXPECT_EQ(expand_variables("a $${web_user} ${web_user}$", vars, "p.xml", 1, errors), "a ${web_user} www-data$");
  EXPECT_TRUE(errors.empty());
  (void)expand_variables("${nope", vars, "p.xml", 1, errors);
  ASSERT_EQ(errors.size(), 1U);
}

}  // namespace
}  // namespace clinic_audit
