// The policy hash (sha256_hex_of) against OpenSSL's EVP_sha256 on every
// length around the block and padding boundaries, and on the shipped policies.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "fixture_root.hpp"
#include "common/sha256.hpp"

namespace clinic_audit {
namespace {

std::string openssl_sha256(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr), 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

TEST(Sha256, KnownAnswers) {
  // FIPS 180-4 examples (NIST CSRC "SHA256.pdf").
  EXPECT_EQ(sha256_hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, AgreesWithOpensslOnEveryLengthUpTo300AndALargeInput) {
  std::mt19937 random(19);
  std::string data;
  for (int length = 0; length <= 300; ++length) {
    EXPECT_EQ(sha256_hex_of(data), openssl_sha256(data)) << "length " << length;
    EXPECT_EQ(sha256_hex_of_portable(data), openssl_sha256(data)) << "length " << length;
    data += static_cast<char>(random());
  }
  data.assign(256 * 1024 + 17, '\0');
  for (char& c : data) c = static_cast<char>(random());
  EXPECT_EQ(sha256_hex_of(data), openssl_sha256(data));
  EXPECT_EQ(sha256_hex_of_portable(data), openssl_sha256(data));
}

TEST(Sha256, ShippedPoliciesHashAsOpensslDoes) {
  for (const char* name : {"apicrypt-v1.xml", "apicrypt-v2.xml", "ekermed.xml"}) {
    std::ifstream in(testing::source_dir() / "policies" / name, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_EQ(sha256_hex_of(text), openssl_sha256(text)) << name;
    EXPECT_EQ(sha256_hex_of_portable(text), openssl_sha256(text)) << name;
  }
}

}  // namespace
}  // namespace clinic_audit
