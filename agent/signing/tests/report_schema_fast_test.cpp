// The hand-written accept path (report_schema_fast.hpp) against valijson on
// the same schema: it may only accept what valijson accepts, and it must
// accept the reports the agent writes (else it saves nothing).
#include "report_schema_fast.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report_files.hpp"
#include "schema_check.hpp"
#include "report_mutations.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

const std::filesystem::path kSchema = std::filesystem::path(CA_SIGNING_SCHEMA_DIR) / "report.schema.json";

// valijson alone: the shipped schema with a "$comment" added, so that its
// digest differs and SchemaChecker does not take the accept path.
class Valijson {
 public:
  Valijson() {
    json schema = json::parse(test::read_text(kSchema));
    schema["$comment"] = "copy for the differential test";
    test::write_text(dir_ / "report.schema.json", schema.dump(2));
    checker_ = std::make_unique<SchemaChecker>(std::nullopt, dir_ / "report.schema.json");
  }
  bool valid(const json& document) const { return checker_->check_json(document).empty(); }
  bool fast_enabled() const { return checker_->fast_accept_enabled(); }

 private:
  test::TempDir dir_;
  std::unique_ptr<SchemaChecker> checker_;
};

TEST(ReportSchemaFast, DigestIsTheShippedSchemas) {
  const SchemaChecker shipped(std::nullopt, kSchema);
  EXPECT_TRUE(shipped.fast_accept_enabled())
      << "agent/schemas/report.schema.json changed: check report_schema_fast.cpp against it, then set "
         "kReportSchemaFastDigest to "
      << sha256_hex(json::parse(test::read_text(kSchema)).dump());
  EXPECT_FALSE(Valijson().fast_enabled()) << "another schema must go through valijson alone";
}

TEST(ReportSchemaFast, AcceptsTheReportsTheAgentWrites) {
  const Valijson valijson;
  for (const json& document : test::corpus()) {
    EXPECT_TRUE(valijson.valid(document)) << document.dump().substr(0, 300);
    EXPECT_TRUE(report_certainly_valid(document)) << document.dump().substr(0, 300);
  }
}

TEST(ReportSchemaFast, AcceptsNothingValijsonRefusesAcrossMutations) {
  const Valijson valijson;
  std::size_t total = 0, agree = 0, unsure_valid = 0, accepted = 0;
  for (json document : test::corpus()) {
    test::mutations(document, document, [&](const json& mutated) {
      ++total;
      const bool fast = report_certainly_valid(mutated);
      const bool reference = valijson.valid(mutated);
      if (fast) ++accepted;
      if (fast == reference) {
        ++agree;
      } else if (!fast) {
        ++unsure_valid;  // valid, but left to valijson: allowed, only slower
      } else {
        ADD_FAILURE() << "accepted what valijson refuses: " << mutated.dump().substr(0, 2000);
      }
    });
  }
  // Thousands of cases, both verdicts present, and "not sure" on valid
  // documents only in the corners report_schema_fast.cpp names.
  EXPECT_GT(total, 5000U);
  EXPECT_GT(accepted, 500U);
  EXPECT_LT(unsure_valid, total / 100) << unsure_valid << " valid mutations left to valijson";
  std::cout << total << " mutations: " << agree << " same verdict, " << accepted << " accepted, " << unsure_valid
            << " valid but left to valijson\n";
}

}  // namespace
}  // namespace clinic_audit::signing
