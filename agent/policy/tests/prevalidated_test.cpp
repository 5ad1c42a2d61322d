// Shipped policies validated at build time (issue #19 item 5): the build
// records their digests, a shipped file skips the schema at run time and
// gives the same policy as a full validation; any other bytes -- a shipped
// policy with one change -- are still validated, errors naming file:line.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "fixture_root.hpp"
#include "policy/load_error.hpp"
#include "policy/policy_loader.hpp"
#include "policy/prevalidated.hpp"
#include "common/sha256.hpp"
#include "policy/xml_document.hpp"

namespace clinic_audit {
namespace {

std::string read(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

const char* const kShipped[] = {"apicrypt-v1.xml", "apicrypt-v2.xml", "ekermed.xml"};

TEST(PrevalidatedPolicies, EveryShippedPolicyWasValidatedByTheBuild) {
  for (const char* name : kShipped) {
    const std::string text = read(testing::source_dir() / "policies" / name);
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_TRUE(is_prevalidated_policy(sha256_hex_of(text))) << name;
  }
  EXPECT_FALSE(is_prevalidated_policy(sha256_hex_of("")));
  EXPECT_FALSE(is_prevalidated_policy("not a digest"));
}

TEST(PrevalidatedPolicies, SkippingTheSchemaGivesTheSamePolicy) {
  const auto dir = testing::source_dir() / "policies";
  for (const char* name : kShipped) {
    const std::string text = read(dir / name);
    // The run-time path (schema skipped) against the schema applied to the same bytes.
    const Policy loaded = parse_policy(text, dir / name, dir / "policy.xsd");
    EXPECT_NO_THROW(XmlDocument::load(text, name, dir / "policy.xsd", XmlDocument::Schema::validate)) << name;
    ASSERT_FALSE(loaded.checks.empty()) << name;
    EXPECT_EQ(loaded.sha256, sha256_hex_of(text)) << name;
    EXPECT_FALSE(loaded.id.empty()) << name;
  }
}

TEST(PrevalidatedPolicies, AnEditedShippedPolicyIsStillValidatedWithFileAndLine) {
  const auto dir = testing::source_dir() / "policies";
  std::string text = read(dir / "apicrypt-v1.xml");
  // An attribute policy.xsd does not allow, on the first <check> element.
  const auto at = text.find("<check ");
  ASSERT_NE(at, std::string::npos);
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  text.insert(at + 7, "colour=\"red\" ");
  ASSERT_FALSE(is_prevalidated_policy(sha256_hex_of(text)));
  try {
    parse_policy(text, "/site/apicrypt-v1.xml", dir / "policy.xsd");
    FAIL() << "an attribute outside policy.xsd was accepted";
  } catch (const LoadFailure& e) {
    ASSERT_FALSE(e.errors().empty());
    EXPECT_EQ(e.errors().front().file, "/site/apicrypt-v1.xml");
    EXPECT_EQ(e.errors().front().line, line);
    EXPECT_NE(e.errors().front().message.find("colour"), std::string::npos) << e.errors().front().message;
  }
}

}  // namespace
}  // namespace clinic_audit
