#include "keygen.hpp"

#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <fstream>
#include <system_error>

#include "atomic_file.hpp"
#include "common/host_file.hpp"
#include "identity.hpp"
#include "signing_error.hpp"
#include "x509_build.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::signing {
namespace {

// PEM text of `write(bio)`. The key's PEM goes through a secure-heap BIO and
// is wiped by the caller once on disk.
template <typename Write>
std::string pem(Write write, bool secret) {
  BioPtr bio(BIO_new(secret ? BIO_s_secmem() : BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) throw SigningError(kExitInternal, "cannot encode PEM: " + openssl_errors());
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(length));
}

bool path_exists(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::exists(std::filesystem::symlink_status(path, error));
}

void ensure_parent(const std::filesystem::path& path) {
  std::error_code error;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), error);
  if (error) {
    throw SigningError(kExitCannotWrite,
                       tr("cannot create directory {0}: {1}", path.parent_path().string(), i18n::error_text(error)));
  }
}

int keygen(const KeygenOptions& options, std::ostream& out) {
  const bool rsa = options.algorithm == KeygenOptions::Algorithm::rsa;
  if (rsa && (options.rsa_bits < 2048 || options.rsa_bits > 16384)) {
    throw SigningError(kExitUsage,
                       "RSA keys must have 2048 to 16384 bits (DESIGN §6), not " + std::to_string(options.rsa_bits));
  }
  if (options.valid_days < 1) throw SigningError(kExitUsage, "certificate lifetime must be at least one day");
  const std::string hostname = options.hostname.empty() ? local_hostname() : options.hostname;
  const std::string machine_id = options.machine_id.empty() ? read_machine_id() : options.machine_id;
  const bool key_exists = path_exists(options.key_path);
  const bool reuse_key = options.csr_path && key_exists && !options.force;

  if (key_exists && !options.force && !options.csr_path) {
    throw SigningError(kExitRefused, "signing key " + options.key_path.string() +
                                         " already exists; not overwriting it. Pass --force to replace it (its "
                                         "certificate will then no longer match), or --csr FILE to request a "
                                         "certificate for it");
  }
  if (!options.csr_path && path_exists(options.cert_path) && !options.force) {
    throw SigningError(kExitRefused, "certificate " + options.cert_path.string() +
                                         " already exists; not overwriting it (pass --force to replace it)");
  }
  if (options.csr_path && path_exists(*options.csr_path) && !options.force) {
    throw SigningError(kExitRefused, "certificate signing request " + options.csr_path->string() +
                                         " already exists; not overwriting it (pass --force to replace it)");
  }

  PkeyPtr key = reuse_key ? load_private_key(options.key_path) : generate_key(rsa, options.rsa_bits);
  if (!reuse_key) {
    ensure_parent(options.key_path);
    std::string key_pem =
        pem([&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); },
            true);
    try {
      write_file_atomically(options.key_path, key_pem, 0600);
    } catch (...) {
      OPENSSL_cleanse(key_pem.data(), key_pem.size());
      throw;
    }
    OPENSSL_cleanse(key_pem.data(), key_pem.size());
    out << "created signing key " << options.key_path.string() << " (" << describe_key(key.get())
        << ", mode 0600, owner uid " << ::geteuid() << ")\n";
  } else {
    out << "using the existing signing key " << options.key_path.string() << " (" << describe_key(key.get()) << ")\n";
  }

  if (options.csr_path) {
    const X509ReqPtr request = make_csr(key.get(), hostname, machine_id);
    ensure_parent(*options.csr_path);
    write_file_atomically(*options.csr_path,
                          pem([&](BIO* bio) { return PEM_write_bio_X509_REQ(bio, request.get()); }, false));
    if (!reuse_key && path_exists(options.cert_path)) {
      out << "note: " << options.cert_path.string() << " was issued for the replaced key and no longer matches it\n";
    }
    out << "created certificate signing request " << options.csr_path->string() << " for CN=" << hostname
        << (machine_id.empty() ? "" : ", serialNumber=" + machine_id)
        << ": have the regional CA sign it and install the certificate as " << options.cert_path.string() << "\n";
    return kExitOk;
  }
  const X509Ptr cert = make_self_signed(key.get(), hostname, machine_id, options.valid_days);
  ensure_parent(options.cert_path);
  write_file_atomically(options.cert_path, pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }, false));
  out << "created self-signed certificate " << options.cert_path.string() << " for CN=" << hostname
      << (machine_id.empty() ? "" : ", serialNumber=" + machine_id) << ", valid until "
      << asn1_time_text(X509_get0_notAfter(cert.get())) << "; verifiers use it as the CA (verify --ca "
      << options.cert_path.string() << ")\n";
  return kExitOk;
}

}  // namespace

int run_keygen(const KeygenOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return keygen(options, out);
  } catch (const SigningError& error) {
    err << "clinic-audit keygen: " << error.what() << "\n";
    return error.exit_code();
  } catch (const std::filesystem::filesystem_error& error) {
    err << "clinic-audit keygen: " << i18n::error_text(error) << "\n";
    return kExitCannotWrite;
  }
}

std::string local_hostname() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

std::string read_machine_id(const std::filesystem::path& path) {
  // machine-id(5) is 33 bytes; a FIFO or a huge file there must not hang or
  // exhaust keygen (issue #20 item 8). Unreadable: no machine id, as before.
  try {
    const std::string content = read_host_file(path, 4096);
    return content.substr(0, content.find('\n'));
  } catch (const HostFileError&) {
    return {};
  }
}

}  // namespace clinic_audit::signing
