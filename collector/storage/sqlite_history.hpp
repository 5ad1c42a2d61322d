// The chain links the judge looks at for an incoming report, read from the
// SQLite store inside the ingest transaction (records.hpp, ChainHistory).
#pragma once

#include <vector>

#include "records.hpp"
#include "sqlite_db.hpp"

namespace clinic_audit::collector::sqlite {

// The stored links judge_next() can look at for `in` (signing/chain_check.cpp):
// the host's reports with sequence s-1, s, s+1, with its report id, the one
// its previous_sha256 names, the newest and one with the lowest sequence,
// each once, by sequence then id. Its verdict on these is the one it gives
// on the whole chain, and loading them costs the same whether the host has
// 10 reports or 10,000 (the whole chain per report made a month's backlog
// quadratic). A restart (no previous hash) names how many reports are
// stored, so it gets the whole chain.
std::vector<ChainLink> load_chain_links(Connection& db, const ReportRow& in);

}  // namespace clinic_audit::collector::sqlite
