#include "context.hpp"

namespace clinic_audit {

Context::Context(const RootFs& fs, CommandRunner& commands, NetworkSettings network)
    : fs_(fs), commands_(commands), network_(std::move(network)) {}

const Accounts& Context::accounts() const {
  // call_once re-runs the loader if it threw, so a transient failure is retried
  // by the next check instead of being cached.
  std::call_once(accounts_once_, [this] { accounts_ = std::make_unique<Accounts>(Accounts::load(fs_)); });
  return *accounts_;
}

}  // namespace clinic_audit
