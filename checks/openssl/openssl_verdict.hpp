// Turns what OpenSSL applies into a result with evidence and the exact lines
// to write. Pure: the analysis (and the live probe's answer) in, Outcome out.
#pragma once

#include <optional>

#include "common/result.hpp"
#include "openssl_analysis.hpp"

namespace clinic_audit::openssl {

struct LevelLimits {
  int min_level = 1;
  int max_level = 5;
};

// Whether a line SSL_CONF_cmd() refused has no effect at all, i.e. libssl
// silently skips it (ssl/ssl_conf.c): true for an unknown command and for a
// refused value of every command but CipherString, whose
// SSL_CTX_set_cipher_list() has already applied its @SECLEVEL and emptied the
// TLS 1.2 list when it reports the failure. Checked against OpenSSL by the
// differential test (the configuration without such lines applies the same).
bool claims_no_effect(const RejectedCommand& rejected);

Outcome judge(const Analysis& analysis, const std::optional<ProbeResult>& live, const LevelLimits& limits);

// The lines that make system_default apply CipherString = DEFAULT@SECLEVEL=level,
// adapted to the links of the chain that already exist.
std::string remediation(const Analysis& analysis, int level);

}  // namespace clinic_audit::openssl
