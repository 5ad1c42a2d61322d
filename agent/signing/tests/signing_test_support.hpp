// Helpers for the signing tests: temporary directories, the openssl CLI (to
// check against stock OpenSSL and to build test CAs), sample reports
// rendered by the real JSON/XML renderers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "identity.hpp"

namespace clinic_audit::signing::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
// Runs `command` with /bin/sh (test-only: the product never shells out).
CommandResult run_shell(const std::string& command);
std::string quote(const std::filesystem::path& path);

// The exact command of DESIGN.md §6 / issue #8.
CommandResult openssl_cms_verify(const std::filesystem::path& report, const std::filesystem::path& ca);

std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& bytes, unsigned mode = 0644);

// Rendered by render_json / render_xml: valid against agent/schemas.
std::string sample_report(const std::string& ext, std::uint64_t sequence, const std::optional<std::string>& previous,
                          const std::string& report_id = "");
// DIR/clinic-audit-<host>-<timestamp>.<ext>
std::filesystem::path report_path(const std::filesystem::path& dir, const std::string& timestamp,
                                  const std::string& ext, const std::string& host = "testhost");
// A random UUID v4 (text).
std::string random_uuid();

struct KeyPair {
  std::filesystem::path key;
  std::filesystem::path cert;
};
// `clinic-audit keygen` into DIR/NAME.key, DIR/NAME.crt (self-signed).
KeyPair self_signed(const std::filesystem::path& dir, const std::string& name, bool rsa = false);

struct TestCa {
  std::filesystem::path key;
  std::filesystem::path cert;
};
// An ECDSA test CA made with the openssl CLI; `issuer` makes it an
// intermediate under that CA.
TestCa make_test_ca(const std::filesystem::path& dir, const std::string& name,
                    const std::optional<TestCa>& issuer = std::nullopt);
// `keygen --csr` then the CA issues the certificate (openssl x509 -req).
KeyPair ca_issued(const std::filesystem::path& dir, const std::string& name, const TestCa& ca, bool rsa = false);

// A self-signed certificate for the key at `key`, valid from now+from_s to
// now+to_s (seconds; negative in the past), built with the X509 API.
void write_cert_with_validity(const std::filesystem::path& key, const std::filesystem::path& cert, long from_s,
                              long to_s);

// Writes a report of each `ext` with that sequence/previous and signs them.
std::vector<std::filesystem::path> write_signed_set(const SigningIdentity& identity, const std::filesystem::path& dir,
                                                    const std::string& timestamp, std::uint64_t sequence,
                                                    const std::optional<std::string>& previous,
                                                    const std::vector<std::string>& exts = {"json", "xml"});

std::filesystem::path schema_dir();

}  // namespace clinic_audit::signing::test
