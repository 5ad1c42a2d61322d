// Internal to the prober (includes Asio): the runner that bounds concurrency
// and the per-probe state machine. Included by prober.cpp and
// probe_session.cpp only.
#pragma once

#include <utility>  // Boost 1.74's Asio uses std::exchange without including it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "probe.hpp"

namespace clinic_audit::reachability {

class ProbeRunner {
 public:
  ProbeRunner(const std::vector<ProbeTarget>& targets, const ProbeOptions& options);
  std::vector<ProbeResult> run();

  boost::asio::io_context& io() { return io_; }
  boost::asio::ssl::context& ssl() { return ssl_; }
  const ProbeOptions& options() const { return options_; }
  ProbeResult& result(std::size_t index) { return results_[index]; }
  void finished();

 private:
  void launch_more();

  boost::asio::io_context io_;
  boost::asio::ssl::context ssl_;
  const std::vector<ProbeTarget>& targets_;
  const ProbeOptions& options_;
  std::vector<ProbeResult> results_;
  std::size_t next_ = 0;
  std::size_t in_flight_ = 0;
};

class ProbeSession : public std::enable_shared_from_this<ProbeSession> {
 public:
  ProbeSession(ProbeRunner& runner, std::size_t index);
  void start();

 private:
  using error_code = boost::system::error_code;

  void finish(ReachState state, std::string detail);
  void fail_io(const error_code& ec, const std::string& what);
  bool done() const { return finished_; }

  // Stream transports: connect [-> CONNECT] [-> TLS] [-> upgrade | STUN].
  void connect();
  void send_proxy_connect();
  void on_tunnel();
  void after_transport();
  void start_tls();
  void send_upgrade();
  void send_stun_stream();
  void read_stun_stream();
  template <class Handler>
  void read_head(Handler handler);
  template <class Handler>
  void write(std::string data, Handler handler);
  template <class Handler>
  void read_some(Handler handler);

  // UDP: connected socket, retransmissions (RFC 5389 §7.2.1), ICMP via errors.
  void start_udp();
  void send_udp();
  void receive_udp();

  ProbeRunner& runner_;
  ProbeResult& result_;
  const ProbeTarget& target_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer retransmit_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::milliseconds rto_{500};
  bool finished_ = false;
  bool tls_active_ = false;
  TransactionId transaction_{};
  std::string ws_key_;
  std::string head_;              // HTTP head being read
  std::vector<std::uint8_t> rx_;  // STUN bytes being read
  std::array<std::uint8_t, 4096> chunk_{};
  std::vector<std::uint8_t> request_;
  int ignored_datagrams_ = 0;
};

}  // namespace clinic_audit::reachability
