#include "schema_validation.hpp"

#include <unistd.h>

#include <fstream>
#include <random>

#include "common/command_runner.hpp"

namespace clinic_audit::testing {
namespace {

std::string run_validator(const CommandSpec& spec) {
  try {
    ProcessRunner runner;
    const CommandResult result = runner.run(spec);
    if (result.timed_out) return spec.program.string() + ": timed out";
    if (result.signaled) return spec.program.string() + ": killed by signal " + std::to_string(result.signal);
    if (result.exit_code != 0) {
      return spec.program.string() + " exited " + std::to_string(result.exit_code) + ": " + result.err + result.out;
    }
    return {};
  } catch (const std::exception& e) {
    return std::string("cannot run ") + spec.program.string() + ": " + e.what();
  }
}

// A file that lives as long as the validation.
class TempFile {
 public:
  TempFile(std::string_view content, std::string_view suffix) {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("ca-report-" + std::to_string(::getpid()) + "-" + std::to_string(random()) + std::string(suffix));
    std::ofstream out(path_, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

std::filesystem::path report_schema_dir() { return CA_REPORT_SCHEMA_DIR; }

std::string validate_json_report_file(const std::filesystem::path& file) {
  CommandSpec spec;
  // Debian's python3-jsonschema: /usr/bin/python3, not a python on PATH.
  spec.program = "/usr/bin/python3";
  spec.args = {"-c",
               "import json,jsonschema,sys; "
               "jsonschema.validate(json.load(open(sys.argv[1], encoding='utf-8')), "
               "json.load(open(sys.argv[2], encoding='utf-8')))",
               file.string(), (report_schema_dir() / "report.schema.json").string()};
  spec.timeout = std::chrono::seconds(60);
  return run_validator(spec);
}

std::string validate_xml_report_file(const std::filesystem::path& file) {
  CommandSpec spec;
  spec.program = "/usr/bin/xmllint";
  spec.args = {"--noout", "--nonet", "--schema", (report_schema_dir() / "report.xsd").string(), file.string()};
  spec.timeout = std::chrono::seconds(60);
  return run_validator(spec);
}

std::string validate_json_report(std::string_view content) {
  const TempFile file(content, ".json");
  return validate_json_report_file(file.path());
}

std::string validate_xml_report(std::string_view content) {
  const TempFile file(content, ".xml");
  return validate_xml_report_file(file.path());
}

std::string validate_junit_report(std::string_view content) {
  const TempFile file(content, ".xml");
  CommandSpec spec;
  spec.program = "/usr/bin/xmllint";
  spec.args = {"--noout", "--nonet", "--schema", CA_JUNIT_XSD, file.path().string()};
  spec.timeout = std::chrono::seconds(60);
  return run_validator(spec);
}

std::string validate_prometheus_metrics(std::string_view content) {
  CommandSpec spec;
  spec.program = "/usr/bin/promtool";
  spec.args = {"check", "metrics"};
  spec.stdin_data = std::string(content);
  spec.timeout = std::chrono::seconds(60);
  return run_validator(spec);
}

}  // namespace clinic_audit::testing
