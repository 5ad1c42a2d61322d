#include <utility>  // Boost 1.74's Asio uses std::exchange without including it

#include "https_client.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <ctime>
#include <functional>

#include "identity.hpp"
#include "signing_error.hpp"
#include "version.hpp"
#include "i18n.hpp"
#include "openssl_error_text.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::delivery {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Kind = TransportError::Kind;

constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

std::string hex(const unsigned char* data, unsigned length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xF];
  }
  return out;
}

std::string fingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  return hex(digest, length);
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// The pin (enroll's first contact): the certificate with that fingerprint
// must be among those the server sent (the regional CA in its chain, or the
// server's own certificate), and the server's leaf must chain to it (with the name checks of the verification
// parameters: a copy of a public CA certificate in a forged chain proves nothing).
int verify_with_pin(X509_STORE_CTX* store_ctx, void* arg) {
  const std::string& pin = *static_cast<const std::string*>(arg);
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
  STACK_OF(X509)* untrusted = X509_STORE_CTX_get0_untrusted(store_ctx);
  X509* anchor = nullptr;
  if (leaf != nullptr && fingerprint(leaf) == pin) anchor = leaf;
  for (int i = 0; anchor == nullptr && untrusted != nullptr && i < sk_X509_num(untrusted); ++i) {
    if (fingerprint(sk_X509_value(untrusted, i)) == pin) anchor = sk_X509_value(untrusted, i);
  }
  if (anchor == nullptr) {
    X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_UNTRUSTED);
    return 0;
  }
  STACK_OF(X509)* trusted = sk_X509_new_null();
  sk_X509_push(trusted, anchor);
  X509_STORE_CTX_set0_trusted_stack(store_ctx, trusted);
  // The pinned certificate is the trust anchor even when it is not
  // self-signed (the collector's own certificate pinned).
  X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(store_ctx), X509_V_FLAG_PARTIAL_CHAIN);
  const int ok = X509_verify_cert(store_ctx);
  sk_X509_free(trusted);
  return ok;
}

// A clock up to a day late (issue #12 "clock skew of a day either way"): a
// certificate whose notBefore lies less than kClockSkew ahead is accepted as
// if valid; every other verification error stands. Expiry is never relaxed.
constexpr long kClockSkewSeconds = 25 * 3600;

int tolerate_late_clock(int preverified, X509_STORE_CTX* store_ctx) {
  if (preverified == 1) return 1;
  if (X509_STORE_CTX_get_error(store_ctx) != X509_V_ERR_CERT_NOT_YET_VALID) return 0;
  X509* cert = X509_STORE_CTX_get_current_cert(store_ctx);
  if (cert == nullptr) return 0;
  std::time_t later = std::time(nullptr) + kClockSkewSeconds;
  if (X509_cmp_time(X509_get0_notBefore(cert), &later) >= 0) return 0;
  X509_STORE_CTX_set_error(store_ctx, X509_V_OK);
  return 1;
}

}  // namespace

std::string normalise_fingerprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ':' || c == ' ') continue;
    if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
      throw std::invalid_argument("a SHA-256 fingerprint is 64 hex digits (colons allowed)");
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() != 64) throw std::invalid_argument("a SHA-256 fingerprint is 64 hex digits (colons allowed)");
  return out;
}

struct HttpsClient::Impl {
  ClientOptions options;
  std::string pin;  // normalised, when pinned
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_client};
  std::unique_ptr<ssl::stream<tcp::socket>> stream;
  beast::flat_buffer buffer;
  std::vector<std::string> presented;

  explicit Impl(ClientOptions o) : options(std::move(o)) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.native_handle(), SSL_VERIFY_PEER, &tolerate_late_clock);
    boost::system::error_code ec;
    if (options.trust.pinned_ca_sha256) {
      pin = normalise_fingerprint(*options.trust.pinned_ca_sha256);
      SSL_CTX_set_cert_verify_callback(ctx.native_handle(), &verify_with_pin, &pin);
    } else if (options.trust.ca_file) {
      ctx.load_verify_file(options.trust.ca_file->string(), ec);
      if (ec)
        throw ClientSetupError(
            tr("cannot load the collector's CA {0}: {1}", options.trust.ca_file->string(), i18n::tls_error_text(ec)));
    } else {
      ctx.set_default_verify_paths(ec);
    }
    if (options.client_cert && options.client_key) {
      ctx.use_certificate_chain_file(options.client_cert->string(), ec);
      if (ec)
        throw ClientSetupError(
            tr("cannot load the agent certificate {0}: {1}", options.client_cert->string(), i18n::tls_error_text(ec)));
      try {
        signing::PkeyPtr key = signing::load_private_key(*options.client_key);
        if (SSL_CTX_use_PrivateKey(ctx.native_handle(), key.get()) != 1 ||
            SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
          ERR_clear_error();
          throw ClientSetupError(tr("the agent key {0} does not match the certificate {1}",
                                    options.client_key->string(), options.client_cert->string()));
        }
      } catch (const signing::SigningError& e) {
        throw ClientSetupError(e.what());
      }
    }
  }

  // Runs the io_context until the operation started by `start` completes or
  // the step's deadline passes; then `cancel` closes what is pending.
  template <class Start>
  boost::system::error_code run(Start start, Clock::time_point deadline, const std::function<void()>& cancel,
                                bool& timed_out) {
    boost::system::error_code result;
    bool done = false;
    start([&](boost::system::error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    io.restart();
    io.run_until(deadline);
    timed_out = !done;
    if (!done) {
      cancel();
      io.restart();
      io.run();
    }
    return result;
  }

  Clock::time_point step_deadline(Clock::time_point overall) const {
    return std::min(overall, Clock::now() + options.step_timeout);
  }

  void close() {
    if (stream) {
      boost::system::error_code ignored;
      stream->lowest_layer().close(ignored);
    }
    stream.reset();
    buffer.clear();
  }

  [[noreturn]] void fail(Kind kind, const std::string& what) {
    close();
    throw TransportError(kind, what);
  }

  void connect(Clock::time_point deadline) {
    const std::string& host = options.proxy ? options.proxy->host : options.collector.host;
    const std::string& port = options.proxy ? options.proxy->port : options.collector.port;
    const std::string target = options.collector.host + ":" + options.collector.port;
    const std::string via = options.proxy ? tr(" through the proxy {0}", options.proxy->text) : "";
    bool timed_out = false;
    tcp::resolver resolver(io);
    tcp::resolver::results_type endpoints;
    auto ec = run(
        [&](auto handler) {
          resolver.async_resolve(host, port,
                                 [&, handler](boost::system::error_code e, tcp::resolver::results_type r) mutable {
                                   endpoints = std::move(r);
                                   handler(e);
                                 });
        },
        step_deadline(deadline), [&] { resolver.cancel(); }, timed_out);
    if (timed_out) fail(Kind::unreachable, tr("cannot resolve {0}: {1}", host, _("timed out")));
    if (ec) fail(Kind::unreachable, tr("cannot resolve {0}: {1}", host, i18n::error_text(ec)));
    stream = std::make_unique<ssl::stream<tcp::socket>>(io, ctx);
    auto& socket = stream->next_layer();
    ec = run([&](auto handler) { asio::async_connect(socket, endpoints, handler); }, step_deadline(deadline),
             [&] { socket.close(); }, timed_out);
    if (timed_out || ec) {
      fail(Kind::unreachable, tr("cannot connect to {0}:{1}{2}: {3}", host, port, options.proxy ? _(" (proxy)") : "",
                                 timed_out ? std::string(_("timed out")) : i18n::error_text(ec)));
    }
    if (options.proxy) tunnel(target, deadline);
    SSL* ssl_handle = stream->native_handle();
    const std::string& name = options.collector.host;
    if (is_ip_address(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), name.c_str());
    } else {
      // SSL_set_tlsext_host_name(3) is a macro with a C cast.
      SSL_ctrl(ssl_handle, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(name.c_str()));
      SSL_set1_host(ssl_handle, name.c_str());
    }
    ec = run([&](auto handler) { stream->async_handshake(ssl::stream_base::client, handler); }, step_deadline(deadline),
             [&] { socket.close(); }, timed_out);
    presented.clear();
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl_handle); chain != nullptr) {
      for (int i = 0; i < sk_X509_num(chain); ++i) presented.push_back(fingerprint(sk_X509_value(chain, i)));
    }
    if (timed_out) fail(Kind::unreachable, tr("TLS handshake with {0}{1}: timed out", target, via));
    if (ec) {
      const long verify = SSL_get_verify_result(ssl_handle);
      if (verify != X509_V_OK) {
        std::string why = i18n::verify_error_text(verify);
        if (!pin.empty() && verify == X509_V_ERR_CERT_UNTRUSTED) {
          why = tr("no certificate with the pinned fingerprint {0} in the server's chain (is this the regional "
                   "collector?)",
                   pin);
        } else if (options.trust.ca_file) {
          why += tr(" (trusted CA: {0})", options.trust.ca_file->string());
        }
        fail(Kind::untrusted, tr("the collector {0} is not trusted: {1}", target, why));
      }
      const std::string text = ec.message();
      const bool refused_us =
          text.find("alert") != std::string::npos &&
          (text.find("certificate") != std::string::npos || text.find("handshake") != std::string::npos);
      fail(refused_us && options.client_cert ? Kind::client_refused : Kind::protocol,
           tr("TLS handshake with {0}{1} failed: {2}", target, via, i18n::tls_error_text(ec)));
    }
  }

  // HTTP CONNECT through the proxy (RFC 9110 §9.3.6), header read bounded.
  void tunnel(const std::string& target, Clock::time_point deadline) {
    std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nUser-Agent: clinic-audit/" +
                          std::string(kAgentVersion) + "\r\n";
    if (!options.proxy->authorization.empty())
      request += "Proxy-Authorization: " + options.proxy->authorization + "\r\n";
    request += "\r\n";
    auto& socket = stream->next_layer();
    bool timed_out = false;
    auto ec = run([&](auto handler) { asio::async_write(socket, asio::buffer(request), handler); },
                  step_deadline(deadline), [&] { socket.close(); }, timed_out);
    if (timed_out || ec)
      fail(Kind::unreachable,
           tr("proxy {0}: {1}", options.proxy->text, timed_out ? std::string(_("timed out")) : i18n::error_text(ec)));
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body
    parser.header_limit(kMaxHeaderBytes);
    beast::flat_buffer proxy_buffer;
    ec = run([&](auto handler) { http::async_read_header(socket, proxy_buffer, parser, handler); },
             step_deadline(deadline), [&] { socket.close(); }, timed_out);
    if (timed_out || ec) {
      fail(Kind::unreachable, tr("proxy {0} did not answer CONNECT: {1}", options.proxy->text,
                                 timed_out ? std::string(_("timed out")) : i18n::error_text(ec)));
    }
    const int status = static_cast<int>(parser.get().result_int());
    if (status / 100 != 2) {
      fail(Kind::unreachable, tr("proxy {0} refused CONNECT {1}: HTTP {2}", options.proxy->text, target, status));
    }
    if (proxy_buffer.size() != 0)
      fail(Kind::protocol, tr("proxy {0} sent data before the TLS handshake", options.proxy->text));
  }

  HttpResponse exchange(const std::string& path, const std::string& content_type, const std::string& body,
                        Clock::time_point deadline) {
    http::request<http::string_body> request{http::verb::post, options.collector.base_path + path, 11};
    request.set(http::field::host, options.collector.host);
    request.set(http::field::user_agent, "clinic-audit/" + std::string(kAgentVersion));
    request.set(http::field::content_type, content_type);
    request.set(http::field::accept, "application/json");
    request.keep_alive(true);
    request.body() = body;
    request.prepare_payload();
    bool timed_out = false;
    auto& socket = stream->next_layer();
    // Writing a large report may take more than one step timeout on a slow
    // link; the overall deadline still bounds it.
    auto ec = run([&](auto handler) { http::async_write(*stream, request, handler); }, deadline,
                  [&] { socket.close(); }, timed_out);
    if (timed_out || ec)
      throw TransportError(Kind::unreachable, tr("sending to {0}: {1}", options.collector.text,
                                                 timed_out ? std::string(_("timed out")) : i18n::error_text(ec)));
    http::response_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(options.max_response_bytes);
    const std::string too_large =
        tr("{0} answered more than {1} bytes: not read", options.collector.text, options.max_response_bytes);
    // The header first: a Content-Length over the limit is refused before
    // any of the body is read (Beast 1.74's parser did not enforce
    // body_limit on a response's Content-Length here; checked by the tests).
    ec = run([&](auto handler) { http::async_read_header(*stream, buffer, parser, handler); }, step_deadline(deadline),
             [&] { socket.close(); }, timed_out);
    if (timed_out) throw TransportError(Kind::unreachable, tr("{0} did not answer in time", options.collector.text));
    if (!ec && parser.content_length() && *parser.content_length() > options.max_response_bytes) {
      throw TransportError(Kind::protocol, too_large);
    }
    if (!ec && !parser.is_done()) {
      ec = run([&](auto handler) { http::async_read(*stream, buffer, parser, handler); }, step_deadline(deadline),
               [&] { socket.close(); }, timed_out);
      if (timed_out) throw TransportError(Kind::unreachable, tr("{0} did not answer in time", options.collector.text));
    }
    if (!ec && parser.get().body().size() > options.max_response_bytes) throw TransportError(Kind::protocol, too_large);
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      throw TransportError(Kind::protocol, too_large);
    }
    if (ec) {
      throw TransportError(Kind::protocol,
                           tr("{0} did not answer HTTP: {1}", options.collector.text, i18n::error_text(ec)));
    }
    auto& message = parser.get();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    response.body = std::move(message.body());
    if (auto it = message.find(http::field::content_type); it != message.end())
      response.content_type = std::string(it->value());
    if (auto it = message.find(http::field::retry_after); it != message.end())
      response.retry_after = std::string(it->value());
    if (auto it = message.find(http::field::location); it != message.end())
      response.location = std::string(it->value());
    if (!message.keep_alive()) close();
    return response;
  }
};

HttpsClient::HttpsClient(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpsClient::~HttpsClient() = default;

const std::vector<std::string>& HttpsClient::presented_fingerprints() const { return impl_->presented; }

HttpResponse HttpsClient::post(const std::string& path, const std::string& content_type, const std::string& body,
                               Clock::time_point deadline) {
  // A kept-alive connection the server closed meanwhile fails on first use:
  // then one fresh connection is tried (the request is idempotent: the
  // collector stores a report once, DESIGN.md §7).
  const bool reused = impl_->stream != nullptr;
  if (!reused) impl_->connect(deadline);
  try {
    return impl_->exchange(path, content_type, body, deadline);
  } catch (const TransportError&) {
    impl_->close();
    if (!reused || Clock::now() >= deadline) throw;
  }
  impl_->connect(deadline);
  try {
    return impl_->exchange(path, content_type, body, deadline);
  } catch (const TransportError&) {
    impl_->close();
    throw;
  }
}

}  // namespace clinic_audit::delivery
