// The probes themselves: one Asio io_context on the calling thread, every
// probe an asynchronous state machine with its own deadline, at most
// max_concurrency in flight. This is the only translation unit that includes
// Asio (compile time on small machines).
#include "probe_session.hpp"  // first: it includes <utility> before Asio
#include "i18n.hpp"
#include "system_error_text.hpp"

#include <openssl/ssl.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace clinic_audit::reachability {

ProbeRunner::ProbeRunner(const std::vector<ProbeTarget>& targets, const ProbeOptions& options)
    : ssl_(boost::asio::ssl::context::tls_client), targets_(targets), options_(options), results_(targets.size()) {
  // Verification is judged after the handshake (SSL_get_verify_result) so
  // that an untrusted or weak certificate is reported, not just refused.
  ssl_.set_verify_mode(boost::asio::ssl::verify_none);
  // Security level 0: let a 1024-bit or SHA-1 certificate through the
  // handshake so that the annex-2 rule can name it (SSL_CTX_set_security_level(3)).
  SSL_CTX_set_security_level(ssl_.native_handle(), 0);
  boost::system::error_code ec;
  if (options.ca_path.empty()) {
    ssl_.set_default_verify_paths(ec);
  } else {
    struct stat info {};
    if (::stat(options.ca_path.c_str(), &info) != 0) {
      throw std::runtime_error(tr("trust store {0} does not exist", options.ca_path));
    }
    if (S_ISDIR(info.st_mode)) {
      ssl_.add_verify_path(options.ca_path, ec);
    } else {
      ssl_.load_verify_file(options.ca_path, ec);
    }
  }
  if (ec) throw std::runtime_error(tr("cannot load the trust store {0}: {1}", options.ca_path, i18n::error_text(ec)));
}

std::vector<ProbeResult> ProbeRunner::run() {
  for (std::size_t i = 0; i < targets_.size(); ++i) results_[i].target = targets_[i];
  launch_more();
  io_.run();
  return std::move(results_);
}

void ProbeRunner::launch_more() {
  const std::size_t limit = std::max<std::size_t>(1, options_.max_concurrency);
  while (next_ < targets_.size() && in_flight_ < limit) {
    ++in_flight_;
    std::make_shared<ProbeSession>(*this, next_++)->start();
  }
}

void ProbeRunner::finished() {
  --in_flight_;
  launch_more();
}

std::vector<ProbeResult> run_probes(const std::vector<ProbeTarget>& targets, const ProbeOptions& options) {
  ProbeRunner runner(targets, options);
  return runner.run();
}

std::string to_string(Transport transport) {
  switch (transport) {
    case Transport::tcp: return "tcp";
    case Transport::tls: return "tls";
    case Transport::wss: return "wss";
    case Transport::stun_udp: return "stun/udp";
    case Transport::stun_tcp: return "stun/tcp";
    case Transport::stun_tls: return "stun/tls";
  }
  return "?";
}

bool is_stream(Transport transport) { return transport != Transport::stun_udp; }

std::string to_string(ReachState state) {
  switch (state) {
    case ReachState::answered: return "answered";
    case ReachState::refused: return "refused";
    case ReachState::unreachable: return "unreachable";
    case ReachState::timeout: return "timeout";
    case ReachState::failed: return "failed";
  }
  return "?";
}

std::string ProbeTarget::label() const {
  std::string text = to_string(transport) + " " + host;
  const std::string& where = via_proxy ? host : address;
  const std::string shown = where.find(':') != std::string::npos ? "[" + where + "]" : where;
  if (!via_proxy && !address.empty() && address != host) {
    text += " " + shown + ":" + std::to_string(port);
  } else {
    text += ":" + std::to_string(port);
  }
  if (via_proxy) text += _(" via proxy");
  return text;
}

}  // namespace clinic_audit::reachability
