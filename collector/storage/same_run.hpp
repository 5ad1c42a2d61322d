// The other format of a stored run (issue #11 item 4: "JSON and XML
// reports both accepted"): a run writes its report as JSON and XML, the
// same report_id, sequence and previous hash in both, different bytes. The
// second to arrive is answered 200 as the same report, stored once, but
// only if it says what the stored one says. A report that reuses a stored
// run's identifiers with other content (a result turned from fail to pass,
// signed by the host's key) is a new report for the chain judge to flag
// (replay or fork), never acknowledged as already stored.
#pragma once

#include <vector>

#include "records.hpp"

namespace clinic_audit::collector {

// Host name, start time, compliance, counts and every result field, in
// order, are the same; evidence compared as both formats can write it
// (same_run.cpp).
bool same_run_content(const ReportRow& stored, const std::vector<ResultRow>& stored_results,
                      const IncomingReport& incoming);

}  // namespace clinic_audit::collector
