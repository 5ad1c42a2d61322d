// Signed reports (issue #8; DESIGN.md §4-§6): the library ca_signing.
//
// What the agent calls, in run-pipeline order (`clinic-audit run --out DIR`):
//
//  1. Before any check runs, unless --no-sign:
//       SigningIdentity id = SigningIdentity::load(key, cert, chain);
//     (/etc/clinic-audit/agent.key, agent.crt; chain optional.) On
//     SigningError print what() and exit with exit_code() (65): nothing has
//     been written and no sequence number was taken.
//  2. After the checks, before rendering:
//       ChainState chain = ChainState::begin(state_dir, out_dir, sign);
//     (state_dir: --state-dir, default /var/lib/clinic-audit; the state file
//     is STATE_DIR/state.) Put chain.sequence() and chain.previous_sha256()
//     into report.run, then render every format.
//  3. Write the report files atomically (write_file_atomically here, or the
//     agent's own temp + fsync + rename).
//  4. Unless --no-sign: sign_report_set(id, written) -> NAME.p7s beside each.
//     On SigningError it has removed the reports; exit with its code.
//  5. Spool the set, if the run spools (before step 6, see retention.hpp).
//  6. chain.commit(choose_primary(written)).
//  7. prune_reports(out_dir, keep_n, acknowledged_unless_spooled(spool_dir)).
//  Without --out nothing of this runs: a report on stdout is not chained.
//
// Other commands:
//   clinic-audit keygen [--csr FILE] [--force] [--rsa [BITS]]  -> run_keygen
//   clinic-audit verify REPORT...|DIR [--ca FILE]               -> run_verify
//
// Crash points (CLINIC_AUDIT_CRASH_AT=STEP or STEP#N, crash_point.hpp), in
// order: reserve:temp-written, reserve:renamed, [report:temp-written,
// report:renamed when reports are written with write_file_atomically(...,
// "report")], signature:temp-written, signature:renamed, commit:temp-written,
// commit:renamed.
//
// Key material never leaves SigningIdentity: no message, log line or
// exception text contains it (identity.cpp wipes the PEM after parsing).
#pragma once

#include "atomic_file.hpp"
#include "chain_state.hpp"
#include "crash_point.hpp"
#include "identity.hpp"
#include "keygen.hpp"
#include "report_files.hpp"
#include "retention.hpp"
#include "sign_report.hpp"
#include "signing_error.hpp"
#include "verify.hpp"
