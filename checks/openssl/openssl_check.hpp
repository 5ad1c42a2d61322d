// The `openssl` check type: the TLS security level OpenSSL applies to every
// application of the audited system (seed 004, "Apicrypt v2": "Voir également
// sous Debian /etc/ssl/openssl.conf et le paramètre CipherString =
// DEFAULT@SECLEVEL=2").
//
// SSL_CTX_set_security_level(3): level 0 permits everything; 1 forbids keys
// under 80 bits of security, SSLv3...; 2 requires 112 bits (RSA >= 2048); 3
// requires 128 bits. Debian builds OpenSSL with level 2 compiled in and ships
// an openssl.cnf without CipherString, so the level is only found by asking
// the library -- which this check does for the configuration inside the root
// (and, on a live system, for the running configuration too).
//
// Parameters:
//   min_level  lowest acceptable level (default 1; 0 is never accepted)
//   max_level  highest level the site's peers can live with (default 5)
//   config     configuration file inside the root (default OPENSSLDIR/openssl.cnf)
// Verdict: fail when the file does not load, when system_default holds a
// command OpenSSL rejects, when no TLS <= 1.2 cipher is left, when the level
// is 0 or outside [min_level, max_level]; pass otherwise.
#pragma once

#include "common/check.hpp"
#include "openssl_probe.hpp"

namespace clinic_audit {

CheckType openssl_check_type();

namespace openssl {

// The check with an explicit probe program (tests); the registry uses
// default_probe_command().
std::unique_ptr<Check> make_openssl_check(const Params& params, ProbeCommand probe);

}  // namespace openssl
}  // namespace clinic_audit
