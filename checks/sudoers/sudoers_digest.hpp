// Command digests (sudoers(5) "Digest_Spec": sha224/sha256/sha384/sha512,
// hex or base64): sudo runs a command named with a digest only when the
// file's digest is one of them (plugins/sudoers/match_digest.c
// digest_matches()). The file is read from the audited root, streamed with
// a size cap, and its digest cached per path and algorithm.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/root_fs.hpp"
#include "sudoers_ast.hpp"

namespace clinic_audit::sudoers {

// The digest of one file of the audited system.
struct FileDigest {
  enum class Status {
    ok,          // `value` holds the binary digest
    absent,      // no such file, or not a file sudo can digest (a directory): sudo's open/read fails, no match
    unreadable,  // the auditor could not read it (permission, I/O error, over the size cap, a FIFO/device)
  };
  Status status = Status::ok;
  std::string value;
  std::string reason;  // for absent/unreadable: why, naming the file
};

using FileDigester = std::function<FileDigest(const std::string& path, const std::string& algorithm)>;

// Digests of files inside `fs`, at most `max_bytes` read per file, cached.
// The returned function keeps a reference to `fs`.
FileDigester root_file_digester(const RootFs& fs, std::size_t max_bytes = std::size_t{1} << 30);

// The binary digest a sudoers Digest_Spec names: hex when it is twice the
// digest length, else base64 (match_digest.c; b64_decode.c stops at '=').
// nullopt when sudo would refuse it ("not in sha256 form", "bad length").
std::optional<std::string> decode_sudoers_digest(const Member::Digest& digest);

// Digest length in bytes of an algorithm name, 0 when unknown.
std::size_t digest_size(const std::string& algorithm);

enum class DigestVerdict { match, mismatch, unknown };

struct DigestCheck {
  DigestVerdict verdict = DigestVerdict::match;
  std::string detail;  // mismatch: which file and digest; unknown: why the file could not be read
};

// match_digest.c digest_matches(): the digests in order, the first whose
// file digest can be computed and equals it matches; a file sudo cannot
// digest, or a digest in a bad form, matches nothing.
DigestCheck check_digests(const std::vector<Member::Digest>& digests, const std::string& path,
                          const FileDigester& digester);

}  // namespace clinic_audit::sudoers
