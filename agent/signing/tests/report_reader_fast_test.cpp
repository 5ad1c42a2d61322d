// read_json_report_fast() against the document path it stands in for in
// verify_report(): parse_bounded_json, the schema check by valijson (the
// shipped schema without the accept path) and report_content_of(). When
// the fast reader answers, the document path must find the report valid
// and give the very same content (evidence JSON byte for byte); it must
// answer for the reports the agent writes (else it saves nothing).
#include "report_reader_fast.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bounded_json.hpp"
#include "report_mutations.hpp"
#include "report_schema_fast.hpp"
#include "schema_check.hpp"
#include "signing_test_support.hpp"

namespace clinic_audit::signing {
namespace {

using nlohmann::json;

const std::filesystem::path kSchema = std::filesystem::path(CA_SIGNING_SCHEMA_DIR) / "report.schema.json";

// Every field of the content, for comparison and messages.
std::string describe(const ReportContent& content) {
  json out{{"format", to_string(content.format)},
           {"report_id", content.report_id},
           {"hostname", content.hostname},
           {"machine_id", content.machine_id},
           {"started_at", content.started_at},
           {"sequence", content.sequence},
           {"previous_sha256", content.previous_sha256 ? json(*content.previous_sha256) : json()},
           {"counts", content.counts},
           {"compliant", content.compliant},
           {"results", json::array()}};
  for (const auto& row : content.results) {
    out["results"].push_back({row.check_id, row.policy_id, row.type, row.title, row.severity, row.status, row.summary,
                              row.remediation, row.evidence_json});
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

class DocumentPath {
 public:
  DocumentPath() {
    json schema = json::parse(test::read_text(kSchema));
    schema["$comment"] = "copy for the differential test: valijson alone";
    test::write_text(dir_ / "report.schema.json", schema.dump(2));
    checker_ = std::make_unique<SchemaChecker>(std::nullopt, dir_ / "report.schema.json");
  }
  // The content when the document path finds the report readable and
  // valid, else nullopt.
  std::optional<ReportContent> read(std::string_view bytes) const {
    try {
      const json document = parse_bounded_json(bytes);
      if (!checker_->check_json(document).empty()) return std::nullopt;
      return report_content_of(document);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

 private:
  test::TempDir dir_;
  std::unique_ptr<SchemaChecker> checker_;
};

struct Tally {
  std::size_t total = 0, fast = 0, valid_left_to_slow = 0;
};

// Whether the document path's own accept path (report_certainly_valid,
// itself compared with valijson by ReportSchemaFast.*) takes the report:
// a cheaper measure of what the fast reader leaves to the document path.
bool certainly_valid(std::string_view bytes) {
  try {
    const json document = parse_bounded_json(bytes);
    if (!report_certainly_valid(document)) return false;
    report_content_of(document);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// The fast reader's answer against the whole document path (valijson
// included: slow under the sanitizers, so only where the fast reader
// answers, which is what must hold).
void compare(const DocumentPath& slow, std::string_view bytes, Tally& tally) {
  ++tally.total;
  const auto fast = read_json_report_fast(bytes);
  if (fast) {
    ++tally.fast;
    const auto reference = slow.read(bytes);
    if (!reference) {
      ADD_FAILURE() << "read what the document path refuses: " << bytes.substr(0, 2000);
    } else {
      EXPECT_EQ(describe(*fast), describe(*reference)) << bytes.substr(0, 2000);
    }
  } else if (certainly_valid(bytes)) {
    ++tally.valid_left_to_slow;
  }
}

TEST(ReportReaderFast, ReadsTheReportsTheAgentWritesAsTheDocumentPath) {
  const DocumentPath slow;
  Tally tally;
  std::vector<std::string> texts = {test::sample_report("json", 1, std::nullopt),
                                    test::sample_report("json", 7, std::string(64, 'b')), test::rich_report()};
  for (const json& document : test::corpus()) {
    texts.push_back(document.dump());
    texts.push_back(document.dump(2));
  }
  for (const auto& text : texts) {
    compare(slow, text, tally);
    EXPECT_TRUE(read_json_report_fast(text)) << text.substr(0, 300);
  }
  EXPECT_EQ(tally.fast, texts.size());
}

TEST(ReportReaderFast, SameAsTheDocumentPathAcrossMutations) {
  const DocumentPath slow;
  Tally tally;
  // The report using every member the schema knows (the agent's own two
  // are subsets of it: their mutations add time under the sanitizers, no
  // case).
  for (json document : {test::corpus()[2]}) {
    bool indent = false;
    test::mutations(document, document, [&](const json& mutated) {
      // Compact and indented in turn: white space everywhere it may be.
      indent = !indent;
      std::string text;
      try {
        text = mutated.dump(indent ? 2 : -1);
      } catch (const json::type_error&) {
        return;  // a replacement cut inside a UTF-8 sequence: no JSON text
      }
      compare(slow, text, tally);
    });
  }
  EXPECT_GT(tally.total, 3000U);
  EXPECT_GT(tally.fast, 500U);
  EXPECT_LT(tally.valid_left_to_slow, tally.total / 100) << tally.valid_left_to_slow;
  std::cout << tally.total << " mutations: " << tally.fast << " read by the fast reader, " << tally.valid_left_to_slow
            << " valid but left to the document path\n";
}

// Byte-level damage the document mutations cannot make: a byte replaced,
// removed or inserted (escapes, UTF-8, structure, duplicate keys, numbers).
TEST(ReportReaderFast, SameAsTheDocumentPathOnDamagedBytes) {
  const DocumentPath slow;
  Tally tally;
  const std::string text = test::corpus()[2].dump(1);
  static constexpr std::string_view kBytes[] = {"\"", "\\", "{",    "}",    ",",
                                                ":",  "0",  "-",    ".",    "e",
                                                "x",  " ",  "\x80", "\xc3", std::string_view("\0", 1)};
  for (std::size_t at = 0; at < text.size(); at += 47) {
    std::string removed = text;
    removed.erase(at, 1);
    compare(slow, removed, tally);
    for (const auto byte : kBytes) {
      std::string replaced = text;
      replaced.replace(at, 1, byte);
      compare(slow, replaced, tally);
      std::string inserted = text;
      inserted.insert(at, byte);
      compare(slow, inserted, tally);
    }
  }
  EXPECT_GT(tally.fast, 100U);
  std::cout << tally.total << " damaged texts: " << tally.fast << " read by the fast reader\n";
}

TEST(ReportReaderFast, CornersGoToTheDocumentPathOrAgree) {
  const DocumentPath slow;
  Tally tally;
  const std::string text = test::corpus()[2].dump();
  auto with = [&](const std::string& from, const std::string& to) {
    std::string out = text;
    const auto at = out.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) out.replace(at, from.size(), to);
    return out;
  };
  const std::string duplicate = with("\"sequence\":", "\"sequence\":2,\"sequence\":");
  const std::string minus_zero = with("\"sequence\":42", "\"sequence\":-0");
  const std::string float_sequence = with("\"sequence\":42", "\"sequence\":1.0");
  const std::string escaped_key = with("\"check_id\"", "\"check\\u005fid\"");
  const std::string escaped_text = with("\"title\":\"", "\"title\":\"\\u00e9\\ud83d\\ude00\\/\\t\\u0001");
  const std::string lone_surrogate = with("\"title\":\"", "\"title\":\"\\udc00");
  const std::string bom = "\xEF\xBB\xBF" + text;
  const std::string trailing = text + " x";
  for (const auto& bytes :
       {duplicate, minus_zero, float_sequence, escaped_key, escaped_text, lone_surrogate, bom, trailing}) {
    compare(slow, bytes, tally);
  }
  EXPECT_FALSE(read_json_report_fast(duplicate)) << "nlohmann keeps the last of duplicates: not sure";
  EXPECT_FALSE(read_json_report_fast(minus_zero)) << "-0 is the schema's but not json_content's";
  EXPECT_FALSE(read_json_report_fast(bom));
  EXPECT_FALSE(read_json_report_fast(trailing));
  EXPECT_TRUE(read_json_report_fast(escaped_key));
  EXPECT_TRUE(read_json_report_fast(escaped_text));
}

}  // namespace
}  // namespace clinic_audit::signing
