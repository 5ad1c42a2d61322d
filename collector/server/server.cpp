#include "server.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

#include "request_target.hpp"
#include "shell_quote.hpp"

namespace clinic_audit::collector {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
// Each connection's operations run on its own strand of the io_context,
// named by its concrete type rather than through asio::any_io_executor
// (beast::tcp_stream's default): the type-erased executor copied, refcounted
// and re-`prefer`red itself on every read and write, about 5 % of the
// collector's CPU under load (perf, collector/bench/bench_ingest.sh).
using Strand = asio::strand<asio::io_context::executor_type>;
using Stream = beast::basic_stream<tcp, Strand>;
using Socket = tcp::socket::rebind_executor<Strand>::other;

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// Bytes read but not yet parsed, at most. Beast's parser takes a body's
// bytes as they come, so what waits in the buffer is a header (at most
// kHeaderLimit), a chunk-size line or a trailer, and what a pipelining
// client sent after them. Beast 1.74 bounds neither chunk extensions nor
// trailers: without this bound a client (no certificate needed) that sends
// one endless chunk line made the buffer grow until the body timeout,
// about 150 MB a second.
constexpr std::size_t kReadBufferLimit = 256 * 1024;
// After accept(2) failed for another reason than shutdown (EMFILE, ENFILE,
// ENOBUFS: out of descriptors or memory), the next try waits this long:
// retrying at once spun the I/O threads at full CPU until a connection
// closed.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

struct Shared {
  const CollectorConfig& config;
  Router& router;
  Metrics& metrics;
  asio::thread_pool& workers;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> pending_ingests{0};
};

std::string_view sv(beast::string_view text) { return {text.data(), text.size()}; }

std::string printable(std::string_view text, std::size_t max = 200) {
  return escape_control(text.substr(0, max)) + (text.size() > max ? "..." : "");
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Socket&& socket, ssl::context& context, Shared& shared)
      : stream_(std::move(socket), context), shared_(shared), buffer_(kReadBufferLimit) {
    ++shared_.connections;
    beast::error_code ignored;
    remote_ = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored).address().to_string(ignored);
  }
  ~Session() { --shared_.connections; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    // The client certificate is requested; its verification result is kept
    // (SSL_get_verify_result) and judged per route, see server.hpp.
    stream_.set_verify_mode(ssl::verify_peer);
    stream_.set_verify_callback([](bool, ssl::verify_context&) { return true; });
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(shared_.config.header_ms));
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

 private:
  void on_handshake(beast::error_code error) {
    if (error) return;  // timeouts, scanners, wrong protocol: nothing to answer
    SSL* ssl = stream_.native_handle();
    peer_.reset(SSL_get1_peer_certificate(ssl));
    if (peer_) {
      const long result = SSL_get_verify_result(ssl);
      client_.certificate = peer_.get();
      client_.chain_verified = result == X509_V_OK;
      if (!client_.chain_verified) client_.chain_error = X509_verify_cert_error_string(result);
      // Once per connection: the DER and verified chain of the certificate
      // every report on this connection must be signed with.
      if (client_.chain_verified) {
        client_.known = std::make_shared<const signing::KnownSigner>(
            signing::known_signer_of(peer_.get(), SSL_get0_verified_chain(ssl)));
      }
    }
    read_header(shared_.config.header_ms);
  }

  void read_header(int timeout_ms) {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(shared_.config.body_bytes);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code error, std::size_t) {
    if (error) return close_after_error(error);
    started_ = std::chrono::steady_clock::now();
    auto& header = parser_->get();
    // A Transfer-Encoding whose last coding is not chunked (RFC 9112 §6.3
    // item 4: "respond with 400 and then close"): Beast would read the body
    // up to the Content-Length or none at all, and run what follows as a
    // second request, which a proxy in front would not have seen as one.
    if (header.count(http::field::transfer_encoding) > 0 && !parser_->chunked()) {
      return refuse_request("Transfer-Encoding other than chunked");
    }
    // RFC 9112 §3.2: an HTTP/1.1 request without exactly one Host field.
    if (header.version() >= 11 && header.count(http::field::host) != 1) {
      return refuse_request(header.count(http::field::host) == 0 ? "no Host header" : "more than one Host header");
    }
    if (header.has_content_length() && parser_->content_length() &&
        *parser_->content_length() > shared_.config.body_bytes) {
      return too_large();
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(shared_.config.body_ms));
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // RFC 9110 §10.1.1: curl waits for it before sending a large body.
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
        if (e) return;
        http::async_read(self->stream_, self->buffer_, *self->parser_,
                         beast::bind_front_handler(&Session::on_body, self));
      });
      return;
    }
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code error, std::size_t) {
    if (error == http::error::body_limit) return too_large();
    if (error) return close_after_error(error);
    request_ = parser_->release();
    if (const std::string_view target = sv(request_.target()); !target.starts_with('/')) {
      request_.target(origin_form(target));
    }
    headers_.clear();
    for (const auto& field : request_) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      headers_.emplace_back(std::move(name), std::string(field.value()));
    }
    const std::string route = Router::route_of(sv(request_.target()));
    const bool ingest = route == "reports";
    if (ingest && shared_.pending_ingests.load() >= shared_.config.pending_ingests) {
      Answer answer = error_answer(503, "unavailable", "too many reports being ingested: retry later");
      answer.retry_after = 2;
      shared_.metrics.observe(route, answer.outcome, 0, {});
      return respond(std::move(answer), request_.keep_alive());
    }
    if (ingest) ++shared_.pending_ingests;
    asio::post(shared_.workers, [self = shared_from_this(), ingest] {
      Request request{std::string_view(self->request_.method_string().data(), self->request_.method_string().size()),
                      std::string_view(self->request_.target().data(), self->request_.target().size()),
                      std::string_view(self->request_[http::field::content_type].data(),
                                       self->request_[http::field::content_type].size()),
                      self->request_.body(),
                      self->client_,
                      &self->headers_,
                      self->remote_};
      // An upload is answered from the storage's writer once committed;
      // this worker goes on to the next request meanwhile.
      self->shared_.router.handle_async(request, [self, ingest](Answer answer) {
        if (ingest) --self->shared_.pending_ingests;
        asio::post(self->stream_.get_executor(), [self, answer = std::move(answer)]() mutable {
          self->respond(std::move(answer), self->request_.keep_alive());
        });
      });
    });
  }

  void too_large() {
    const std::string route = parser_ ? Router::route_of(sv(parser_->get().target())) : "other";
    Answer answer =
        error_answer(413, "too_large",
                     "request body over " + std::to_string(shared_.config.body_bytes) + " bytes (<limits body-bytes>)");
    shared_.metrics.observe(route, answer.outcome, 0, {});
    request_ = {};
    request_.method_string(parser_ ? parser_->get().method_string() : "POST");
    request_.target(parser_ ? parser_->get().target() : "/");
    respond(std::move(answer), false);
  }

  // 400, then close: what follows this request on the connection cannot be
  // told apart from its body.
  void refuse_request(const std::string& why) {
    Answer answer = error_answer(400, "bad_request", "malformed HTTP request: " + why);
    const std::string route = parser_ ? Router::route_of(sv(parser_->get().target())) : "other";
    shared_.metrics.observe(route, answer.outcome, 0, {});
    request_ = {};
    request_.method_string(parser_ ? parser_->get().method_string() : "-");
    request_.target(parser_ ? parser_->get().target() : "-");
    respond(std::move(answer), false);
  }

  void close_after_error(beast::error_code error) {
    // Beast already refuses a Content-Length over the limit with the header.
    if (error == http::error::body_limit) return too_large();
    if (error == http::error::buffer_overflow) {
      return refuse_request("a request line, header, chunk-size line or trailer over " +
                            std::to_string(kReadBufferLimit / 1024) + " KiB");
    }
    if (error == http::error::end_of_stream || error == asio::ssl::error::stream_truncated) return shutdown();
    if (error == beast::error::timeout) {
      spdlog::info("{} connection closed: request not received within its deadline", remote_);
      return;  // the socket is closed by the timeout
    }
    if (error.category() == beast::http::make_error_code(http::error::bad_target).category()) {
      Answer answer = error_answer(400, "bad_request", "malformed HTTP request: " + error.message());
      request_ = {};
      request_.method_string("-");
      request_.target("-");
      return respond(std::move(answer), false);
    }
  }

  void respond(Answer answer, bool keep_alive) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
    // One line per request (issue #11 item 8); never a body, token or key.
    spdlog::info("{} {} {} {} {} host={} report={} {:.1f}ms", remote_, printable(sv(request_.method_string())),
                 printable(sv(request_.target())), answer.status, answer.outcome,
                 answer.machine_id.empty() ? "-" : printable(answer.machine_id, 64),
                 answer.report_id.empty() ? "-" : printable(answer.report_id, 64), ms);
    auto response = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(answer.status), 11);
    response->set(http::field::server, "clinic-audit-collector");
    response->set(http::field::content_type, answer.content_type);
    if (answer.retry_after) response->set(http::field::retry_after, std::to_string(*answer.retry_after));
    for (const auto& [name, value] : answer.headers) response->insert(name, value);
    response->keep_alive(keep_alive);
    // HEAD: the Content-Length GET would have (RFC 9110 §9.3.2), no body.
    const bool head = request_.method() == http::verb::head;
    const std::size_t length = answer.body.size();
    response->body() = head ? std::string() : std::move(answer.body);
    response->prepare_payload();
    if (head) response->content_length(length);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(shared_.config.body_ms));
    http::async_write(stream_, *response, [self = shared_from_this(), response](beast::error_code error, std::size_t) {
      if (error) return;
      if (!response->keep_alive()) return self->shutdown();
      self->request_ = {};
      self->read_header(self->shared_.config.idle_ms);
    });
  }

  void shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
  }

  beast::ssl_stream<Stream> stream_;
  Shared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::request<http::string_body> request_;
  signing::X509Ptr peer_;
  ClientCertificate client_;
  std::string remote_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace

struct Server::Impl {
  const CollectorConfig& config;
  unsigned io_threads;
  asio::io_context io;
  ssl::context tls{ssl::context::tls_server};
  asio::thread_pool workers;
  Shared shared;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  bool accept_failing = false;  // only touched by accept()'s handler, one at a time
  asio::signal_set signals;

  Impl(const CollectorConfig& c, Router& router, Metrics& metrics)
      : config(c),
        io_threads(c.threads != 0 ? c.threads : std::max(1U, std::thread::hardware_concurrency())),
        io(static_cast<int>(io_threads)),
        workers(std::max<std::size_t>(4, 2 * static_cast<std::size_t>(io_threads))),
        shared{c, router, metrics, workers},
        acceptor(io),
        accept_retry(io),
        signals(io, SIGINT, SIGTERM) {
    // TLS >= 1.2 (issue #11 item 2); no compression, no renegotiation.
    SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_compression | SSL_OP_NO_RENEGOTIATION);
    tls.use_certificate_chain_file(c.tls_cert.string());
    tls.use_private_key_file(c.tls_key.string(), ssl::context::pem);
    tls.load_verify_file(c.ca_cert.string());
    // The CA names sent in CertificateRequest: clients pick the right certificate.
    SSL_CTX_set_client_CA_list(tls.native_handle(), SSL_load_client_CA_file(c.ca_cert.c_str()));
    const char session_id[] = "clinic-audit-collector";
    SSL_CTX_set_session_id_context(tls.native_handle(), reinterpret_cast<const unsigned char*>(session_id),
                                   sizeof session_id - 1);
    // No TLS 1.3 session tickets (RFC 8446 §4.6.1): no client resumes a
    // session (the agent's submit and the load generator open one
    // connection and keep it alive), so the two tickets OpenSSL sends after
    // every handshake by default were pure cost: a third of the server's
    // handshake (each ticket a copy of the session with the client's
    // certificate, serialised and encrypted; callgrind: 3.6 M of 12 M
    // instructions). A client that would resume still can over TLS 1.2.
    SSL_CTX_set_num_tickets(tls.native_handle(), 0);
    const tcp::endpoint endpoint(asio::ip::make_address(c.listen_address), c.listen_port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    signals.async_wait([this](beast::error_code, int) { stop(); });
    accept();
  }

  void accept() {
    acceptor.async_accept(Strand(io.get_executor()), [this](beast::error_code error, Socket socket) {
      if (error == asio::error::operation_aborted) return;
      if (error) {
        // Logged once until an accept succeeds again, not every 100 ms.
        if (!std::exchange(accept_failing, true))
          spdlog::warn("cannot accept connections: {} (trying again every {} ms)", error.message(),
                       kAcceptRetryDelay.count());
        accept_retry.expires_after(kAcceptRetryDelay);
        accept_retry.async_wait([this](beast::error_code waited) {
          if (waited != asio::error::operation_aborted) accept();
        });
        return;
      }
      if (std::exchange(accept_failing, false)) spdlog::info("accepting connections again");
      {
        if (shared.connections.load() >= config.connections) {
          // Over <limits connections>: close at once; the client retries later.
          beast::error_code ignored;
          socket.close(ignored);
        } else {
          std::make_shared<Session>(std::move(socket), tls, shared)->start();
        }
      }
      accept();
    });
  }

  void stop() {
    asio::post(io, [this] {
      beast::error_code ignored;
      acceptor.close(ignored);
      accept_retry.cancel();
      signals.cancel(ignored);
      io.stop();
    });
  }
};

Server::Server(const CollectorConfig& config, Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(config, router, metrics)) {}

Server::~Server() { impl_->workers.join(); }

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

void Server::run() {
  spdlog::info("clinic-audit-collector listening on {}:{}", impl_->config.listen_address, port());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < impl_->io_threads; ++i) threads.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& thread : threads) thread.join();
  impl_->workers.join();
}

void Server::stop() { impl_->stop(); }

}  // namespace clinic_audit::collector
