// read_host_file (issue #20 item 8): the agent's own configuration files are
// never waited on nor read past their cap.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/host_file.hpp"

namespace clinic_audit {
namespace {

class HostFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("host-file-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string message_of(const std::filesystem::path& path, std::size_t cap) {
    try {
      read_host_file(path, cap);
    } catch (const HostFileError& e) {
      return e.what();
    }
    return "(no error)";
  }
  std::filesystem::path dir_;
};

TEST_F(HostFileTest, ReadsARegularFile) {
  std::ofstream(dir_ / "a") << "hello\n";
  EXPECT_EQ(read_host_file(dir_ / "a", 100), "hello\n");
  EXPECT_EQ(read_host_file(dir_ / "a", 6), "hello\n");  // exactly the cap
}

TEST_F(HostFileTest, RefusesWhatIsNotARegularFileWithoutOpeningIt) {
  ASSERT_EQ(::mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(message_of(dir_ / "fifo", 100), (dir_ / "fifo").string() + ": is a FIFO, not a regular file");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(message_of(dir_, 100), dir_.string() + ": is a directory, not a regular file");
  EXPECT_EQ(message_of("/dev/null", 100), "/dev/null: is a character device, not a regular file");
}

TEST_F(HostFileTest, RefusesKernelPseudoFiles) {
  EXPECT_EQ(message_of("/proc/self/status", 1 << 20),
            "/proc/self/status: is on a kernel pseudo file system (/proc, /sys...), not a configuration file");
  EXPECT_EQ(message_of("/proc/kmsg", 1 << 20),
            "/proc/kmsg: is on a kernel pseudo file system (/proc, /sys...), not a configuration file");
}

TEST_F(HostFileTest, RefusesAFileOverTheCapBeforeReadingIt) {
  const auto big = dir_ / "big";
  const int fd = ::open(big.c_str(), O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 2LL * 1024 * 1024 * 1024), 0);
  ::close(fd);
  EXPECT_EQ(message_of(big, 65536), big.string() + ": is 2147483648 bytes, over the 65536-byte limit for this file");
  std::ofstream(dir_ / "seven") << "1234567";
  EXPECT_EQ(message_of(dir_ / "seven", 6),
            (dir_ / "seven").string() + ": is 7 bytes, over the 6-byte limit for this file");
}

TEST_F(HostFileTest, MissingFileKeepsItsErrno) {
  try {
    read_host_file(dir_ / "none", 10);
    FAIL();
  } catch (const HostFileError& e) {
    EXPECT_EQ(e.error_number(), ENOENT);
    EXPECT_EQ(std::string(e.what()), (dir_ / "none").string() + ": cannot read: No such file or directory");
  }
}

TEST_F(HostFileTest, InspectSeesTheOpenFileBeforeAnyRead) {
  std::ofstream(dir_ / "key") << "secret";
  ::chmod((dir_ / "key").c_str(), 0644);
  mode_t seen = 0;
  EXPECT_THROW(read_host_file(dir_ / "key", 100,
                              [&](const struct stat& st) {
                                seen = st.st_mode & 07777;
                                throw std::runtime_error("mode");
                              }),
               std::runtime_error);
  EXPECT_EQ(seen, 0644U);
}

}  // namespace
}  // namespace clinic_audit
