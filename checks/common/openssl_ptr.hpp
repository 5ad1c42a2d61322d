// The one style of owning pointer for OpenSSL objects (issue #19 item 3):
// std::unique_ptr with a deleter that calls the object's own free function,
// named by the object's type. Header only: a user links OpenSSL itself.
//
//   OpensslPtr<EVP_MD_CTX, EVP_MD_CTX_free> ctx(EVP_MD_CTX_new());
//   BioPtr bio(BIO_new(BIO_s_mem()));
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace clinic_audit {

template <auto Free>
struct OpensslDeleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);
  }
};

template <typename T, auto Free>
using OpensslPtr = std::unique_ptr<T, OpensslDeleter<Free>>;

// The objects several parts of the program hold.
using BioPtr = OpensslPtr<BIO, BIO_free_all>;  // BIO_free_all: also frees a chain pushed on it
using MdCtxPtr = OpensslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using PkeyPtr = OpensslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OpensslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using X509Ptr = OpensslPtr<X509, X509_free>;
using X509StorePtr = OpensslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OpensslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;

}  // namespace clinic_audit
