// SHA-256 (FIPS 180-4) of a small text, as lowercase hex: the policy hash
// every report carries. Written out here rather than taken from libcrypto so
// that an audit that signs nothing never initialises OpenSSL (its provider
// and configuration loading cost about 2 ms and 2 MiB at the first digest,
// issue #19 item 5). Checked against OpenSSL's EVP_sha256 in the tests.
#pragma once

#include <string>
#include <string_view>

namespace clinic_audit {

// Uses the CPU's SHA extensions when it has them (x86-64 SHA-NI).
std::string sha256_hex_of(std::string_view data);
// The portable code alone, whatever the CPU (for the tests: both paths
// are held against OpenSSL).
std::string sha256_hex_of_portable(std::string_view data);

}  // namespace clinic_audit
