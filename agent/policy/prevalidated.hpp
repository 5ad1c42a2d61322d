// Shipped policies validated at build time (issue #19 item 5).
//
// Parsing policy.xsd and validating a policy against it is most of what
// loading a policy costs with libxml2. The build validates every shipped
// policy file against the shipped policy.xsd with the very code the agent
// uses (XmlDocument::load, tool prevalidate_policies_main.cpp) and records
// the SHA-256 of each file it accepted; the build fails on an invalid one.
// At run time a policy whose bytes have one of those digests was already
// validated and skips the schema; any other file -- a site's own policy, an
// edited copy -- goes through full validation, with file:line errors.
#pragma once

#include <string_view>

namespace clinic_audit {

// True when `sha256_hex` (lowercase hex, sha256_hex_of) is the digest of a
// policy file that this build validated against policy.xsd.
bool is_prevalidated_policy(std::string_view sha256_hex);

}  // namespace clinic_audit
