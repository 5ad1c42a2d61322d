#include "signing_test_support.hpp"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "keygen.hpp"
#include "render_json.hpp"
#include "render_xml.hpp"
#include "report.hpp"
#include "sign_report.hpp"

namespace clinic_audit::signing::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ca-signing-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

CommandResult run_shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string quote(const std::filesystem::path& path) {
  std::string out = "'";
  for (char c : path.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CommandResult openssl_cms_verify(const std::filesystem::path& report, const std::filesystem::path& ca) {
  return run_shell("openssl cms -verify -binary -inform DER -in " + quote(report.string() + ".p7s") + " -content " +
                   quote(report) + " -CAfile " + quote(ca) + " -purpose any -out /dev/null");
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_text(const std::filesystem::path& path, const std::string& bytes, unsigned mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  std::filesystem::permissions(path, static_cast<std::filesystem::perms>(mode));
}

std::string random_uuid() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof bytes);
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

std::string sample_report(const std::string& ext, std::uint64_t sequence, const std::optional<std::string>& previous,
                          const std::string& report_id) {
  Report report;
  report.report_id = report_id.empty() ? random_uuid() : report_id;
  report.agent_version = "0.1.0";
  report.host = {"testhost", "0123456789abcdef0123456789abcdef", "Debian GNU/Linux 12 (bookworm)"};
  report.run.started_at = "2026-11-22T15:04:05Z";
  report.run.finished_at = "2026-11-22T15:04:06Z";
  report.run.trigger = "manual";
  report.run.root = "/";
  report.run.sequence = sequence;
  report.run.previous_sha256 = previous;
  return ext == "json" ? render_json(report) : ext == "xml" ? render_xml(report) : "clinic-audit text report\n";
}

std::filesystem::path report_path(const std::filesystem::path& dir, const std::string& timestamp,
                                  const std::string& ext, const std::string& host) {
  return dir / ("clinic-audit-" + host + "-" + timestamp + "." + ext);
}

KeyPair self_signed(const std::filesystem::path& dir, const std::string& name, bool rsa) {
  KeygenOptions options;
  options.key_path = dir / (name + ".key");
  options.cert_path = dir / (name + ".crt");
  options.algorithm = rsa ? KeygenOptions::Algorithm::rsa : KeygenOptions::Algorithm::ec;
  options.rsa_bits = 2048;
  options.hostname = "testhost";
  options.machine_id = "0123456789abcdef0123456789abcdef";
  std::ostringstream out;
  std::ostringstream err;
  if (run_keygen(options, out, err) != 0) throw std::runtime_error("keygen failed: " + err.str());
  return {options.key_path, options.cert_path};
}

TestCa make_test_ca(const std::filesystem::path& dir, const std::string& name, const std::optional<TestCa>& issuer) {
  TestCa ca{dir / (name + ".key"), dir / (name + ".crt")};
  const auto ext = dir / (name + ".ext");
  write_text(ext, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                  "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  const std::string newkey = "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + quote(ca.key);
  CommandResult result;
  if (!issuer) {
    result =
        run_shell("openssl req -x509 " + newkey + " -out " + quote(ca.cert) + " -subj '/O=Test Region/CN=" + name +
                  "' -days 30 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
  } else {
    const auto csr = dir / (name + ".csr");
    result =
        run_shell("openssl req -new " + newkey + " -out " + quote(csr) + " -subj '/O=Test Region/CN=" + name +
                  "' && openssl x509 -req -in " + quote(csr) + " -CA " + quote(issuer->cert) + " -CAkey " +
                  quote(issuer->key) + " -CAcreateserial -days 30 -extfile " + quote(ext) + " -out " + quote(ca.cert));
  }
  if (result.exit_code != 0) throw std::runtime_error("test CA: " + result.output);
  return ca;
}

KeyPair ca_issued(const std::filesystem::path& dir, const std::string& name, const TestCa& ca, bool rsa) {
  KeygenOptions options;
  options.key_path = dir / (name + ".key");
  options.cert_path = dir / (name + ".crt");
  options.csr_path = dir / (name + ".csr");
  options.algorithm = rsa ? KeygenOptions::Algorithm::rsa : KeygenOptions::Algorithm::ec;
  options.rsa_bits = 2048;
  options.hostname = "testhost";
  options.machine_id = "0123456789abcdef0123456789abcdef";
  std::ostringstream out;
  std::ostringstream err;
  if (run_keygen(options, out, err) != 0) throw std::runtime_error("keygen --csr failed: " + err.str());
  const auto result =
      run_shell("openssl x509 -req -in " + quote(*options.csr_path) + " -CA " + quote(ca.cert) + " -CAkey " +
                quote(ca.key) + " -CAcreateserial -days 30 -copy_extensions copy -out " + quote(options.cert_path));
  if (result.exit_code != 0) throw std::runtime_error("issuing: " + result.output);
  return {options.key_path, options.cert_path};
}

void write_cert_with_validity(const std::filesystem::path& key_path, const std::filesystem::path& cert_path,
                              long from_s, long to_s) {
  BioPtr key_bio(BIO_new_file(key_path.c_str(), "rb"));
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("testhost"), -1, -1,
                             0);
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), name.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), from_s);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), to_s);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  BioPtr out(BIO_new_file(cert_path.c_str(), "wb"));
  PEM_write_bio_X509(out.get(), cert.get());
}

std::vector<std::filesystem::path> write_signed_set(const SigningIdentity& identity, const std::filesystem::path& dir,
                                                    const std::string& timestamp, std::uint64_t sequence,
                                                    const std::optional<std::string>& previous,
                                                    const std::vector<std::string>& exts) {
  std::vector<std::filesystem::path> files;
  const std::string id = random_uuid();
  for (const auto& ext : exts) {
    files.push_back(report_path(dir, timestamp, ext));
    write_text(files.back(), sample_report(ext, sequence, previous, id));
  }
  sign_report_set(identity, files);
  return files;
}

std::filesystem::path schema_dir() { return CA_SIGNING_SCHEMA_DIR; }

}  // namespace clinic_audit::signing::test
