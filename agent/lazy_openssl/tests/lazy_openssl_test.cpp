// Issue #19 item 5: libcrypto and libssl bound on first call
// (agent/lazy_openssl/lazy_openssl.cpp). The binary does not link them; a
// command that calls neither loads neither; a command that calls libcrypto
// loads it (not libssl) and its result is the real library's, checked with
// the stock `openssl` program. Signing, verification and delivery through the
// binary are held by their own tests (SignedRun.*, the netcut and submit
// tests), which now go through the trampolines.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fixture_root.hpp"
#include "run_agent.hpp"

namespace clinic_audit::testing {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string output_of(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::string output;
  char buffer[4096];
  while (const std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return status == 0 ? output : "exit status " + std::to_string(status) + ": " + output;
}

TEST(LazyOpenssl, BinaryDoesNotLinkOpenssl) {
  const std::string output = output_of("readelf -d " + agent_binary());
  ASSERT_NE(output.find("(NEEDED)"), std::string::npos) << output;
  // A missing line in symbols.list leaves the library here.
  EXPECT_EQ(output.find("libcrypto"), std::string::npos) << output;
  EXPECT_EQ(output.find("libssl"), std::string::npos) << output;
}

// Which of the two libraries a command made the dynamic loader map.
struct Loaded {
  AgentRun run;
  bool crypto = false;
  bool ssl = false;
};
Loaded traced(const std::vector<std::string>& args, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().starts_with("ld.")) fs::remove(entry.path());
  }
  Loaded out{run_agent(args, {{"LD_DEBUG", "files"}, {"LD_DEBUG_OUTPUT", (dir / "ld").string()}}), false, false};
  int logs = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.path().filename().string().starts_with("ld.")) continue;
    ++logs;
    const std::string log = read(entry.path());
    out.crypto = out.crypto || log.find("file=libcrypto.so") != std::string::npos;
    out.ssl = out.ssl || log.find("file=libssl.so") != std::string::npos;
  }
  EXPECT_GT(logs, 0) << "no dynamic loader log in " << dir;
  return out;
}

TEST(LazyOpenssl, EachLibraryIsLoadedOnlyByTheCommandsThatCallIt) {
  const fs::path dir = fixture_dir("lazy-openssl");
  fs::remove_all(dir);
  fs::create_directories(dir / "state");

  const Loaded version = traced({"version"}, dir / "version");
  EXPECT_EQ(version.run.exit_code, 0) << version.run.err;
  EXPECT_NE(version.run.out.find("clinic-audit"), std::string::npos);
  EXPECT_FALSE(version.crypto);
  EXPECT_FALSE(version.ssl);

  FixtureRoot root(dir / "root");
  root.apply_manifest(source_dir() / "tests/fixtures/roots/apicrypt-compliant.manifest");
  const Loaded audit = traced({"run", "--root", root.path().string(), "--offline", "--no-sign", "--format", "json",
                               "--state-dir", (dir / "state").string(), "--policy", "apicrypt-v1"},
                              dir / "audit");
  EXPECT_EQ(audit.run.exit_code, 0) << audit.run.err;
  EXPECT_NE(audit.run.out.find("\"apicrypt-v1.binary.apicrypt\""), std::string::npos) << audit.run.out;
  EXPECT_FALSE(audit.crypto);
  EXPECT_FALSE(audit.ssl);

  // keygen calls libcrypto only; what it wrote is judged by openssl itself.
  const std::string key = (dir / "agent.key").string();
  const std::string cert = (dir / "agent.crt").string();
  const Loaded keygen = traced({"keygen", "--key", key, "--cert", cert}, dir / "keygen");
  ASSERT_EQ(keygen.run.exit_code, 0) << keygen.run.err;
  EXPECT_TRUE(keygen.crypto);
  EXPECT_FALSE(keygen.ssl);
  EXPECT_EQ(output_of("openssl pkey -in " + key + " -check -noout").rfind("exit status", 0), std::string::npos);
  const std::string pubkeys = output_of("openssl x509 -in " + cert + " -noout -pubkey") + "|" +
                              output_of("openssl pkey -in " + key + " -pubout");
  const std::size_t bar = pubkeys.find('|');
  EXPECT_EQ(pubkeys.substr(0, bar), pubkeys.substr(bar + 1));
  EXPECT_NE(pubkeys.find("BEGIN PUBLIC KEY"), std::string::npos) << pubkeys;
}

}  // namespace
}  // namespace clinic_audit::testing
