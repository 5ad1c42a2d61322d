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

Outcome judge(const Analysis& analysis, const std::optional<ProbeResult>& live, const LevelLimits& limits);

// The lines that make system_default apply CipherString = DEFAULT@SECLEVEL=level,
// adapted to the links of the chain that already exist.
std::string remediation(const Analysis& analysis, int level);

}  // namespace clinic_audit::openssl
