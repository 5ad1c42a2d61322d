// `clinic-audit-collector verify` (issue #11 item 9): re-checks every stored
// report with the shared verification (ca_signing's verify_report: exact
// bytes against the stored signature, chain to the regional CA at signing
// time, schema, machine-id binding), that the stored columns still say what
// the bytes say, and each host's chain with check_chain (the rules of
// `clinic-audit verify`). Names each problem; returns 0 when all hold, 1
// otherwise.
#pragma once

#include <openssl/x509.h>

#include <ostream>

#include "schema_check.hpp"
#include "storage.hpp"

namespace clinic_audit::collector {

int verify_store(Storage& storage, X509_STORE* ca_store, const signing::SchemaChecker& schemas, std::ostream& out);

}  // namespace clinic_audit::collector
