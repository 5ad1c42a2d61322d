#include "sqlite_history.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

namespace clinic_audit::collector::sqlite {
namespace {

constexpr const char* kChainLinkColumns =
    "id, report_id, sequence, previous_sha256, sha256, signer_fingerprint, received_at";

bool needs_whole_chain(const ReportRow& in) {
  return !in.previous_sha256 || in.sequence < 1 ||
         in.sequence >= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
}

// Appends the rows of `s` whose id is not there yet.
void add_links(Statement& s, std::vector<ChainLink>& links) {
  while (s.step()) {
    const std::int64_t id = s.integer(0);
    if (std::any_of(links.begin(), links.end(), [id](const ChainLink& l) { return l.id == id; })) continue;
    links.push_back({id, s.text(1), static_cast<std::uint64_t>(s.integer(2)), s.optional_text(3), s.text(4), s.text(5),
                     s.integer(6)});
  }
}

std::vector<ChainLink> whole_chain(Connection& db, const std::string& machine_id) {
  static const std::string whole =
      std::string("SELECT ") + kChainLinkColumns + " FROM reports WHERE machine_id = ? ORDER BY sequence, id";
  std::vector<ChainLink> links;
  Statement s(db, whole.c_str());
  s.bind(1, machine_id);
  add_links(s, links);
  return links;
}

}  // namespace

std::vector<ChainLink> load_chain_links(Connection& db, const ReportRow& in) {
  if (needs_whole_chain(in)) return whole_chain(db, in.machine_id);
  // Five index seeks (reports_host_sequence, reports_report_id, the UNIQUE
  // sha256), each its own statement: one statement joining them with UNION
  // built and dropped an ephemeral table per branch and per report, a sixth
  // of the storage's CPU (perf, collector/bench/bench_storage).
  static const std::string head = std::string("SELECT ") + kChainLinkColumns + " FROM reports WHERE ";
  static const std::string around = head + "machine_id = ?1 AND sequence BETWEEN ?2 AND ?3";
  static const std::string same_id = head + "report_id = ?1 AND machine_id = ?2";
  static const std::string named = head + "sha256 = ?1 AND machine_id = ?2";
  static const std::string newest = head + "machine_id = ?1 ORDER BY sequence DESC, id DESC LIMIT 1";
  static const std::string lowest = head + "machine_id = ?1 ORDER BY sequence ASC, id ASC LIMIT 1";
  const auto sequence = static_cast<std::int64_t>(in.sequence);
  std::vector<ChainLink> links;
  {
    Statement s(db, around.c_str());
    s.bind(1, in.machine_id).bind(2, sequence - 1).bind(3, sequence + 1);
    add_links(s, links);
  }
  {
    Statement s(db, same_id.c_str());
    s.bind(1, in.report_id).bind(2, in.machine_id);
    add_links(s, links);
  }
  {
    Statement s(db, named.c_str());
    s.bind(1, in.previous_sha256).bind(2, in.machine_id);
    add_links(s, links);
  }
  for (const std::string* sql : {&newest, &lowest}) {
    Statement s(db, sql->c_str());
    s.bind(1, in.machine_id);
    add_links(s, links);
  }
  std::sort(links.begin(), links.end(), [](const ChainLink& a, const ChainLink& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.id < b.id;
  });
  return links;
}

}  // namespace clinic_audit::collector::sqlite
