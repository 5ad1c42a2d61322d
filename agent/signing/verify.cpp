#include "verify.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "atomic_file.hpp"
#include "bounded_json.hpp"
#include "chain_check.hpp"
#include "report_files.hpp"
#include "report_reader_fast.hpp"
#include "schema_check.hpp"
#include "signing_error.hpp"
#include "system_error_text.hpp"
#include "xml/libxml2_api.hpp"

namespace clinic_audit::signing {

namespace {

// libxml2 through dlopen (xml/libxml2_api.hpp): only XML reports need it.
const xml::LibXml2Api& libxml2() { return xml::libxml2("verifying XML reports"); }

}  // namespace

namespace {

struct ReportFile {
  std::filesystem::path path;
  std::string bytes;
  std::string sha256;
  std::optional<std::string> signature;  // DER of NAME.p7s, if present
};

// #20.5 / DESIGN §7: the report's host.machine_id must be the one its
// signer's certificate names (subject serialNumber).
void bind_identity(const SignatureFindings& signature, const std::string& machine_id, bool require_machine_id,
                   std::vector<std::string>& problems, std::vector<std::string>& notes) {
  if (!signature.signer_certificate) return;  // the signature did not verify: already a problem
  if (signature.signer_machine_id.empty()) {
    const std::string what =
        tr("the signing certificate \"{0}\" names no machine-id (subject serialNumber): the report "
           "cannot be bound to its host",
           signature.signer);
    (require_machine_id ? problems : notes).push_back(what);
    return;
  }
  if (signature.signer_machine_id != machine_id) {
    problems.push_back(
        tr("signed by another host: the report is of machine-id \"{0}\" but its signing certificate names "
           "machine-id \"{1}\"",
           machine_id, signature.signer_machine_id));
  }
}

std::string p7s_name(const std::filesystem::path& report) { return report.filename().string() + ".p7s"; }

// Expands the inputs into report files (and signatures whose report is gone).
void collect(const VerifyOptions& options, std::vector<std::filesystem::path>& reports,
             std::vector<std::filesystem::path>& orphan_signatures) {
  std::set<std::filesystem::path> seen;
  auto add = [&](std::filesystem::path path) {
    if (path.extension() == ".p7s") path.replace_extension();
    if (seen.insert(path).second) reports.push_back(path);
  };
  for (const auto& input : options.inputs) {
    std::error_code error;
    if (std::filesystem::is_directory(input, error)) {
      for (const ReportSet& set : list_report_sets(input)) {
        for (const auto& report : set.reports) add(report);
        for (const auto& signature : set.signatures) {
          std::filesystem::path report = signature;
          report.replace_extension();
          if (!std::filesystem::exists(report)) orphan_signatures.push_back(signature);
        }
      }
    } else if (std::filesystem::exists(input, error) ||
               (input.extension() != ".p7s" && std::filesystem::exists(input.string() + ".p7s", error))) {
      add(input);
    } else {
      throw SigningError(kExitUsage, tr("{0}: no such file or directory", input.string()));
    }
  }
}

}  // namespace

int run_verify(const VerifyOptions& options, std::ostream& out) {
  try {
    if (!options.ca_file) {
      throw SigningError(kExitUsage, _("no CA to check the signer against: pass --ca FILE (the regional CA "
                                       "certificate, or the agent's self-signed agent.crt)"));
    }
    const std::time_t now = options.now != 0 ? options.now : std::time(nullptr);
    const X509StorePtr store = load_ca_store(*options.ca_file);
    const SchemaChecker schemas(options.xsd, options.json_schema);
    std::vector<std::filesystem::path> paths;
    std::vector<std::filesystem::path> orphans;
    collect(options, paths, orphans);
    if (paths.empty() && orphans.empty()) throw SigningError(kExitUsage, _("no report to verify"));

    std::vector<ReportFile> files;
    std::map<std::string, std::string> sha256_by_name;
    for (const auto& path : paths) {
      ReportFile file{path, {}, {}, std::nullopt};
      std::error_code error;
      if (!std::filesystem::exists(path, error)) {
        out << "FAIL " << path.filename().string() << ": " << _("report missing (only its signature is here)") << "\n";
        continue;
      }
      file.bytes = read_file(path);
      file.sha256 = sha256_hex(file.bytes);
      const auto p7s = std::filesystem::path(path.string() + ".p7s");
      if (std::filesystem::exists(p7s, error)) file.signature = read_file(p7s);
      sha256_by_name[path.filename().string()] = file.sha256;
      files.push_back(std::move(file));
    }

    std::size_t problems = 0;
    std::vector<std::string> notes;
    auto fail = [&](const std::string& name, const std::string& what) {
      out << "FAIL " << name << ": " << what << "\n";
      ++problems;
    };
    for (const auto& orphan : orphans)
      fail(orphan.filename().string(), _("signature without its report (report missing)"));

    // name of the set (stem) -> chain entry, and the file that gave it.
    std::map<std::string, std::pair<ChainEntry, std::string>> sets;
    for (const ReportFile& file : files) {
      const std::string name = file.path.filename().string();
      const std::size_t before = problems;
      std::string signer;
      SignatureFindings found;
      if (!file.signature) {
        fail(name, tr("unsigned: {0} is missing", p7s_name(file.path)));
      } else {
        found = check_signature({file.path, file.bytes, *file.signature, &sha256_by_name, true}, store.get(),
                                options.expiry_at, now);
        for (const auto& problem : found.problems) fail(name, problem);
        for (const auto& note : found.notes) notes.push_back(name + ": " + note);
        signer = found.signer;
      }
      for (const auto& violation : schemas.check(file.path, file.bytes)) fail(name, "schema: " + violation);
      if (carries_chain_fields(file.path) && !schemas.covers(file.path)) {
        notes.push_back(name + ": " + _("not checked against a schema (none given for this format)"));
      }
      const auto parsed = parse_report_name(name);
      const std::string stem = parsed ? parsed->stem : name;
      auto& [entry, source] = sets[stem];
      entry.name = stem;
      entry.hostname = parsed ? parsed->hostname : "";
      entry.timestamp = parsed ? parsed->timestamp : "";
      entry.file_sha256.push_back(file.sha256);
      if (carries_chain_fields(file.path)) {
        try {
          const ChainFields fields = read_chain_fields(file.path, file.bytes);
          if (source.empty()) {
            entry.sequence = fields.sequence;
            entry.previous_sha256 = fields.previous_sha256;
            entry.report_id = fields.report_id;
            source = name;
            // #20.5: every report of a chain signed by one identity. (The
            // report's host.machine_id may be an audited image's, --root:
            // the chain is the signer's, so it is not compared here; the
            // collector, which receives a host's own reports, does.)
            entry.signer_identity =
                !found.signer_machine_id.empty() ? found.signer_machine_id : found.signer_fingerprint;
          } else if (fields.sequence != entry.sequence || fields.previous_sha256 != entry.previous_sha256) {
            fail(name, tr("disagrees with {0} on run.sequence or run.previous_sha256", source));
          }
        } catch (const std::runtime_error& error) {
          fail(name, tr("no chain fields: {0}", error.what()));
        }
      }
      if (problems == before) out << "ok   " << name << (signer.empty() ? "" : tr(": signed by {0}", signer)) << "\n";
    }

    std::vector<ChainEntry> entries;
    for (auto& [stem, value] : sets) {
      if (!value.second.empty()) entries.push_back(std::move(value.first));
    }
    const ChainFindings chain = check_chain(std::move(entries));
    for (const auto& problem : chain.problems) {
      out << "FAIL chain: " << problem << "\n";
      ++problems;
    }
    for (const auto& note : chain.notes) notes.push_back("chain: " + note);
    for (const auto& note : notes) out << "note " << note << "\n";
    if (problems == 0) {
      out << tr("verified {0} report file(s): signatures, certificate chain, schema, sequence and hash chain hold",
                files.size())
          << "\n";
      return kExitOk;
    }
    out << tr("{0} problem(s) in {1} report file(s)", problems, files.size()) << "\n";
    return kExitProblemFound;
  } catch (const SigningError& error) {
    out << "clinic-audit verify: " << error.what() << "\n";
    return error.exit_code();
  } catch (const std::filesystem::filesystem_error& error) {
    out << "clinic-audit verify: " << i18n::error_text(error) << "\n";
    return kExitUsage;
  }
}

VerifiedReport verify_report(const ReportBytes& report, X509_STORE* store, const SchemaChecker& schemas,
                             ExpiryAt expiry_at, std::time_t now, bool require_machine_id) {
  VerifiedReport result;
  result.sha256 = sha256_hex(report.bytes);
  SignatureInput input{report.name,       report.bytes,        report.signature_der, nullptr,
                       report.check_name, report.known_signer, result.sha256};
  result.signature = check_signature(input, store, expiry_at, now);
  result.format = sniff_report_format(report.bytes);
  if (!result.format) {
    result.format_problems.push_back("neither a JSON nor an XML report (it starts with neither '{' nor '<')");
  } else {
    // Parsed once, for the schema and for the content (the collector's
    // CPU per report: parsing was most of it).
    const std::filesystem::path as = std::string("report.") + to_string(*result.format);
    std::vector<std::string> violations;
    try {
      // Certainly valid and read without a document: what the JSON branch
      // below would find (ReportReaderFast.*, fuzz_report_reader).
      std::optional<ReportContent> fast;
      if (*result.format == ReportFormat::json && schemas.json_fast_read_allowed()) {
        fast = read_json_report_fast(report.bytes);
      }
      if (fast) {
        result.content = std::move(fast);
      } else if (*result.format == ReportFormat::json) {
        nlohmann::json document;
        try {
          document = parse_bounded_json(report.bytes);
        } catch (const nlohmann::json::parse_error& error) {
          if (schemas.covers(as)) violations.emplace_back("not valid JSON");
          throw std::runtime_error("not well-formed JSON at byte " + std::to_string(error.byte));
        } catch (const nlohmann::json::exception& error) {
          // out_of_range 406: a number beyond a double ("6e666").
          if (schemas.covers(as)) violations.emplace_back("not valid JSON");
          throw std::runtime_error(std::string("unreadable JSON: ") + error.what());
        }
        violations = schemas.check_json(document);
        result.content = report_content_of(document);
      } else {
        // XML_PARSE_NONET: never fetch anything; entities are not substituted.
        const std::unique_ptr<xmlDoc, void (*)(xmlDoc*)> document(
            libxml2().xmlReadMemory(report.bytes.data(), static_cast<int>(report.bytes.size()), "report.xml", nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
            libxml2().xmlFreeDoc);
        if (!document) {
          if (schemas.covers(as)) violations.emplace_back("not well-formed XML");
          throw std::runtime_error("not well-formed XML");
        }
        violations = schemas.check_xml(document.get());
        result.content = report_content_of(document.get());
      }
    } catch (const std::exception& error) {
      result.format_problems.push_back(std::string("cannot read the report: ") + i18n::exception_text(error));
    }
    for (const auto& violation : violations) result.schema_problems.push_back("schema: " + violation);
  }
  if (result.content) {
    if (result.content->sequence == 0) {
      result.format_problems.push_back("run.sequence is 0: the report is not part of a chain");
    } else if (result.content->sequence > kMaxSequence) {
      result.format_problems.push_back("sequence overflow: run.sequence " + std::to_string(result.content->sequence) +
                                       " is beyond 2^63-1 (the next sequence would wrap)");
    }
    bind_identity(result.signature, result.content->machine_id, require_machine_id, result.identity_problems,
                  result.notes);
  }
  for (const auto* list :
       {&result.signature.problems, &result.format_problems, &result.schema_problems, &result.identity_problems}) {
    result.problems.insert(result.problems.end(), list->begin(), list->end());
  }
  result.notes.insert(result.notes.end(), result.signature.notes.begin(), result.signature.notes.end());
  return result;
}

}  // namespace clinic_audit::signing
