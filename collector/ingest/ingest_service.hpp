// POST /api/v1/reports (DESIGN.md §7, issue #11 item 4): checks in order the
// signature over the exact bytes, that the signer is the TLS client
// certificate, the chain to the regional CA, the report's schema, that
// host.machine_id is the certificate's, then judges the chain and stores the
// report, committing before it answers.
#pragma once

#include <openssl/x509.h>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "answer.hpp"
#include "cms_known_signer.hpp"
#include "schema_check.hpp"
#include "storage.hpp"

namespace clinic_audit::collector {

// What the TLS layer learnt about the client (see server/session.cpp).
struct ClientCertificate {
  X509* certificate = nullptr;  // the peer's leaf, nullptr when none was sent
  bool chain_verified = false;  // OpenSSL verified it against the regional CA
  std::string chain_error;      // why not, when it did not
  // The certificate decoded and its verified chain, kept for the
  // connection's life: the reports it signs are checked without decoding it
  // again (signing::KnownSigner).
  std::shared_ptr<const signing::KnownSigner> known;
};

class IngestService {
 public:
  IngestService(
      Storage& storage, X509_STORE* ca_store, const signing::SchemaChecker& schemas,
      std::function<std::time_t()> clock = [] { return std::time(nullptr); });

  Answer ingest(std::string_view content_type, std::string_view body, const ClientCertificate& client);
  // The same checks, then the storage's asynchronous ingest: `done` gets
  // the answer once the report's transaction committed (or at once for a
  // refused report). The server's workers do not wait for the commit.
  // `body` and `client` are only read before this returns.
  void ingest_async(std::string_view content_type, std::string_view body, const ClientCertificate& client,
                    std::function<void(Answer)> done);

 private:
  // A refusal (the answer), or the report to store as of `now`.
  struct Checked {
    Checked() = default;
    Checked(Answer answer)
        : refused(std::move(answer)) {}  // NOLINT(google-explicit-constructor): `return error_answer(...)`
    Checked(std::shared_ptr<IncomingReport> report, std::int64_t at) : incoming(std::move(report)), now(at) {}
    std::optional<Answer> refused;
    std::shared_ptr<IncomingReport> incoming;
    std::int64_t now = 0;
  };
  Checked check(std::string_view content_type, std::string_view body, const ClientCertificate& client);
  // 201/200 from the stored result; 503 + Retry-After when the database is
  // busy; 500 (logged) for anything else.
  static Answer answer_of(std::optional<IngestResult> result, std::exception_ptr error, const ReportRow& row);

  Storage& storage_;
  X509_STORE* ca_store_;
  const signing::SchemaChecker& schemas_;
  std::function<std::time_t()> clock_;
};

// The judge the storage calls inside its transaction: signing::judge_next()
// on the stored history.
Judgement judge_chain(const ChainHistory& history, const IncomingReport& incoming);

}  // namespace clinic_audit::collector
