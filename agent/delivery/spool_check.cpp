#include "spool_check.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "common/openssl_ptr.hpp"
#include "report_files.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::delivery {
namespace {

// A regular file read with a cap, never blocking on a FIFO (issue #20 item 8).
std::optional<std::string> read_bounded(const std::filesystem::path& path, std::string& why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    why = tr("cannot open {0}: {1}", path.string(), i18n::error_text(errno));
    return std::nullopt;
  }
  std::unique_ptr<int, void (*)(int*)> guard(new int(fd), [](int* f) {
    ::close(*f);
    delete f;
  });
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = tr("{0} is not a regular file", path.string());
    return std::nullopt;
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxSpooledFileBytes) {
    why = tr("{0} is larger than {1} bytes", path.string(), kMaxSpooledFileBytes);
    return std::nullopt;
  }
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

}  // namespace

bool detached_signature_matches(std::string_view content, std::string_view signature, std::string& why) {
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  OpensslPtr<CMS_ContentInfo, CMS_ContentInfo_free> cms(
      d2i_CMS_ContentInfo(nullptr, &der, static_cast<long>(signature.size())));
  if (!cms || der != reinterpret_cast<const unsigned char*>(signature.data()) + signature.size()) {
    ERR_clear_error();
    why = _("the signature is not a DER CMS structure (truncated?)");
    return false;
  }
  BioPtr data(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  const int ok = CMS_verify(cms.get(), nullptr, nullptr, data.get(), nullptr, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY);
  if (ok != 1) {
    ERR_clear_error();
    why = _("the signature does not match the report's bytes (edited or truncated?)");
    return false;
  }
  return true;
}

std::optional<SpooledReport> load_spooled_report(const store::SpoolEntry& entry, std::string& why) {
  auto bytes = read_bounded(entry.report, why);
  if (!bytes) return std::nullopt;
  auto signature = read_bounded(entry.signature, why);
  if (!signature) return std::nullopt;
  SpooledReport report;
  try {
    const auto fields = signing::read_chain_fields(entry.report.parent_path() / entry.name, *bytes);
    report.sequence = fields.sequence;
    report.report_id = fields.report_id;
  } catch (const std::exception& e) {
    why = std::string("not a report: ") + e.what();
    return std::nullopt;
  }
  if (report.sequence != entry.sequence) {
    why = "the report says sequence " + std::to_string(report.sequence) + ", its spool name " +
          std::to_string(entry.sequence);
    return std::nullopt;
  }
  if (!detached_signature_matches(*bytes, *signature, why)) return std::nullopt;
  report.bytes = std::move(*bytes);
  report.signature = std::move(*signature);
  return report;
}

}  // namespace clinic_audit::delivery
