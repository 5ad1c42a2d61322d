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
#include "signing_error.hpp"
#include "i18n.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::signing {
namespace {

std::filesystem::path state_file(const std::filesystem::path& state_dir) { return state_dir / "state"; }

std::filesystem::path absolute_dir(const std::filesystem::path& dir) {
  std::error_code error;
  auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(dir), error);
  return error ? std::filesystem::absolute(dir).lexically_normal() : canonical;
}

// The directory the record's chain lives in, empty when it has none yet.
std::filesystem::path chain_directory(const StateRecord& record) {
  if (!record.reports_dir.empty()) return record.reports_dir;
  if (!record.last_report.empty()) return absolute_dir(record.last_report.parent_path());
  return {};
}

// STATE_DIR/chains/<first 16 hex digits of SHA-256(dir)>: the chain of a
// reports directory other than the main one.
std::filesystem::path side_chain_file(const std::filesystem::path& state_dir, const std::filesystem::path& dir) {
  return state_dir / "chains" / sha256_hex(dir.string()).substr(0, 16);
}

std::optional<StateRecord> read_state_file(const std::filesystem::path& file);

std::string serialise(const StateRecord& record) {
  std::ostringstream out;
  out << "# clinic-audit report chain (DESIGN.md section 5). Written by clinic-audit; do not edit.\n"
      << "format 1\n"
      << "reserved " << record.reserved << "\n"
      << "reserved_signed " << (record.reserved_signed ? 1 : 0) << "\n"
      << "last_sequence " << record.last_sequence << "\n";
  if (record.last_sha256) out << "last_sha256 " << *record.last_sha256 << "\n";
  if (!record.last_report.empty()) out << "last_report " << record.last_report.string() << "\n";
  if (!record.reports_dir.empty()) out << "reports_dir " << record.reports_dir.string() << "\n";
  return out.str();
}

std::uint64_t parse_number(const std::string& value, const std::filesystem::path& file, int line) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 19) {
    throw SigningError(kExitRefused,
                       file.string() + ":" + std::to_string(line) + ": expected a number, found \"" + value + "\"");
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
  std::optional<ReportSet> newest_set;
  std::vector<std::filesystem::path> removed;
};

void remove_set_files(const ReportSet& set, std::vector<std::filesystem::path>& removed) {
  // Signatures before the reports they sign (issue #20 item 9).
  std::error_code error;
  for (const auto* files : {&set.signatures, &set.reports}) {
    for (const auto& file : *files) {
      if (!std::filesystem::remove(file, error) && error) {
        throw SigningError(kExitCannotWrite, tr("cannot remove {0}: {1}", file.string(), i18n::error_text(error)));
      }
      removed.push_back(file);
    }
  }
}

// Scans the reports directory: removes the leftovers of an interrupted run
// and finds the newest complete set (roll-forward) and the highest number.
Recovery recover(const std::filesystem::path& reports_dir, const StateRecord& state, bool signing) {
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
    const bool fully_signed = set.fully_signed() && !set.reports.empty();
    const bool partly_signed = !set.signatures.empty() && !fully_signed;
    if (partly_signed) {
      // A signature without its report, or a report without its signature
      // beside signed ones: a run, prune or rollback interrupted half-way.
      remove_set_files(set, recovery.removed);
      continue;
    }
    const auto carrier = set.chain_carrier();
    if (!carrier) continue;  // text-only sets carry no sequence
    std::uint64_t sequence = 0;
    try {
      sequence = read_chain_fields(*carrier).sequence;
    } catch (const std::exception&) {
      continue;  // unreadable: `verify` will name it; it cannot be chained to
    }
    const bool complete = fully_signed || (!state.reserved_signed && set.signatures.empty());
    if (pending && sequence == state.reserved && !complete) {
      // The interrupted run's unsigned output: never a valid report.
      remove_set_files(set, recovery.removed);
      continue;
    }
    // Only signed sets move the chain (issue #20 item 9): an unsigned file
    // counts only for an unsigned run, or as the interrupted --no-sign run
    // the state reserved this very number for.
    if (!fully_signed && signing && !(complete && pending && sequence == state.reserved)) continue;
    recovery.highest_seen = std::max(recovery.highest_seen, sequence);
    if (complete && sequence > state.last_sequence &&
        (!recovery.newest_complete || sequence > recovery.newest_complete->first)) {
      recovery.newest_complete = std::make_pair(sequence, *set.primary());
      recovery.newest_set = set;
    }
  }
  if (!recovery.removed.empty()) fsync_directory(reports_dir);
  return recovery;
}

}  // namespace

std::optional<StateRecord> read_state(const std::filesystem::path& state_dir) {
  return read_state_file(state_file(state_dir));
}

std::optional<StateRecord> read_chain_state(const std::filesystem::path& state_dir,
                                            const std::filesystem::path& reports_dir) {
  auto main = read_state(state_dir);
  const auto dir = absolute_dir(reports_dir);
  if (!main || chain_directory(*main).empty() || chain_directory(*main) == dir) return main;
  return read_state_file(side_chain_file(state_dir, dir));
}

namespace {

std::optional<StateRecord> read_state_file(const std::filesystem::path& file) {
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
        throw SigningError(kExitRefused,
                           file.string() + ":" + std::to_string(number) + ": last_sha256 is not a SHA-256");
      }
      record.last_sha256 = value;
    } else if (key == "last_report") {
      record.last_report = value;
    } else if (key == "reports_dir") {
      record.reports_dir = value;
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

}  // namespace

ChainState ChainState::begin(const std::filesystem::path& state_dir, const std::filesystem::path& reports_dir,
                             bool signing) {
  BeginOptions options;
  options.signing = signing;
  return begin(state_dir, reports_dir, options);
}

ChainState ChainState::begin(const std::filesystem::path& state_dir, const std::filesystem::path& reports_dir,
                             const BeginOptions& options) {
  const bool signing = options.signing;
  ChainState chain;
  chain.state_dir_ = state_dir;
  std::error_code error;
  std::filesystem::create_directories(state_dir, error);
  if (error)
    throw SigningError(kExitCannotWrite,
                       tr("cannot create state directory {0}: {1}", state_dir.string(), i18n::error_text(error)));
  const auto lock_path = state_dir / "state.lock";
  chain.lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (chain.lock_fd_ < 0) {
    throw SigningError(kExitCannotWrite, tr("cannot open {0}: {1}", lock_path.string(), i18n::error_text(errno)));
  }
  while (::flock(chain.lock_fd_, LOCK_EX) != 0) {
    if (errno != EINTR)
      throw SigningError(kExitCannotWrite, tr("cannot lock {0}: {1}", lock_path.string(), i18n::error_text(errno)));
  }

  // Temporary files of a state write interrupted by a crash.
  for (const auto& entry : std::filesystem::directory_iterator(state_dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".state.tmp-") && is_atomic_temp_name(name)) std::filesystem::remove(entry.path(), error);
  }
  const auto dir = absolute_dir(reports_dir);
  chain.state_file_ = state_file(state_dir);
  StateRecord record = read_state(state_dir).value_or(StateRecord{});
  auto main_dir = chain_directory(record);
  // Before any report, the main chain is STATE_DIR/reports when it exists
  // (DESIGN.md §5, created by the package): a first manual `run --out
  // /tmp/x` must not become the chain the collector follows.
  if (main_dir.empty() && std::filesystem::is_directory(state_dir / "reports", error)) {
    main_dir = absolute_dir(state_dir / "reports");
  }
  if (!main_dir.empty() && main_dir != dir) {
    chain.main_chain_ = false;
    chain.state_file_ = side_chain_file(state_dir, dir);
    std::filesystem::create_directories(chain.state_file_.parent_path(), error);
    if (error)
      throw SigningError(kExitCannotWrite, tr("cannot create {0}: {1}", chain.state_file_.parent_path().string(),
                                              i18n::error_text(error)));
    for (const auto& entry : std::filesystem::directory_iterator(chain.state_file_.parent_path())) {
      if (is_atomic_temp_name(entry.path().filename().string())) std::filesystem::remove(entry.path(), error);
    }
    record = read_state_file(chain.state_file_).value_or(StateRecord{});
  }
  record.reports_dir = dir;
  Recovery recovery = recover(reports_dir, record, signing);
  chain.removed_ = std::move(recovery.removed);
  if (recovery.newest_complete) {
    if (options.on_roll_forward && chain.main_chain_)
      options.on_roll_forward(*recovery.newest_set, recovery.newest_complete->first);
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
  write_file_atomically(chain.state_file_, serialise(record), 0644, "reserve");
  chain.record_ = std::move(record);
  return chain;
}

void ChainState::commit(const std::filesystem::path& primary_report) {
  if (lock_fd_ < 0) throw SigningError(kExitInternal, "ChainState::commit called twice");
  record_.last_sequence = sequence_;
  record_.last_sha256 = sha256_hex(read_file(primary_report));
  record_.last_report = std::filesystem::absolute(primary_report);
  write_file_atomically(state_file_, serialise(record_), 0644, "commit");
  ::close(std::exchange(lock_fd_, -1));
}

ChainState::ChainState(ChainState&& other) noexcept
    : state_dir_(std::move(other.state_dir_)),
      state_file_(std::move(other.state_file_)),
      main_chain_(other.main_chain_),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      sequence_(other.sequence_),
      previous_sha256_(std::move(other.previous_sha256_)),
      record_(std::move(other.record_)),
      removed_(std::move(other.removed_)) {}

ChainState::~ChainState() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

}  // namespace clinic_audit::signing
