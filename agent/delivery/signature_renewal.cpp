#include "signature_renewal.hpp"

#include <openssl/cms.h>
#include <openssl/err.h>

#include "openssl_ptr.hpp"
#include "identity.hpp"
#include "signature_check.hpp"

namespace clinic_audit::delivery {

SignerFinding signer_of_report(std::string_view signature_der, X509* current) {
  SignerFinding finding;
  const auto* der = reinterpret_cast<const unsigned char*>(signature_der.data());
  signing::CmsPtr cms(d2i_CMS_ContentInfo(nullptr, &der, static_cast<long>(signature_der.size())));
  if (!cms) {
    ERR_clear_error();
    return finding;
  }
  // The signer is the one certificate whose identifier the SignerInfo
  // names (CMS_get0_signers(3) is set by a CMS_verify; this resolves it
  // from the embedded certificates the same way, RFC 5652 §5.3).
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  STACK_OF(X509)* certificates = CMS_get1_certs(cms.get());
  X509* signer = nullptr;
  if (infos != nullptr && sk_CMS_SignerInfo_num(infos) == 1 && certificates != nullptr) {
    CMS_SignerInfo* info = sk_CMS_SignerInfo_value(infos, 0);
    for (int i = 0; i < sk_X509_num(certificates) && signer == nullptr; ++i) {
      if (CMS_SignerInfo_cert_cmp(info, sk_X509_value(certificates, i)) == 0) signer = sk_X509_value(certificates, i);
    }
  }
  if (signer != nullptr) {
    finding.signer = signing::subject_text(signer);
    finding.fingerprint = signing::certificate_fingerprint(signer);
    const std::string machine = signing::subject_serial_number(signer);
    if (current != nullptr && X509_cmp(signer, current) == 0) {
      finding.kind = SignerOfReport::current;
    } else if (current != nullptr && !machine.empty() && machine == signing::subject_serial_number(current)) {
      finding.kind = SignerOfReport::earlier;
    }
  }
  sk_X509_pop_free(certificates, X509_free);
  ERR_clear_error();
  return finding;
}

}  // namespace clinic_audit::delivery
