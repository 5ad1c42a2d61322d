#include "enroll.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "atomic_file.hpp"
#include "i18n.hpp"
#include "common/openssl_ptr.hpp"
#include "collector_api.hpp"
#include "https_client.hpp"
#include "identity.hpp"
#include "keygen.hpp"
#include "report_store.hpp"
#include "signing_error.hpp"
#include "submit.hpp"
#include "system_error_text.hpp"
#include "openssl_error_text.hpp"

namespace clinic_audit::delivery {
namespace {

using X509Owner = X509Ptr;
// The stack holds certificates owned elsewhere: free the stack only.
void sk_X509_free_shallow(STACK_OF(X509) * stack) { sk_X509_free(stack); }

class EnrollError : public std::runtime_error {
 public:
  EnrollError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

std::vector<X509Owner> parse_pem_certificates(const std::string& pem) {
  std::vector<X509Owner> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(cert);
  ERR_clear_error();
  return out;
}

std::string sha256_of(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  X509_digest(cert, EVP_sha256(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

// An identity the regional CA issued (not keygen's self-signed certificate).
bool enrolled_certificate_exists(const std::filesystem::path& cert_path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(cert_path, error)) return false;
  std::string pem;
  try {
    pem = signing::read_file(cert_path);
  } catch (const signing::SigningError&) {
    return true;  // unreadable: do not overwrite without --force
  }
  auto certs = parse_pem_certificates(pem);
  if (certs.empty()) return true;
  return X509_NAME_cmp(X509_get_subject_name(certs.front().get()), X509_get_issuer_name(certs.front().get())) != 0;
}

// The certificate must be for our key and chain to the CA that came with it.
void check_answer(const std::vector<X509Owner>& leaf, const std::vector<X509Owner>& cas, const EnrollSettings& settings,
                  const std::optional<std::string>& pin, const std::vector<std::string>& server_chain) {
  if (leaf.empty()) throw EnrollError(kExitDataError, _("the collector's answer has no certificate_pem certificate"));
  if (cas.empty()) throw EnrollError(kExitDataError, _("the collector's answer has no ca_pem certificate"));
  signing::PkeyPtr key = signing::load_private_key(settings.key);
  if (X509_check_private_key(leaf.front().get(), key.get()) != 1) {
    ERR_clear_error();
    throw EnrollError(kExitDataError, tr("the certificate the collector issued is not for this machine's key {0}",
                                         settings.key.string()));
  }
  // Pinned the collector's own certificate: the channel was authenticated
  // by it and the CA comes over that channel.
  const bool pinned_server = pin && !server_chain.empty() && server_chain.front() == *pin;
  if (pin && !pinned_server) {
    bool found = false;
    for (const auto& ca : cas) found = found || sha256_of(ca.get()) == *pin;
    if (!found) {
      throw EnrollError(kExitNoPermission,
                        tr("the CA the collector sent does not have the pinned fingerprint {0} (it has {1})", *pin,
                           sha256_of(cas.front().get())));
    }
  }
  X509StorePtr store(X509_STORE_new());
  for (const auto& ca : cas) X509_STORE_add_cert(store.get(), ca.get());
  OpensslPtr<STACK_OF(X509), sk_X509_free_shallow> chain(sk_X509_new_null());
  for (std::size_t i = 1; i < leaf.size(); ++i) sk_X509_push(chain.get(), leaf[i].get());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.front().get(), chain.get());
  if (X509_verify_cert(ctx.get()) != 1) {
    const std::string why = i18n::verify_error_text(X509_STORE_CTX_get_error(ctx.get()));
    ERR_clear_error();
    throw EnrollError(kExitDataError, tr("the issued certificate does not chain to the CA sent with it: {0}", why));
  }
}

std::string pem_of(const std::vector<X509Owner>& certs) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  for (const auto& cert : certs) PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

int enroll(const EnrollSettings& settings, std::ostream& out) {
  ClientOptions options;
  std::optional<std::string> pin;
  try {
    options.collector = parse_collector_url(settings.collector_url);
    options.proxy = choose_proxy(settings.proxy, options.collector.host);
    if (settings.ca_fingerprint) pin = normalise_fingerprint(*settings.ca_fingerprint);
  } catch (const std::invalid_argument& e) {
    throw EnrollError(kExitDataError, e.what());
  }
  if (enrolled_certificate_exists(settings.cert) && !settings.force) {
    throw EnrollError(kExitDataError,
                      tr("this machine is already enrolled ({0} is issued by a CA); pass --force to replace its "
                         "certificate (the key is kept)",
                         settings.cert.string()));
  }
  std::error_code error;
  if (pin) {
    options.trust.pinned_ca_sha256 = pin;
  } else if (std::filesystem::is_regular_file(settings.ca, error)) {
    options.trust.ca_file = settings.ca;
  } else {
    out << tr("note: no --ca-fingerprint and no {0}: the collector is trusted through the system's certificate "
              "authorities",
              settings.ca.string())
        << "\n";
  }
  options.step_timeout = settings.step_timeout;

  // The key (created if none, 0600) and a CSR naming hostname and machine-id.
  std::filesystem::create_directories(settings.state_dir, error);
  signing::KeygenOptions keygen;
  keygen.key_path = settings.key;
  keygen.cert_path = settings.cert;
  keygen.csr_path = settings.state_dir / "agent.csr";
  std::filesystem::remove(*keygen.csr_path, error);
  std::ostringstream keygen_out, keygen_err;
  // keygen creates the key only when there is none: whether it did is known
  // from the file, not from the words it printed (those may be translated).
  const bool had_key =
      std::filesystem::symlink_status(settings.key, error).type() != std::filesystem::file_type::not_found;
  if (const int code = signing::run_keygen(keygen, keygen_out, keygen_err); code != 0) {
    throw EnrollError(code, keygen_err.str());
  }
  const std::string csr_pem = signing::read_file(*keygen.csr_path);
  std::filesystem::remove(*keygen.csr_path, error);
  if (!had_key) out << tr("created signing key {0} (mode 0600)", settings.key.string()) << "\n";

  HttpsClient client(options);
  const nlohmann::json request = {{"token", settings.token}, {"csr_pem", csr_pem}};
  HttpResponse response;
  try {
    response = client.post(kEnrollPath, "application/json", request.dump(),
                           std::chrono::steady_clock::now() + 3 * settings.step_timeout);
  } catch (const TransportError& e) {
    // The reason is the client's own (https_client.cpp): a pin that matches
    // no certificate says so; a certificate for another name, or expired,
    // with the pin matching, says that instead.
    if (e.kind() == TransportError::Kind::untrusted) throw EnrollError(kExitNoPermission, e.what());
    if (e.kind() == TransportError::Kind::unreachable) {
      throw EnrollError(kExitTempFail, tr("collector unreachable: {0}", e.what()));
    }
    throw EnrollError(kExitDataError, e.what());
  }
  if (response.status == 401) {
    throw EnrollError(kExitNoPermission,
                      tr("the collector refused the enrolment token (unknown, expired or used up): {0}",
                         error_text(response.body)));
  }
  if (response.status == 503 || response.status / 100 == 5) {
    throw EnrollError(kExitTempFail,
                      tr("the collector cannot enrol now (HTTP {0}): {1}", response.status, error_text(response.body)));
  }
  if (response.status != 201 && response.status != 200) {
    throw EnrollError(kExitDataError,
                      tr("the collector answered HTTP {0}: {1}", response.status, error_text(response.body)));
  }
  const auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("certificate_pem") ||
      !json["certificate_pem"].is_string() || !json.contains("ca_pem") || !json["ca_pem"].is_string()) {
    throw EnrollError(kExitDataError,
                      tr("the collector's answer is not {{certificate_pem, ca_pem}}: {0}", error_text(response.body)));
  }
  const auto leaf = parse_pem_certificates(json["certificate_pem"].get<std::string>());
  const auto cas = parse_pem_certificates(json["ca_pem"].get<std::string>());
  check_answer(leaf, cas, settings, pin, client.presented_fingerprints());

  // ca.crt first: an agent.crt is never left without the CA that verifies it.
  signing::write_file_atomically(settings.ca, pem_of(cas), 0644);
  signing::write_file_atomically(settings.cert, pem_of(leaf), 0644);
  store::write_collector_record(settings.state_dir, settings.collector_url);
  out << tr("enrolled with {0}: {1} issued to {2} by {3}; CA {4} (SHA-256 {5})", settings.collector_url,
            settings.cert.string(), signing::subject_text(leaf.front().get()), signing::issuer_text(leaf.front().get()),
            settings.ca.string(), sha256_of(cas.front().get()))
      << "\n";
  return 0;
}

}  // namespace

int run_enroll(const EnrollSettings& settings, std::ostream& out, std::ostream& err) {
  try {
    return enroll(settings, out);
  } catch (const EnrollError& e) {
    err << "clinic-audit enroll: " << e.what() << '\n';
    return e.code();
  } catch (const ClientSetupError& e) {
    err << "clinic-audit enroll: " << e.what() << '\n';
    return kExitDataError;
  } catch (const signing::SigningError& e) {
    err << "clinic-audit enroll: " << e.what() << '\n';
    return e.exit_code();
  } catch (const std::filesystem::filesystem_error& e) {
    err << "clinic-audit enroll: " << i18n::error_text(e) << '\n';
    return kExitCantCreate;
  }
}

}  // namespace clinic_audit::delivery
