#include "test_pki.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

namespace clinic_audit::reachability::testing {
namespace {

void run(const std::string& command) {
  const std::string full = command + " >/dev/null 2>&1";
  if (std::system(full.c_str()) != 0) throw std::runtime_error("test PKI command failed: " + command);
}

}  // namespace

TestPki::TestPki(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const std::string d = dir.string();
  std::ofstream(dir / "san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n";
  auto make_ca = [&](const std::string& name, const std::string& cn) {
    run("openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 3 -subj '/CN=" + cn + "' -keyout " + d + "/" + name +
        ".key -out " + d + "/" + name + ".pem");
  };
  auto make_leaf = [&](const std::string& name, const std::string& ca, int bits, const std::string& digest) {
    run("openssl req -new -newkey rsa:" + std::to_string(bits) + " -nodes -subj '/CN=localhost' -keyout " + d + "/" +
        name + ".key -out " + d + "/" + name + ".csr");
    run("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/" + ca + ".pem -CAkey " + d + "/" + ca +
        ".key -CAcreateserial -days 2 -" + digest + " -extfile " + d + "/san.ext -out " + d + "/" + name + ".pem");
    return CertPair{dir / (name + ".pem"), dir / (name + ".key")};
  };
  make_ca("ca", "clinic-audit Test CA");
  make_ca("rogue-ca", "Inspecting Proxy CA");
  ca_file = dir / "ca.pem";
  good = make_leaf("good", "ca", 2048, "sha256");
  weak = make_leaf("weak", "ca", 1024, "sha256");
  sha1 = make_leaf("sha1", "ca", 2048, "sha1");
  rogue = make_leaf("rogue", "rogue-ca", 2048, "sha256");
  run("openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 2 -subj '/CN=localhost' -addext "
      "'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' -keyout " +
      d + "/self.key -out " + d + "/self.pem");
  self_signed = CertPair{dir / "self.pem", dir / "self.key"};
  make_ca("private-ca", "Clinic Private Root");
  const CertPair leaf = make_leaf("private-leaf", "private-ca", 2048, "sha256");
  {
    std::ifstream first(leaf.cert, std::ios::binary);
    std::ifstream root(dir / "private-ca.pem", std::ios::binary);
    std::ofstream chain(dir / "private-chain.pem", std::ios::binary);
    chain << first.rdbuf() << root.rdbuf();
  }
  private_chain = CertPair{dir / "private-chain.pem", leaf.key};
}

}  // namespace clinic_audit::reachability::testing
