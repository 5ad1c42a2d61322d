#include "chain_state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "atomic_file.hpp"
#include "report_files.hpp"
#include "sign_report.hpp"
#include "signing_error.hpp"

namespace clinic_audit::signing {
namespace {

std::filesystem::path state_file(const std::filesystem::path& state_dir) { return state_dir / "state"; }

std::string serialise(const StateRecord& record) {
  std::ostringstream out;
  out << "# clinic-audit report chain (DESIGN.md section 5). Written by clinic-audit; do not edit.\n"
      << "format 1\n"
      << "reserved " << record.reserved << "\n"
      << "reserved_signed " << (record.reserved_signed ? 1 : 0) << "\n"
      << "last_sequence " << record.last_sequence << "\n";
  if (record.last_sha256) out << "last_sha256 " << *record.last_sha256 << "\n";
  if (!record.last_report.empty()) out << "last_report " << record.last_report.string() << "\n";
  return out.str();
}

std::uint64_t parse_number(const std::string& value, const std::filesystem::path& file, int line) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 19) {
    throw SigningError(kExitRefused, file.string() + ":" + std::to_string(line) + ": expected a number, found \"" +
                                         value + "\"");
  }
  return std::stoull(value);
}

// A temporary file of an interrupted atomic write of a report or signature:
// ours (".NAME.tmp-XXXXXX") or mkstemp's ".NAME.XXXXXX" as the agent's
// output/atomic_file.cpp makes them.
bool is_report_temp(const std::string& name) {
  if (name.size() < 8 || name.front() != '.') return false;
  std::string target = name.substr(1);
  if (const auto marker = target.rfind(".tmp-"); marker != std::string::npos && target.size() - marker == 11) {
    target.resize(marker);
  } else if (const auto dot = target.rfind('.'); dot != std::string::npos && target.size() - dot == 7) {
    target.resize(dot);
  } else {
    return false;
  }
  if (target.ends_with(".p7s")) target.resize(target.size() - 4);
  return parse_report_name(target).has_value();
}

struct Recovery {
  std::uint64_t highest_seen = 0;
  std::optional<std::pair<std::uint64_t, std::filesystem::path>> newest_complete;  // sequence, primary
  std::vector<std::filesystem::path> removed;
};

// Scans the reports directory: removes the leftovers of an interrupted run
// and finds the newest complete set (roll-forward) and the highest number.
Recovery recover(const std::filesystem::path& reports_dir, const StateRecord& state) {
  Recovery recovery;
  std::error_code error;
  if (!std::filesystem::is_directory(reports_dir, error)) return recovery;
  for (const auto& entry : std::filesystem::directory_iterator(reports_dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(error) && is_report_temp(name)) {
      std::filesystem::remove(entry.path(), error);
      recovery.removed.push_back(entry.path());
    }
  }
  const bool pending = state.reserved > state.last_sequence;
  for (const ReportSet& set : list_report_sets(reports_dir)) {
    const auto carrier = set.chain_carrier();
    if (!carrier) continue;  // text-only sets carry no sequence
    std::uint64_t sequence = 0;
    try {
      sequence = read_chain_fields(*carrier).sequence;
    } catch (const std::exception&) {
      continue;  // unreadable: `verify` will name it; it cannot be chained to
    }
    const bool complete = set.fully_signed() || (!state.reserved_signed && set.signatures.empty());
    if (pending && sequence == state.reserved && !complete) {
      // The interrupted run's unsigned output: never a valid report.
      for (const auto* files : {&set.reports, &set.signatures}) {
        for (const auto& file : *files) {
          std::filesystem::remove(file, error);
          recovery.removed.push_back(file);
        }
      }
      continue;
    }
    recovery.highest_seen = std::max(recovery.highest_seen, sequence);
    if (complete && sequence > state.last_sequence &&
        (!recovery.newest_complete || sequence > recovery.newest_complete->first)) {
      recovery.newest_complete = std::make_pair(sequence, *set.primary());
    }
  }
  if (!recovery.removed.empty()) fsync_directory(reports_dir);
  return recovery;
}

}  // namespace

std::optional<StateRecord> read_state(const std::filesystem::path& state_dir) {
  const auto file = state_file(state_dir);
  std::error_code error;
  if (!std::filesystem::exists(file, error)) return std::nullopt;
  std::istringstream in(read_file(file));
  StateRecord record;
  bool format_seen = false;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.front() == '#') continue;
    const auto space = line.find(' ');
    const std::string key = line.substr(0, space);
    const std::string value = space == std::string::npos ? "" : line.substr(space + 1);
    if (key == "format") {
      if (value != "1") throw SigningError(kExitRefused, file.string() + ": unknown state format \"" + value + "\"");
      format_seen = true;
    } else if (key == "reserved") {
      record.reserved = parse_number(value, file, number);
    } else if (key == "reserved_signed") {
      record.reserved_signed = value != "0";
    } else if (key == "last_sequence") {
      record.last_sequence = parse_number(value, file, number);
    } else if (key == "last_sha256") {
      if (value.size() != 64 || value.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw SigningError(kExitRefused, file.string() + ":" + std::to_string(number) + ": last_sha256 is not a SHA-256");
      }
      record.last_sha256 = value;
    } else if (key == "last_report") {
      record.last_report = value;
    } else {
      throw SigningError(kExitRefused, file.string() + ":" + std::to_string(number) + ": unknown key \"" + key + "\"");
    }
  }
  if (!format_seen) {
    throw SigningError(kExitRefused, file.string() + " is not a clinic-audit state file (no \"format 1\" line); "
                                                     "move it away and the chain resumes from the reports directory");
  }
  return record;
}

ChainState ChainState::begin(const std::filesystem::path& state_dir, const std::filesystem::path& reports_dir,
                             bool signing) {
  ChainState chain;
  chain.state_dir_ = state_dir;
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error) throw SigningError(kExitCannotWrite, "cannot create state directory " + state_dir.string() + ": " + error.message());
  const auto lock_path = state_dir / "state.lock";
  chain.lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (chain.lock_fd_ < 0) {
    throw SigningError(kExitCannotWrite, "cannot open " + lock_path.string() + ": " + std::strerror(errno));
  }
  while (::flock(chain.lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR) throw SigningError(kExitCannotWrite, "cannot lock " + lock_path.string() + ": " + std::strerror(errno));
  }

  // Temporary files of a state write interrupted by a crash.
  for (const auto& entry : std::filesystem::directory_iterator(state_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".state.tmp-") && is_atomic_temp_name(name)) std::filesystem::remove(entry.path(), error);
  }
  StateRecord record = read_state(state_dir).value_or(StateRecord{});
  Recovery recovery = recover(reports_dir, record);
  chain.removed_ = std::move(recovery.removed);
  if (recovery.newest_complete) {
    // Roll forward: the interrupted run (or a run whose state was lost)
    // finished its reports and signatures; it is the previous report.
    record.last_sequence = recovery.newest_complete->first;
    record.last_report = recovery.newest_complete->second;
    record.last_sha256 = sha256_hex(read_file(record.last_report));
  }
  chain.sequence_ = std::max({record.reserved, record.last_sequence, recovery.highest_seen}) + 1;
  chain.previous_sha256_ = record.last_sha256;
  record.reserved = chain.sequence_;
  record.reserved_signed = signing;
  write_file_atomically(state_file(state_dir), serialise(record), 0644, "reserve");
  chain.record_ = std::move(record);
  return chain;
}

void ChainState::commit(const std::filesystem::path& primary_report) {
  if (lock_fd_ < 0) throw SigningError(kExitInternal, "ChainState::commit called twice");
  record_.last_sequence = sequence_;
  record_.last_sha256 = sha256_hex(read_file(primary_report));
  record_.last_report = std::filesystem::absolute(primary_report);
  write_file_atomically(state_file(state_dir_), serialise(record_), 0644, "commit");
  ::close(std::exchange(lock_fd_, -1));
}

ChainState::ChainState(ChainState&& other) noexcept
    : state_dir_(std::move(other.state_dir_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      sequence_(other.sequence_),
      previous_sha256_(std::move(other.previous_sha256_)),
      record_(std::move(other.record_)),
      removed_(std::move(other.removed_)) {}

ChainState::~ChainState() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace clinic_audit::signing
