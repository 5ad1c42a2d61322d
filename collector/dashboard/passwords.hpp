// Dashboard passwords: Argon2id (RFC 9106) from Debian's libargon2, stored as
// the PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so the
// parameters travel with the hash and can be raised later.
#pragma once

#include <string>
#include <string_view>

namespace clinic_audit::dashboard {

// OWASP Password Storage Cheat Sheet's first Argon2id configuration:
// m = 19 MiB, t = 2, p = 1.
struct Argon2Params {
  unsigned memory_kib = 19 * 1024;
  unsigned iterations = 2;
  unsigned parallelism = 1;
};

// Throws std::runtime_error when libargon2 fails (out of memory).
std::string hash_password(std::string_view password, const Argon2Params& params = {});

// False for a wrong password and for anything that is not an Argon2id PHC
// string (never throws on a stored value).
bool verify_password(std::string_view password, const std::string& encoded);

// Refuses what no one should use for an account that can see a region's
// fleet: shorter than 12 characters, longer than 1024 bytes (bounded hashing
// cost), or containing a NUL. Returns the reason, empty when acceptable.
std::string password_problem(std::string_view password);

}  // namespace clinic_audit::dashboard
