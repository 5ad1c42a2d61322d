#include "context.hpp"

namespace clinic_audit {

Context::Context(const RootFs& fs, CommandRunner& commands, NetworkSettings network)
    : fs_(fs), commands_(commands), network_(std::move(network)) {}

const Accounts& Context::accounts() const {
  // A mutex rather than std::call_once: a loader that throws must leave the
  // next check free to retry (a transient failure is not cached), and
  // call_once's exceptional path is not dependable (GCC bug 66146; under
  // ThreadSanitizer's pthread_once the retry waited forever).
  const std::lock_guard lock(accounts_mutex_);
  if (!accounts_) accounts_ = std::make_unique<Accounts>(Accounts::load(fs_));
  return *accounts_;
}

}  // namespace clinic_audit
