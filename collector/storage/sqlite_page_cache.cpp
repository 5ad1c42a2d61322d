#include "sqlite_page_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utility>

namespace clinic_audit::collector::sqlite {

AppendedPagesDropper::AppendedPagesDropper(std::string path) : path_(std::move(path)) {
  // Our own descriptor: the page cache is the inode's, whichever
  // descriptor gives the advice (posix_fadvise(2)).
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);  // NOLINT(cppcoreguidelines-pro-type-vararg)
  struct stat st {};
  if (fd_ >= 0 && ::fstat(fd_, &st) == 0) dropped_until_ = st.st_size;
}

AppendedPagesDropper::~AppendedPagesDropper() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendedPagesDropper::checkpointed() {
  if (fd_ < 0) return;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return;
  const std::int64_t size = st.st_size;
  if (size <= dropped_until_) {
    dropped_until_ = size;  // unchanged, or shrank (a checkpoint truncates a file VACUUM made smaller)
    return;
  }
  if (::posix_fadvise(fd_, dropped_until_, size - dropped_until_, POSIX_FADV_DONTNEED) == 0) {
    dropped_bytes_ += static_cast<std::uint64_t>(size - dropped_until_);
    dropped_until_ = size;
  }
}

}  // namespace clinic_audit::collector::sqlite
