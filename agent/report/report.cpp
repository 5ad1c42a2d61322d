#include "report.hpp"

namespace clinic_audit {

std::map<Status, int> Report::counts() const {
  std::map<Status, int> out;
  for (Status s :
       {Status::pass, Status::fail, Status::error, Status::not_applicable, Status::waived, Status::skipped}) {
    out[s] = 0;
  }
  for (const auto& r : results) ++out[r.status];
  return out;
}

bool Report::compliant() const {
  for (const auto& r : results) {
    if (r.status == Status::fail || r.status == Status::error) return false;
  }
  return true;
}

}  // namespace clinic_audit
