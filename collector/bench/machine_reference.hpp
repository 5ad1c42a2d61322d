// The speed of this machine's CPU in the unit issue #11 states its goals
// against: "ECDSA P-256 verification alone allows about 20,000/s per core
// here". The ingest benchmark prints it before its own figures, so that a
// reports/s figure measured on a slower (or busier) virtual machine is read
// next to how much slower that machine is, not against a number from
// another one.
#pragma once

namespace clinic_audit::collector::bench {

// What issue #11 gives for its reference machine.
inline constexpr double kIssueReferenceVerifiesPerSecond = 20000;

// ECDSA P-256 signature verifications per second on one core, measured for
// about `seconds` the way `openssl speed ecdsap256` measures them (one
// thread, a 32-byte digest, the key and signature made beforehand). Throws
// std::runtime_error if OpenSSL fails.
double ecdsa_p256_verifies_per_second(double seconds);

}  // namespace clinic_audit::collector::bench
