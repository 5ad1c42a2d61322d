// DNS for the reachability probes. getaddrinfo blocks and Asio's resolver
// runs every lookup of an io_context on one hidden thread, one after the
// other, so a slow DNS server would serialise the whole policy. Each lookup
// runs on its own detached thread instead; a lookup still running at the
// deadline is abandoned (its thread finishes into a shared state no one reads).
#include <netdb.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "probe.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::reachability {
namespace {

struct SharedState {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<DnsAnswer> answers;
  std::vector<bool> done;
  std::size_t running = 0;
};

DnsAnswer lookup(const std::string& host) {
  DnsAnswer answer;
  answer.host = host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address instead of one per socket type
  addrinfo* list = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
  if (rc != 0) {
    answer.error = i18n::gai_error_text(rc);
    return answer;
  }
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    if (getnameinfo(entry->ai_addr, entry->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    auto& family = entry->ai_family == AF_INET6 ? answer.ipv6 : answer.ipv4;
    if (std::find(family.begin(), family.end(), text) == family.end()) family.emplace_back(text);
  }
  freeaddrinfo(list);
  if (answer.ipv4.empty() && answer.ipv6.empty()) answer.error = _("no address");
  return answer;
}

}  // namespace

std::vector<std::string> DnsAnswer::all() const {
  std::vector<std::string> addresses = ipv4;
  addresses.insert(addresses.end(), ipv6.begin(), ipv6.end());
  return addresses;
}

std::vector<DnsAnswer> resolve_all(const std::vector<std::string>& hosts, std::chrono::milliseconds timeout,
                                   std::size_t max_concurrency) {
  auto state = std::make_shared<SharedState>();
  state->answers.resize(hosts.size());
  state->done.assign(hosts.size(), false);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  max_concurrency = std::max<std::size_t>(1, max_concurrency);

  std::unique_lock lock(state->mutex);
  std::size_t next = 0;
  while (true) {
    while (next < hosts.size() && state->running < max_concurrency) {
      const std::size_t index = next++;
      if (is_ip_literal(hosts[index])) {
        DnsAnswer& answer = state->answers[index];
        answer.host = hosts[index];
        (hosts[index].find(':') == std::string::npos ? answer.ipv4 : answer.ipv6).push_back(hosts[index]);
        state->done[index] = true;
        continue;
      }
      ++state->running;
      std::thread([state, index, host = hosts[index]] {
        DnsAnswer answer = lookup(host);
        const std::lock_guard guard(state->mutex);
        state->answers[index] = std::move(answer);
        state->done[index] = true;
        --state->running;
        state->changed.notify_all();
      }).detach();
    }
    const bool all_done = std::all_of(state->done.begin(), state->done.end(), [](bool d) { return d; });
    if (all_done) break;
    if (state->changed.wait_until(lock, deadline) == std::cv_status::timeout) break;
  }
  std::vector<DnsAnswer> answers = state->answers;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (!state->done[i]) {
      answers[i] = DnsAnswer{};
      answers[i].host = hosts[i];
      answers[i].error = i < next ? _("timed out") : _("not attempted: DNS lookups ran out of time");
    }
  }
  return answers;
}

}  // namespace clinic_audit::reachability
