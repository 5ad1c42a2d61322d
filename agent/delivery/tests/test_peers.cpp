#include <utility>  // Boost 1.74's Asio uses std::exchange without including it

#include "test_peers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace clinic_audit::delivery::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using signing::test::quote;
using signing::test::run_shell;

std::string file_sha256(const std::filesystem::path& pem_file) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(pem_file.c_str(), "r"), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert) throw std::runtime_error("cannot read " + pem_file.string());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  X509_digest(cert.get(), EVP_sha256(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::map<std::string, std::string> parse_multipart(const std::string& content_type, const std::string& body) {
  std::map<std::string, std::string> parts;
  const auto at = content_type.find("boundary=");
  if (at == std::string::npos) return parts;
  const std::string delimiter = "--" + content_type.substr(at + 9);
  std::size_t pos = body.find(delimiter);
  while (pos != std::string::npos) {
    pos += delimiter.size();
    if (body.compare(pos, 2, "--") == 0) break;
    const auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string::npos) break;
    const std::string headers = body.substr(pos, headers_end - pos);
    const auto next = body.find("\r\n" + delimiter, headers_end + 4);
    if (next == std::string::npos) break;
    const auto name_at = headers.find("name=\"");
    if (name_at != std::string::npos) {
      const auto name_end = headers.find('"', name_at + 6);
      parts[headers.substr(name_at + 6, name_end - name_at - 6)] = body.substr(headers_end + 4, next - headers_end - 4);
    }
    pos = next + 2;
  }
  return parts;
}

}  // namespace

TestPki make_pki(const std::filesystem::path& dir, const std::string& name, bool agent) {
  std::filesystem::create_directories(dir);
  TestPki pki;
  pki.ca = signing::test::make_test_ca(dir, name);
  pki.server_key = dir / (name + "-server.key");
  pki.server_cert = dir / (name + "-server.crt");
  const auto ext = dir / (name + "-server.ext");
  signing::test::write_text(ext, "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                 "extendedKeyUsage=serverAuth\n");
  const auto csr = dir / (name + "-server.csr");
  const auto result =
      run_shell("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + quote(pki.server_key) +
                " -out " + quote(csr) + " -subj '/CN=127.0.0.1' && openssl x509 -req -in " + quote(csr) + " -CA " +
                quote(pki.ca.cert) + " -CAkey " + quote(pki.ca.key) + " -CAcreateserial -days 5 -extfile " +
                quote(ext) + " -out " + quote(pki.server_cert));
  if (result.exit_code != 0) throw std::runtime_error("test server certificate: " + result.output);
  // The server sends its chain (leaf, then the regional CA): what makes a
  // pinned CA fingerprint checkable on first contact.
  signing::test::write_text(pki.server_cert,
                            signing::test::read_text(pki.server_cert) + signing::test::read_text(pki.ca.cert));
  if (agent) pki.agent = signing::test::ca_issued(dir, name + "-agent", pki.ca);
  pki.ca_sha256 = file_sha256(pki.ca.cert);
  return pki;
}

ScriptedReply FakeIngest::operator()(const ReceivedRequest& request) {
  const auto report = request.parts.find("report");
  if (report == request.parts.end() || request.parts.count("signature") == 0) {
    return {400, R"({"error":"multipart parts report and signature required"})", {}, "", false};
  }
  const auto json = nlohmann::json::parse(report->second, nullptr, false);
  if (json.is_discarded()) return {400, R"({"error":"report is not JSON"})", {}, "", false};
  const std::string id = json.value("report_id", "");
  const std::uint64_t sequence = json["run"]["sequence"].get<std::uint64_t>();
  std::lock_guard lock(mutex_);
  nlohmann::json answer = {{"report_id", id},
                           {"sequence", sequence},
                           {"chain", "ok"},
                           {"anomalies", nlohmann::json::array()}};
  if (by_id_.count(id) != 0) {
    ++duplicates_;
    answer["status"] = "duplicate";
    return {200, answer.dump(), {}, "", false};
  }
  by_id_[id] = sequence;
  order_.push_back(sequence);
  answer["status"] = "stored";
  return {201, answer.dump(), {}, "", false};
}

std::vector<std::uint64_t> FakeIngest::stored_sequences() const {
  std::lock_guard lock(mutex_);
  return order_;
}

struct ScriptedCollector::Impl {
  asio::io_context io;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  Script script;
  std::atomic<bool> stop{false};
  std::atomic<int> active_fd{-1};
  mutable std::mutex mutex;
  std::vector<ReceivedRequest> received;
  std::thread thread;

  void handle(tcp::socket& socket) {
    active_fd = socket.native_handle();
    ssl::stream<tcp::socket&> stream(socket, ctx);
    beast::error_code ec;
    stream.handshake(ssl::stream_base::server, ec);
    if (ec) return;
    beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      http::read(stream, buffer, parser, ec);
      if (ec) return;
      ReceivedRequest request;
      request.target = std::string(parser.get().target());
      request.content_type = std::string(parser.get()[http::field::content_type]);
      request.body = parser.get().body();
      request.parts = parse_multipart(request.content_type, request.body);
      if (X509* peer = SSL_get_peer_certificate(stream.native_handle()); peer != nullptr) {
        char line[512];
        X509_NAME_oneline(X509_get_subject_name(peer), line, sizeof line);
        request.client_subject = line;
        X509_free(peer);
      }
      std::size_t index = 0;
      {
        std::lock_guard lock(mutex);
        index = received.size();
        received.push_back(request);
      }
      const ScriptedReply reply = script(request, index);
      if (!reply.raw.empty()) {
        asio::write(stream, asio::buffer(reply.raw), ec);
        return;
      }
      http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
      response.set(http::field::content_type, "application/json");
      for (const auto& [name, value] : reply.headers) response.set(name, value);
      response.body() = reply.body;
      response.keep_alive(!reply.close);
      response.prepare_payload();
      http::write(stream, response, ec);
      if (ec || reply.close) return;
    }
  }

  void serve() {
    while (!stop) {
      tcp::socket socket(io);
      beast::error_code ec;
      acceptor.accept(socket, ec);
      if (stop) break;
      if (ec) continue;
      handle(socket);
      active_fd = -1;
      socket.close(ec);
    }
  }
};

ScriptedCollector::ScriptedCollector(const TestPki& pki, Script script, bool require_client_cert)
    : impl_(std::make_unique<Impl>()) {
  impl_->script = std::move(script);
  impl_->ctx.use_certificate_chain_file(pki.server_cert.string());
  impl_->ctx.use_private_key_file(pki.server_key.string(), ssl::context::pem);
  if (require_client_cert) {
    impl_->ctx.load_verify_file(pki.ca.cert.string());
    impl_->ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([this] { impl_->serve(); });
}

ScriptedCollector::~ScriptedCollector() {
  impl_->stop = true;
  if (const int fd = impl_->active_fd.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
  // Wake the blocking accept.
  beast::error_code ec;
  tcp::socket poke(impl_->io);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  impl_->thread.join();
}

std::vector<ReceivedRequest> ScriptedCollector::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

// --- CONNECT proxy --------------------------------------------------------

ConnectProxy::ConnectProxy() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("proxy: cannot listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this] { serve(); });
}

ConnectProxy::~ConnectProxy() {
  stop_ = true;
  thread_.join();
  for (auto& relay : relays_) relay.join();
  ::close(listen_fd_);
}

std::vector<std::string> ConnectProxy::targets() const {
  std::lock_guard lock(mutex_);
  return targets_;
}

void ConnectProxy::serve() {
  while (!stop_) {
    pollfd listening{listen_fd_, POLLIN, 0};
    if (::poll(&listening, 1, 100) <= 0) continue;
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    relays_.emplace_back([this, client] {
      std::string head;
      char byte = 0;
      while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos && ::read(client, &byte, 1) == 1)
        head += byte;
      const auto space = head.find(' ');
      const auto second = head.find(' ', space + 1);
      const std::string target = head.starts_with("CONNECT ") ? head.substr(space + 1, second - space - 1) : "";
      {
        std::lock_guard lock(mutex_);
        targets_.push_back(target);
      }
      // Loopback targets only: this proxy must never reach the network.
      const auto colon = target.rfind(':');
      if (target.empty() || target.substr(0, colon) != "127.0.0.1") {
        const std::string refused = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
        (void)!::write(client, refused.data(), refused.size());
        ::close(client);
        return;
      }
      const int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(static_cast<unsigned short>(std::stoi(target.substr(colon + 1))));
      if (::connect(upstream, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const std::string failed = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n";
        (void)!::write(client, failed.data(), failed.size());
        ::close(upstream);
        ::close(client);
        return;
      }
      const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
      (void)!::write(client, ok.data(), ok.size());
      pollfd fds[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
      char buffer[16384];
      while (!stop_) {
        if (::poll(fds, 2, 100) <= 0) continue;
        bool closed = false;
        for (int i = 0; i < 2; ++i) {
          if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
          const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
          if (n <= 0 || ::write(fds[1 - i].fd, buffer, static_cast<std::size_t>(n)) != n) closed = true;
        }
        if (closed) break;
      }
      ::close(upstream);
      ::close(client);
    });
  }
}

unsigned short closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace clinic_audit::delivery::test
