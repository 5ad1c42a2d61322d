#include "collector_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <openssl/pem.h>

#include "keygen.hpp"
#include "pki.hpp"
#include "render_json.hpp"
#include "render_xml.hpp"
#include "report.hpp"
#include "report_files.hpp"

namespace clinic_audit::collector::test {

std::filesystem::path collector_binary() { return CA_COLLECTOR_BINARY; }
std::filesystem::path agent_binary() { return CA_AGENT_BINARY_FOR_COLLECTOR; }

Shell sh(const std::string& command) {
  Shell result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

namespace {

std::string random_uuid() {
  std::random_device random;
  std::mt19937_64 engine(random());
  const char* hex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
    out += hex[engine() % 16];
  }
  out[14] = '4';
  return out;
}

}  // namespace

Collector::Collector(const std::string& extra_config, bool start_now, const Collector* pki_from)
    : extra_(extra_config), pki_dir_(pki_from != nullptr ? pki_from->pki_dir_ : dir_.path() / "data") {
  std::string pki;
  if (pki_from != nullptr) {
    pki = "  <ca cert=\"" + (pki_dir_ / "ca.crt").string() + "\" key=\"" + (pki_dir_ / "ca.key").string() + "\"/>\n" +
          "  <tls cert=\"" + (pki_dir_ / "server.crt").string() + "\" key=\"" + (pki_dir_ / "server.key").string() +
          "\"/>\n";
  }
  write_file(config(), "<collector-config xmlns=\"urn:clinic-audit:collector:1\">\n"
                       "  <listen address=\"127.0.0.1\" port=\"0\"/>\n"
                       "  <data-dir>data</data-dir>\n" +
                           pki + extra_ + "\n</collector-config>\n");
  const Shell init = cli(pki_from != nullptr ? "init" : "init --create-ca");
  if (init.exit_code != 0) throw std::runtime_error("init --create-ca failed: " + init.output);
  if (start_now) start();
}

Collector::~Collector() { stop(); }

Shell Collector::cli(const std::string& arguments) const {
  return sh(quote(collector_binary()) + " --config " + quote(config()) + " " + arguments);
}

void Collector::start() {
  const auto log_path = dir() / "serve.log";
  pid_ = fork();
  if (pid_ == 0) {
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDERR_FILENO);
    dup2(fd, STDOUT_FILENO);
    execl(collector_binary().c_str(), "clinic-audit-collector", "--config", config().c_str(), "serve", nullptr);
    _exit(127);
  }
  // The port (0 in the configuration) is in the "listening on" line.
  // Up to the end of the line: a line read while being written is incomplete.
  const std::regex listening("listening on [^ ]*:([0-9]+)\n");
  const std::size_t before = log().size();
  for (int i = 0; i < 200; ++i) {
    const std::string text = log().substr(std::min(before, log().size()));
    std::smatch match;
    if (std::regex_search(text, match, listening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
      return;
    }
    if (!alive()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("the collector did not start: " + log());
}

bool Collector::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void Collector::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200 && alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  if (pid_ > 0) kill9();
}

void Collector::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string Collector::log() const { return read_file(dir() / "serve.log"); }

std::string Collector::url(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

AgentIdentity Collector::make_csr(const std::string& name, const std::string& machine_id, const std::string& hostname) {
  signing::KeygenOptions options;
  options.key_path = dir() / (name + ".key");
  options.cert_path = dir() / (name + ".crt");
  options.csr_path = dir() / (name + ".csr");
  options.hostname = hostname.empty() ? name : hostname;
  options.machine_id = machine_id;
  std::ostringstream out, err;
  if (signing::run_keygen(options, out, err) != 0) throw std::runtime_error("keygen --csr: " + err.str());
  return {options.key_path, options.cert_path, machine_id, options.hostname};
}

AgentIdentity Collector::issue(const std::string& name, const std::string& machine_id, const std::string& hostname) {
  AgentIdentity identity = make_csr(name, machine_id, hostname);
  const CertificateAuthority ca(ca_cert(), ca_key());
  CsrSubject subject;
  write_file(identity.cert, ca.sign_csr(read_file(dir() / (name + ".csr")), 30, subject));
  return identity;
}

SignedReport Collector::make_report(const AgentIdentity& identity, const ReportSpec& spec) {
  Report report;
  report.report_id = spec.report_id.empty() ? random_uuid() : spec.report_id;
  report.agent_version = "0.1.0";
  report.host = {identity.hostname, spec.machine_id.value_or(identity.machine_id), "Debian GNU/Linux 12 (bookworm)"};
  report.run.started_at = spec.started_at;
  report.run.finished_at = spec.started_at;
  report.run.trigger = "timer";
  report.run.root = "/";
  report.run.sequence = spec.sequence;
  report.run.previous_sha256 = spec.previous_sha256;
  report.policies.push_back({"apicrypt-v1", "1", std::string(64, 'a'), "Apicrypt v1"});
  for (int i = 0; i < spec.results; ++i) {
    ResultRecord result;
    result.check_id = "apicrypt-v1.check-" + std::to_string(i);
    result.policy_id = "apicrypt-v1";
    result.type = "file";
    result.title = "Binary " + std::to_string(i) + " is owned by root and not writable by www-data";
    result.severity = Severity::high;
    result.status = i % 3 == 0 ? Status::fail : Status::pass;
    result.summary = "/usr/local/apicrypt/bin/tool" + std::to_string(i) + " is owned by root, mode 0755" + spec.filler;
    for (int e = 0; e < 4; ++e) {
      result.evidence.push_back({"/etc/sudoers.d/apicrypt", e + 1,
                                 "www-data ALL=(root) NOPASSWD: /usr/local/apicrypt/bin/tool" + std::to_string(e) +
                                     " --with-a-long-argument-list-to-look-like-real-evidence-from-a-clinic-machine" +
                                     spec.filler,
                                 "a grant limited to the Apicrypt binaries, no wildcard, no shell escape possible"});
    }
    result.remediation = "chown root:root /usr/local/apicrypt/bin/tool" + std::to_string(i) +
                         " && chmod 0755 /usr/local/apicrypt/bin/tool" + std::to_string(i) + spec.filler;
    report.results.push_back(std::move(result));
  }
  const std::string bytes = spec.format == "json" ? render_json(report) : render_xml(report);
  const std::string name = "clinic-audit-" + identity.hostname + "-" + std::to_string(++counter_) + "." + spec.format;
  SignedReport signed_report{dir() / name, dir() / (name + ".p7s"), report.report_id, signing::sha256_hex(bytes)};
  write_file(signed_report.report, bytes);
  const auto signer = signing::SigningIdentity::load(identity.key, identity.cert);
  const auto der = signer.sign_detached(bytes, name);
  write_file(signed_report.signature, std::string(der.begin(), der.end()));
  return signed_report;
}

SignedReport Collector::sign_bytes(const AgentIdentity& identity, const std::string& bytes, const std::string& ext,
                                   std::time_t signing_now) {
  const std::string name = "clinic-audit-" + identity.hostname + "-raw" + std::to_string(++counter_) + "." + ext;
  SignedReport signed_report{dir() / name, dir() / (name + ".p7s"), "", signing::sha256_hex(bytes)};
  write_file(signed_report.report, bytes);
  const auto signer = signing::SigningIdentity::load(identity.key, identity.cert, std::nullopt,
                                                     signing_now != 0 ? signing_now : std::time(nullptr));
  const auto der = signer.sign_detached(bytes, name);
  write_file(signed_report.signature, std::string(der.begin(), der.end()));
  return signed_report;
}

AgentIdentity Collector::issue_with_validity(const std::string& name, const std::string& machine_id, long from_s,
                                             long to_s, const std::filesystem::path& ca_cert_path,
                                             const std::filesystem::path& ca_key_path) {
  AgentIdentity identity = make_csr(name, machine_id);
  // openssl x509 -req cannot set a past notAfter: build it with the X509 API.
  const std::string script = "openssl x509 -req -in " + quote(dir() / (name + ".csr")) + " -CA " + quote(ca_cert_path) +
                             " -CAkey " + quote(ca_key_path) + " -days 1 -copy_extensions copy -out " +
                             quote(identity.cert);
  const Shell issued = sh(script);
  if (issued.exit_code != 0) throw std::runtime_error("openssl x509 -req: " + issued.output);
  // Re-sign with the wanted validity.
  signing::BioPtr cert_bio(BIO_new_file(identity.cert.c_str(), "rb"));
  signing::X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  signing::BioPtr key_bio(BIO_new_file(ca_key_path.c_str(), "rb"));
  signing::PkeyPtr ca_key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_s);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_s);
  X509_sign(cert.get(), ca_key.get(), EVP_sha256());
  signing::BioPtr out(BIO_new_file(identity.cert.c_str(), "wb"));
  PEM_write_bio_X509(out.get(), cert.get());
  return identity;
}

Collector::Response Collector::curl(const std::string& arguments) {
  const auto body = dir() / "curl.body";
  const auto headers = dir() / "curl.headers";
  std::filesystem::remove(body);
  const Shell result = sh("curl -sS --max-time 20 --cacert " + quote(ca_cert()) + " -o " + quote(body) + " -D " +
                          quote(headers) + " -w '%{http_code}' " + arguments);
  Response response;
  try {
    response.status = std::stoi(result.output.substr(result.output.size() >= 3 ? result.output.size() - 3 : 0));
  } catch (const std::exception&) {
    response.status = 0;
  }
  response.body = read_file(body);
  response.headers = read_file(headers);
  if (response.status == 0) response.body = result.output;
  return response;
}

Collector::Response Collector::submit(const SignedReport& report, const AgentIdentity* identity) {
  std::string arguments;
  if (identity != nullptr) arguments += "--cert " + quote(identity->cert) + " --key " + quote(identity->key) + " ";
  arguments += "-F report=@" + quote(report.report) + " -F signature=@" + quote(report.signature) + " " +
               quote(url("/api/v1/reports"));
  return curl(arguments);
}

std::size_t Collector::stored_reports() const {
  // Through export --history: works on either database.
  const Shell out = cli("export --history --format csv");
  std::size_t lines = 0;
  for (char c : out.output) lines += c == '\n' ? 1 : 0;
  return lines == 0 ? 0 : lines - 1;
}

bool Collector::verify_passes(std::string* output) const {
  const Shell result = cli("verify");
  if (output != nullptr) *output = result.output;
  return result.exit_code == 0;
}

}  // namespace clinic_audit::collector::test
