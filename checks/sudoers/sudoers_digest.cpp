#include "sudoers_digest.hpp"

#include <openssl/evp.h>

#include <cerrno>
#include <map>
#include <memory>
#include <utility>

#include "common/openssl_ptr.hpp"

namespace clinic_audit::sudoers {
namespace {

const EVP_MD* md_of(const std::string& algorithm) {
  if (algorithm == "sha224") return EVP_sha224();
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "sha384") return EVP_sha384();
  if (algorithm == "sha512") return EVP_sha512();
  return nullptr;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// b64_decode.c base64_decode(): stops at the first '=' or the end; any
// other character outside the alphabet, or more bytes than `size`, fails.
std::optional<std::string> base64_decode(const std::string& in, std::size_t size) {
  std::string out;
  unsigned v = 0;
  unsigned rem = 0;
  for (char c : in) {
    if (c == '=') break;
    int ch = -1;
    if (c >= 'A' && c <= 'Z') ch = c - 'A';
    else if (c >= 'a' && c <= 'z') ch = c - 'a' + 26;
    else if (c >= '0' && c <= '9') ch = c - '0' + 52;
    else if (c == '+') ch = 62;
    else if (c == '/') ch = 63;
    if (ch < 0) return std::nullopt;
    v = (v << 6) | static_cast<unsigned>(ch);
    rem += 6;
    if (rem >= 8) {
      rem -= 8;
      if (out.size() >= size) return std::nullopt;
      out.push_back(static_cast<char>((v >> rem) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::size_t digest_size(const std::string& algorithm) {
  if (algorithm == "sha224") return 28;
  if (algorithm == "sha256") return 32;
  if (algorithm == "sha384") return 48;
  if (algorithm == "sha512") return 64;
  return 0;
}

std::optional<std::string> decode_sudoers_digest(const Member::Digest& digest) {
  const std::size_t n = digest_size(digest.algorithm);
  if (n == 0) return std::nullopt;
  if (digest.value.size() == n * 2) {
    std::string out(n, '\0');
    for (std::size_t i = 0; i < n; ++i) {
      const int hi = hex_value(digest.value[2 * i]);
      const int lo = hex_value(digest.value[2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out[i] = static_cast<char>(hi * 16 + lo);
    }
    return out;
  }
  auto out = base64_decode(digest.value, n);
  if (!out || out->size() != n) return std::nullopt;
  return out;
}

FileDigester root_file_digester(const RootFs& fs, std::size_t max_bytes) {
  auto cache = std::make_shared<std::map<std::pair<std::string, std::string>, FileDigest>>();
  return [&fs, max_bytes, cache](const std::string& path, const std::string& algorithm) -> FileDigest {
    const auto key = std::make_pair(path, algorithm);
    if (auto found = cache->find(key); found != cache->end()) return found->second;
    FileDigest result;
    const EVP_MD* md = md_of(algorithm);
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (md == nullptr || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1) {
      result = {FileDigest::Status::unreadable, {}, "cannot compute a " + algorithm + " digest"};
    } else {
      try {
        const auto info = fs.stat(path);
        if (!info || info->type == FileType::directory) {
          // sudo's open() or read() fails: the command matches nothing.
          result = {FileDigest::Status::absent, {}, path + (info ? " is a directory" : " does not exist")};
        } else {
          fs.read_file_chunks(path, max_bytes,
                              [&](const char* data, std::size_t size) { EVP_DigestUpdate(ctx.get(), data, size); });
          unsigned char out[EVP_MAX_MD_SIZE];
          unsigned len = 0;
          EVP_DigestFinal_ex(ctx.get(), out, &len);
          result.value.assign(reinterpret_cast<const char*>(out), len);
        }
      } catch (const FsError& e) {
        if (e.error_number() == ENOENT || e.error_number() == ENOTDIR) {
          result = {FileDigest::Status::absent, {}, e.path() + " does not exist"};
        } else {
          result = {FileDigest::Status::unreadable,
                    {},
                    "cannot read " + e.path() + " to compute its " + algorithm + " digest: " + e.what()};
        }
      }
    }
    return cache->emplace(key, std::move(result)).first->second;
  };
}

DigestCheck check_digests(const std::vector<Member::Digest>& digests, const std::string& path,
                          const FileDigester& digester) {
  if (digests.empty()) return {};
  if (!digester) return {DigestVerdict::unknown, "no file digests available to compare with " + path};
  for (const auto& d : digests) {
    const FileDigest file = digester(path, d.algorithm);
    if (file.status == FileDigest::Status::absent) {
      return {DigestVerdict::mismatch, file.reason + ": sudo cannot compare its " + d.algorithm + " digest"};
    }
    if (file.status == FileDigest::Status::unreadable) return {DigestVerdict::unknown, file.reason};
    const auto wanted = decode_sudoers_digest(d);
    if (!wanted) {
      return {DigestVerdict::mismatch, "the " + d.algorithm + " digest " + d.value + " is not in " + d.algorithm +
                                           " form (sudo matches nothing)"};
    }
    if (*wanted == file.value) return {};
  }
  const std::string which = digests.size() > 1
                                ? "none of the " + std::to_string(digests.size()) + " digests in sudoers matches "
                                : "the " + digests.front().algorithm + " digest in sudoers does not match ";
  return {DigestVerdict::mismatch, which + path + " (replaced or upgraded since)"};
}

}  // namespace clinic_audit::sudoers
