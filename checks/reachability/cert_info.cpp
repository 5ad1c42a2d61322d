#include "cert_info.hpp"
#include "i18n.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>
#include <memory>

#include "common/openssl_ptr.hpp"
#include "openssl_error_text.hpp"

namespace clinic_audit::reachability {
namespace {

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string{};
}

std::string key_type_name(int base_id) {
  switch (base_id) {
    case EVP_PKEY_RSA: return "RSA";
    case EVP_PKEY_RSA_PSS: return "RSA-PSS";
    case EVP_PKEY_EC: return "EC";
    case EVP_PKEY_DSA: return "DSA";
    case EVP_PKEY_ED25519: return "ED25519";
    case EVP_PKEY_ED448: return "ED448";
    default: return OBJ_nid2sn(base_id) ? OBJ_nid2sn(base_id) : "unknown";
  }
}

std::string iso_time(const ASN1_TIME* time) {
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) return {};
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace

bool CertInfo::untrusted_issuer() const {
  switch (verify_code) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: return true;
    default: return false;
  }
}

CertInfo::Origin CertInfo::untrusted_origin() const {
  if (leaf_self_signed && chain_length <= 1) return Origin::self_signed_server;
  // Issuers that name the TLS-inspection products of firewalls and endpoint
  // security suites: what such a proxy writes into the CA it re-signs with.
  static const char* const kInspectionNames[] = {
      "fortinet", "fortigate",          "sophos",     "zscaler",  "palo alto",  "paloalto",    "kaspersky",
      "eset ",    "bitdefender",        "avast",      "avg ",     "blue coat",  "bluecoat",    "forcepoint",
      "websense", "stormshield",        "watchguard", "untangle", "checkpoint", "check point", "cisco umbrella",
      "netskope", "mcafee web gateway", "barracuda",  "inspect"};
  std::string issuer_lower = chain_top_issuer + " " + issuer;
  for (char& c : issuer_lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* name : kInspectionNames) {
    if (issuer_lower.find(name) != std::string::npos) return Origin::inspection;
  }
  if (top_self_signed) return Origin::private_or_inspection;
  return Origin::unknown_issuer;
}

std::string CertInfo::untrusted_explanation() const {
  switch (untrusted_origin()) {
    case Origin::self_signed_server:
      return tr("the server's own self-signed certificate (subject and issuer '{0}', no CA in the chain): not TLS "
                "inspection, which re-signs with the proxy's CA; the server does not use a publicly trusted certificate",
                subject);
    case Origin::inspection:
      return tr("TLS inspection by a proxy: the certificate is issued by '{0}', a TLS-inspection CA no trusted CA "
                "vouches for ({1})",
                issuer, verify_message);
    case Origin::private_or_inspection:
      return tr("TLS inspection by a proxy, or a private CA: the chain ends at the root '{0}', which the trust store "
                "does not hold ({1}); the chain alone cannot tell them apart",
                chain_top_subject, verify_message);
    case Origin::unknown_issuer: break;
  }
  return tr("TLS inspection by a proxy, or a server that does not send its intermediate certificate: the certificate "
            "is issued by '{0}', which the trust store does not know and the server did not send ({1}); the chain "
            "alone cannot tell them apart",
            issuer, verify_message);
}

std::string CertInfo::describe() const {
  std::string text =
      tr("{0} {1} bits, signature {2}, expires {3} ({4} days), subject {5}, issuer {6}", key_type, key_bits,
         signature_hash.empty() ? _("unknown hash") : signature_hash, not_after, days_left, subject, issuer);
  if (!tls_version.empty()) text += ", " + tls_version;
  text += chain_trusted() ? _(", chain trusted") : tr(", chain NOT trusted: {0}", verify_message);
  return text;
}

std::optional<CertInfo> inspect_peer_certificate(SSL* ssl) {
  X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return std::nullopt;
  CertInfo info;
  info.subject = name_text(X509_get_subject_name(leaf));
  info.issuer = name_text(X509_get_issuer_name(leaf));
  info.chain_top_issuer = info.issuer;
  info.chain_top_subject = info.subject;
  info.chain_length = 1;
  // X509_check_issued(a, a) == X509_V_OK: a names itself as issuer and its
  // key usage allows it (the test OpenSSL's own "self-signed" uses).
  info.leaf_self_signed = X509_check_issued(leaf, leaf) == X509_V_OK;
  info.top_self_signed = info.leaf_self_signed;
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl); chain != nullptr && sk_X509_num(chain) > 0) {
    X509* top = sk_X509_value(chain, sk_X509_num(chain) - 1);
    info.chain_top_issuer = name_text(X509_get_issuer_name(top));
    info.chain_top_subject = name_text(X509_get_subject_name(top));
    info.chain_length = sk_X509_num(chain);
    info.top_self_signed = X509_check_issued(top, top) == X509_V_OK;
  }
  if (EVP_PKEY* key = X509_get0_pubkey(leaf)) {
    info.key_type = key_type_name(EVP_PKEY_get_base_id(key));
    info.key_bits = EVP_PKEY_get_bits(key);
    info.security_bits = EVP_PKEY_get_security_bits(key);
  }
  int md_nid = NID_undef;
  if (X509_get_signature_info(leaf, &md_nid, nullptr, nullptr, nullptr) == 1 && md_nid != NID_undef) {
    info.signature_hash = OBJ_nid2sn(md_nid);
  } else if (const char* name = OBJ_nid2sn(X509_get_signature_nid(leaf))) {
    info.signature_hash = name;  // e.g. ED25519: the algorithm has no separate digest
  }
  const ASN1_TIME* not_after = X509_get0_notAfter(leaf);
  info.not_after = iso_time(not_after);
  int days = 0;
  int seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, not_after) == 1) info.days_left = days;
  info.tls_version = SSL_get_version(ssl);
  info.verify_code = SSL_get_verify_result(ssl);
  info.verify_message = i18n::verify_error_text(info.verify_code);
  return info;
}

Annex2Judgement judge_annex2(const CertInfo& cert, int min_rsa_bits) {
  Annex2Judgement judgement;
  auto add = [&judgement](const std::string& problem) {
    judgement.ok = false;
    judgement.problem += (judgement.problem.empty() ? "" : "; ") + problem;
  };
  const bool rsa_like = cert.key_type == "RSA" || cert.key_type == "RSA-PSS" || cert.key_type == "DSA";
  if (rsa_like && cert.key_bits < min_rsa_bits) {
    add(tr("{0} key of {1} bits, under {2}", cert.key_type, cert.key_bits, min_rsa_bits));
  } else if (!rsa_like && cert.security_bits < 112) {
    add(tr("{0} key of {1} bits ({2} security bits), weaker than RSA-2048", cert.key_type, cert.key_bits,
           cert.security_bits));
  }
  const std::string& hash = cert.signature_hash;
  if (hash == "SHA1" || hash == "MD5" || hash == "MD4" || hash == "MD2" || hash == "SHA224") {
    add(tr("signed with {0}, not SHA-256 or stronger", hash));
  }
  return judgement;
}

}  // namespace clinic_audit::reachability
