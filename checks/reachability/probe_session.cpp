#include "probe_session.hpp"  // first: it includes <utility> before Asio
#include "i18n.hpp"
#include "openssl_error_text.hpp"
#include "system_error_text.hpp"

#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>

namespace clinic_audit::reachability {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

namespace {

constexpr std::size_t kMaxStunMessage = 64 * 1024;

std::string bracket(const std::string& host) { return host.find(':') != std::string::npos ? "[" + host + "]" : host; }

// Linux reports ICMP errors on a connected socket as errno values (ip(7),
// udp(7)): port unreachable -> ECONNREFUSED; host, network, or
// administratively prohibited -> EHOSTUNREACH / ENETUNREACH; a local
// firewall rejecting the packet -> EPERM on send.
ReachState classify(const boost::system::error_code& ec) {
  if (ec == asio::error::connection_refused) return ReachState::refused;
  if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable || ec.value() == EPERM ||
      ec.value() == EACCES || ec.value() == EADDRNOTAVAIL) {
    return ReachState::unreachable;
  }
  return ReachState::failed;
}

template <std::size_t N>
void random_bytes(std::array<std::uint8_t, N>& out) {
  if (RAND_bytes(out.data(), static_cast<int>(N)) != 1) throw std::runtime_error("RAND_bytes failed");
}

}  // namespace

ProbeSession::ProbeSession(ProbeRunner& runner, std::size_t index)
    : runner_(runner),
      result_(runner.result(index)),
      target_(result_.target),
      stream_(runner.io(), runner.ssl()),
      udp_(runner.io()),
      deadline_(runner.io()),
      retransmit_(runner.io()) {}

void ProbeSession::start() {
  started_ = std::chrono::steady_clock::now();
  random_bytes(transaction_);  // RFC 5389 §6: 96 random bits, unguessable
  const auto timeout = runner_.options().timeout;
  deadline_.expires_after(timeout);
  deadline_.async_wait([self = shared_from_this(), timeout](const error_code& ec) {
    if (ec || self->done()) return;
    std::string detail = tr("no answer within {0} ms", timeout.count());
    if (self->target_.transport == Transport::stun_udp) {
      detail += _(" (silence proves nothing for UDP: unverified)");
    }
    self->finish(ReachState::timeout, detail);
  });
  try {
    if (target_.transport == Transport::stun_udp) {
      start_udp();
    } else {
      connect();
    }
  } catch (const std::exception& e) {
    finish(ReachState::failed, i18n::exception_text(e));
  }
}

void ProbeSession::finish(ReachState state, std::string detail) {
  if (finished_) return;
  finished_ = true;
  result_.state = state;
  result_.detail = std::move(detail);
  result_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_);
  error_code ignored;
  deadline_.cancel();
  retransmit_.cancel();
  stream_.next_layer().close(ignored);
  udp_.close(ignored);
  runner_.finished();
}

void ProbeSession::fail_io(const error_code& ec, const std::string& what) {
  if (done()) return;
  if (ec == asio::error::eof && result_.stage != "connect") {
    finish(ReachState::failed, tr("{0}: the peer closed the connection", what));
    return;
  }
  const ReachState state = classify(ec);
  std::string detail = what + ": " + i18n::error_text(ec);
  if (state == ReachState::refused && target_.transport == Transport::stun_udp) {
    detail = tr("ICMP port unreachable: UDP packets reach the host, nothing listens on port {0}", target_.port);
  }
  finish(state, detail);
}

// ---- stream transports --------------------------------------------------

void ProbeSession::connect() {
  result_.stage = "connect";
  const auto& proxy = runner_.options().proxy;
  const bool via_proxy = target_.via_proxy && proxy.has_value();
  const std::string& address = via_proxy ? proxy->address : target_.address;
  const std::uint16_t port = via_proxy ? proxy->spec.port : target_.port;
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) {
    finish(ReachState::failed, tr("no address to connect to ('{0}')", address));
    return;
  }
  if (via_proxy) result_.stage = "proxy";
  stream_.next_layer().async_connect(tcp::endpoint(ip, port),
                                     [self = shared_from_this(), via_proxy](const error_code& e) {
                                       if (self->done()) return;
                                       if (e) {
                                         self->fail_io(e, via_proxy ? _("connect to the proxy") : _("TCP connect"));
                                         return;
                                       }
                                       self->result_.connected = true;
                                       if (via_proxy) {
                                         self->send_proxy_connect();
                                       } else {
                                         self->after_transport();
                                       }
                                     });
}

void ProbeSession::send_proxy_connect() {
  const auto& proxy = *runner_.options().proxy;
  const std::string authority = bracket(target_.host) + ":" + std::to_string(target_.port);
  std::string request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  if (!proxy.spec.authorization.empty()) request += "Proxy-Authorization: " + proxy.spec.authorization + "\r\n";
  request += "User-Agent: clinic-audit\r\n\r\n";
  write(std::move(request), [self = shared_from_this()] {
    self->read_head([self](const HttpResponseHead& head) {
      self->result_.proxy_status = head.status;
      if (head.status >= 200 && head.status < 300) {
        self->head_.clear();
        self->on_tunnel();
        return;
      }
      if (auto via = head.header("Via")) self->result_.proxy_detail = "Via: " + *via;
      if (auto server = head.header("Server"))
        self->result_.proxy_detail += (self->result_.proxy_detail.empty() ? "" : ", ") + ("Server: " + *server);
      std::string detail = tr("the proxy {0} answered HTTP {1} {2} to CONNECT",
                              self->runner_.options().proxy->spec.display, head.status, head.reason);
      if (head.status == 407) detail += _(" (proxy authentication required: put user:password in the proxy URL)");
      self->finish(ReachState::failed, detail);
    });
  });
}

void ProbeSession::on_tunnel() { after_transport(); }

void ProbeSession::after_transport() {
  switch (target_.transport) {
    case Transport::tcp: finish(ReachState::answered, _("TCP connection established")); return;
    case Transport::stun_tcp: send_stun_stream(); return;
    default: start_tls(); return;
  }
}

void ProbeSession::start_tls() {
  result_.stage = "tls";
  SSL* ssl = stream_.native_handle();
  const bool literal = is_ip_literal(target_.host);
  // RFC 6066 §3: SNI carries host names only, never IP literals.
  // (SSL_set_tlsext_host_name is a macro with an old-style cast; this is its expansion.)
  if (!literal) {
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(target_.host.c_str()));
  }
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (literal) {
    X509_VERIFY_PARAM_set1_ip_asc(param, target_.host.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    SSL_set1_host(ssl, target_.host.c_str());
  }
  stream_.async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](const error_code& ec) {
    if (self->done()) return;
    if (ec) {
      std::string detail = tr("TLS handshake failed: {0}", i18n::tls_error_text(ec));
      if (self->runner_.options().proxy && self->target_.via_proxy) detail += _(" (through the proxy's tunnel)");
      self->finish(ReachState::failed, detail);
      return;
    }
    self->tls_active_ = true;
    self->result_.certificate = inspect_peer_certificate(self->stream_.native_handle());
    switch (self->target_.transport) {
      case Transport::wss: self->send_upgrade(); return;
      case Transport::stun_tls: self->send_stun_stream(); return;
      default: self->finish(ReachState::answered, _("TLS handshake completed")); return;
    }
  });
}

void ProbeSession::send_upgrade() {
  result_.stage = "upgrade";
  std::array<std::uint8_t, 16> nonce{};
  random_bytes(nonce);  // RFC 6455 §4.1: a fresh random 16-byte nonce per connection
  ws_key_ = websocket_key(nonce);
  const std::string host_header =
      bracket(target_.host) + (target_.port == 443 ? "" : ":" + std::to_string(target_.port));
  write(websocket_upgrade_request(host_header, target_.path, ws_key_, target_.origin), [self = shared_from_this()] {
    self->read_head([self](const HttpResponseHead& head) {
      self->result_.upgrade = judge_upgrade_response(head, self->ws_key_);
      self->finish(ReachState::answered, self->result_.upgrade->detail);
    });
  });
}

void ProbeSession::send_stun_stream() {
  result_.stage = "stun";
  const auto request = encode_binding_request(transaction_);
  write(std::string(request.begin(), request.end()), [self = shared_from_this()] { self->read_stun_stream(); });
}

void ProbeSession::read_stun_stream() {
  read_some([self = shared_from_this()](std::size_t n) {
    self->rx_.insert(self->rx_.end(), self->chunk_.begin(), self->chunk_.begin() + static_cast<std::ptrdiff_t>(n));
    if (self->rx_.size() < kStunHeaderSize) {
      self->read_stun_stream();
      return;
    }
    const auto length = stun_message_length(self->rx_);
    if (!length || *length > kMaxStunMessage) {
      self->finish(ReachState::failed, _("the server answered, but not with STUN"));
      return;
    }
    if (self->rx_.size() < *length) {
      self->read_stun_stream();
      return;
    }
    const auto decoded = decode_stun_response(std::span(self->rx_).first(*length), self->transaction_);
    if (decoded.response) {
      self->result_.stun = decoded.response;
      self->finish(ReachState::answered, _("STUN Binding answered"));
    } else {
      self->finish(ReachState::failed, "invalid STUN answer: " + to_string(*decoded.error));
    }
  });
}

template <class Handler>
void ProbeSession::write(std::string data, Handler handler) {
  auto buffer = std::make_shared<std::string>(std::move(data));
  auto done = [self = shared_from_this(), buffer, handler](const error_code& ec, std::size_t) {
    if (self->done()) return;
    if (ec) {
      self->fail_io(ec, "send");
      return;
    }
    handler();
  };
  if (tls_active_) {
    asio::async_write(stream_, asio::buffer(*buffer), done);
  } else {
    asio::async_write(stream_.next_layer(), asio::buffer(*buffer), done);
  }
}

template <class Handler>
void ProbeSession::read_some(Handler handler) {
  auto done = [self = shared_from_this(), handler](const error_code& ec, std::size_t n) {
    if (self->done()) return;
    if (ec) {
      self->fail_io(ec, "receive");
      return;
    }
    handler(n);
  };
  if (tls_active_) {
    stream_.async_read_some(asio::buffer(chunk_), done);
  } else {
    stream_.next_layer().async_read_some(asio::buffer(chunk_), done);
  }
}

template <class Handler>
void ProbeSession::read_head(Handler handler) {
  read_some([self = shared_from_this(), handler](std::size_t n) {
    self->head_.append(reinterpret_cast<const char*>(self->chunk_.data()), n);
    const auto end = find_head_end(self->head_);
    if (!end) {
      if (self->head_.size() > kMaxResponseHead) {
        self->finish(ReachState::failed, _("HTTP answer head larger than 16 KiB"));
      } else {
        self->read_head(handler);
      }
      return;
    }
    std::string error;
    const auto head = parse_response_head(std::string_view(self->head_).substr(0, *end), &error);
    if (!head) {
      self->finish(ReachState::failed, tr("not an HTTP answer ({0})", error));
      return;
    }
    handler(*head);
  });
}

// ---- UDP ----------------------------------------------------------------

void ProbeSession::start_udp() {
  result_.stage = "stun";
  error_code ec;
  const auto ip = asio::ip::make_address(target_.address, ec);
  if (ec) {
    finish(ReachState::failed, tr("no address to send to ('{0}')", target_.address));
    return;
  }
  udp_.open(ip.is_v4() ? udp::v4() : udp::v6(), ec);
  // A connected socket (connect(2) on UDP) is what makes the kernel report
  // ICMP errors for this peer back to us, and filters other senders.
  if (!ec) udp_.connect(udp::endpoint(ip, target_.port), ec);
  if (ec) {
    fail_io(ec, "UDP connect");
    return;
  }
  request_ = encode_binding_request(transaction_);
  receive_udp();
  send_udp();
}

void ProbeSession::send_udp() {
  udp_.async_send(asio::buffer(request_), [self = shared_from_this()](const error_code& ec, std::size_t) {
    if (self->done()) return;
    if (ec) {
      self->fail_io(ec, "UDP send");
      return;
    }
    // RFC 5389 §7.2.1: retransmit with the same transaction id, RTO doubling from 500 ms.
    self->retransmit_.expires_after(self->rto_);
    self->rto_ *= 2;
    self->retransmit_.async_wait([self](const error_code& e) {
      if (!e && !self->done()) self->send_udp();
    });
  });
}

void ProbeSession::receive_udp() {
  udp_.async_receive(asio::buffer(chunk_), [self = shared_from_this()](const error_code& ec, std::size_t n) {
    if (self->done()) return;
    if (ec) {
      self->fail_io(ec, "UDP receive");
      return;
    }
    const auto decoded = decode_stun_response(std::span(self->chunk_).first(n), self->transaction_);
    if (decoded.response) {
      self->result_.stun = decoded.response;
      std::string detail = _("STUN Binding answered over UDP: the path works both ways");
      if (self->ignored_datagrams_ > 0) detail += tr(" ({0} stray datagrams ignored)", self->ignored_datagrams_);
      self->finish(ReachState::answered, detail);
      return;
    }
    ++self->ignored_datagrams_;  // §7.3: not our transaction; keep waiting
    self->receive_udp();
  });
}

}  // namespace clinic_audit::reachability
