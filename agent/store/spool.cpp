#include "spool.hpp"
#include "i18n.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atomic_file.hpp"
#include "crash_point.hpp"
#include "report_files.hpp"
#include "signing_error.hpp"
#include "system_error_text.hpp"

namespace clinic_audit::store {
namespace {

using signing::kExitCannotWrite;
using signing::SigningError;

constexpr std::size_t kSequenceDigits = 20;
// remove()'s marker: the collector acknowledged this entry (spool.hpp).
constexpr std::string_view kAcknowledgedSuffix = ".acked";

std::string spool_name(std::uint64_t sequence, std::string_view name) {
  std::string digits = std::to_string(sequence);
  return std::string(kSequenceDigits - digits.size(), '0') + digits + "-" + std::string(name);
}

std::uint64_t file_size_or_zero(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  return error ? 0 : static_cast<std::uint64_t>(size);
}

// A temporary name in the spool that is_atomic_temp_name() recognises.
std::filesystem::path temp_name(const std::filesystem::path& dir, const std::string& final_name) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char random[6];
  if (RAND_bytes(random, sizeof random) != 1) throw SigningError(signing::kExitInternal, "no randomness");
  std::string suffix;
  for (unsigned char byte : random) suffix += kAlphabet[byte % 36];
  return dir / ("." + final_name + ".tmp-" + suffix);
}

std::filesystem::path acknowledged_marker(const std::filesystem::path& report) {
  std::filesystem::path marker = report;
  marker += kAcknowledgedSuffix;
  return marker;
}

void remove_durably(const std::filesystem::path& path, std::string_view crash_step) {
  std::error_code error;
  if (!std::filesystem::remove(path, error) && error) {
    throw SigningError(kExitCannotWrite, tr("cannot remove {0}: {1}", path.string(), i18n::error_text(error)));
  }
  signing::fsync_directory(path.parent_path());
  if (!crash_step.empty()) signing::crash_point(crash_step);
}

// Hard link `source` as `target` through a temporary name, or copy it when
// the two are on different file systems (or links are refused).
void link_or_copy(const std::filesystem::path& source, const std::filesystem::path& target) {
  const auto temp = temp_name(target.parent_path(), target.filename().string());
  if (::link(source.c_str(), temp.c_str()) == 0) {
    signing::crash_point("spool:temp-written");
    if (::rename(temp.c_str(), target.c_str()) != 0) {
      const std::string reason = i18n::error_text(errno);
      ::unlink(temp.c_str());
      throw SigningError(kExitCannotWrite, tr("cannot write {0}: rename: {1}", target.string(), reason));
    }
    signing::fsync_directory(target.parent_path());
    signing::crash_point("spool:renamed");
    return;
  }
  if (errno != EXDEV && errno != EPERM && errno != EMLINK) {
    throw SigningError(kExitCannotWrite, tr("cannot write {0}: {1}", target.string(), i18n::error_text(errno)));
  }
  signing::write_file_atomically(target, signing::read_file(source), 0644, "spool");
}

}  // namespace

std::optional<std::pair<std::uint64_t, std::string>> parse_spool_name(std::string_view file_name) {
  if (file_name.size() <= kSequenceDigits + 1 || file_name[kSequenceDigits] != '-') return std::nullopt;
  const std::string_view digits = file_name.substr(0, kSequenceDigits);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  if (digits > std::string_view("18446744073709551615")) return std::nullopt;
  const std::string_view name = file_name.substr(kSequenceDigits + 1);
  if (!signing::parse_report_name(name)) return std::nullopt;
  return std::make_pair(std::stoull(std::string(digits)), std::string(name));
}

namespace {

// The reports SPOOL/<seq>-<name> that `select` keeps, lowest sequence
// first (then by name). `select(report, report.p7s)` gives the entry's
// bytes, or nothing to leave it out. A missing directory: none.
template <typename Select>
std::vector<SpoolEntry> spooled_reports(const std::filesystem::path& dir, Select select) {
  std::vector<SpoolEntry> out;
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return out;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    if (!file.is_regular_file(error)) continue;
    const auto parsed = parse_spool_name(file.path().filename().string());
    if (!parsed) continue;
    std::filesystem::path signature = file.path();
    signature += ".p7s";
    const std::optional<std::uint64_t> bytes = select(file.path(), signature);
    if (!bytes) continue;
    out.push_back({parsed->first, parsed->second, file.path(), signature, *bytes});
  }
  std::sort(out.begin(), out.end(), [](const SpoolEntry& a, const SpoolEntry& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.name < b.name;
  });
  return out;
}

}  // namespace

std::vector<SpoolEntry> Spool::entries() const {
  return spooled_reports(dir_,
                         [](const std::filesystem::path& report,
                            const std::filesystem::path& signature) -> std::optional<std::uint64_t> {
                           std::error_code error;
                           if (!std::filesystem::is_regular_file(signature, error)) return std::nullopt;
                           return file_size_or_zero(report) + file_size_or_zero(signature);
                         });
}

SpoolUsage Spool::usage() const {
  SpoolUsage usage;
  for (const auto& entry : entries()) {
    ++usage.reports;
    usage.bytes += entry.bytes;
  }
  return usage;
}

bool Spool::contains_stem(std::string_view stem) const {
  std::error_code error;
  if (!std::filesystem::is_directory(dir_, error)) return false;
  const std::string prefix = std::string(stem) + ".";
  for (const auto& file : std::filesystem::directory_iterator(dir_, error)) {
    std::string name = file.path().filename().string();
    if (name.ends_with(".p7s")) name.resize(name.size() - 4);
    const auto parsed = parse_spool_name(name);
    if (parsed && parsed->second.starts_with(prefix)) return true;
  }
  // An unreadable spool proves nothing: say "contained", so nothing is pruned.
  if (error) return true;
  if (!std::filesystem::exists(waiting_dir(), error)) return static_cast<bool>(error);
  for (const auto& file : std::filesystem::directory_iterator(waiting_dir(), error)) {
    const auto parsed = parse_spool_name(file.path().filename().string());
    if (parsed && parsed->second.starts_with(prefix)) return true;
  }
  return static_cast<bool>(error);
}

void Spool::mark_waiting(std::uint64_t sequence, const std::filesystem::path& report) {
  const auto dir = waiting_dir();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw SigningError(kExitCannotWrite, tr("cannot create {0}: {1}", dir.string(), i18n::error_text(error)));
  const auto absolute = std::filesystem::absolute(report, error);
  if (error)
    throw SigningError(kExitCannotWrite, tr("cannot resolve {0}: {1}", report.string(), i18n::error_text(error)));
  signing::write_file_atomically(dir / spool_name(sequence, report.filename().string()), absolute.string() + "\n", 0644,
                                 "waiting");
}

std::vector<WaitingEntry> Spool::waiting() const {
  std::vector<WaitingEntry> out;
  std::error_code error;
  if (!std::filesystem::is_directory(waiting_dir(), error)) return out;
  for (const auto& file : std::filesystem::directory_iterator(waiting_dir())) {
    if (!file.is_regular_file(error)) continue;
    const auto parsed = parse_spool_name(file.path().filename().string());
    if (!parsed) continue;
    out.push_back({parsed->first, parsed->second, file.path()});
  }
  std::sort(out.begin(), out.end(), [](const WaitingEntry& a, const WaitingEntry& b) {
    return a.sequence != b.sequence ? a.sequence < b.sequence : a.name < b.name;
  });
  return out;
}

DrainResult Spool::spool_waiting(const SpoolLimits& limits) {
  DrainResult result;
  const auto markers = waiting();
  for (std::size_t i = 0; i < markers.size(); ++i) {
    const WaitingEntry& marker = markers[i];
    // The marker holds the report's absolute path; one line, bounded.
    std::error_code error;
    std::string path;
    if (std::filesystem::file_size(marker.marker, error) <= 4096 && !error) path = signing::read_file(marker.marker);
    while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
    const std::filesystem::path report(path);
    std::filesystem::path signature = report;
    signature += ".p7s";
    if (path.empty() || !report.is_absolute() || report.filename() != marker.name ||
        !std::filesystem::is_regular_file(report, error) || !std::filesystem::is_regular_file(signature, error)) {
      result.missing.push_back(path.empty() ? marker.marker : report);
      remove_durably(marker.marker, "");
      continue;
    }
    if (add(marker.sequence, report, limits) == AddResult::full) {
      result.still_waiting = markers.size() - i;
      break;
    }
    signing::crash_point("waiting:spooled");
    remove_durably(marker.marker, "");
    ++result.spooled;
  }
  return result;
}

Spool::AddResult Spool::add(std::uint64_t sequence, const std::filesystem::path& report, const SpoolLimits& limits) {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error)
    throw SigningError(kExitCannotWrite,
                       tr("cannot create spool directory {0}: {1}", dir_.string(), i18n::error_text(error)));
  const std::string name = spool_name(sequence, report.filename().string());
  const auto target = dir_ / name;
  std::filesystem::path target_signature = target;
  target_signature += ".p7s";
  std::filesystem::path signature = report;
  signature += ".p7s";
  if (std::filesystem::is_regular_file(target, error) && std::filesystem::is_regular_file(target_signature, error)) {
    return AddResult::already_there;
  }
  const SpoolUsage now = usage();
  const std::uint64_t size = file_size_or_zero(report) + file_size_or_zero(signature);
  // An empty spool takes one report whatever its size: a report larger than
  // max-bytes would otherwise wait for ever and block every later one.
  if (now.reports > 0 && (now.reports + 1 > limits.max_reports || now.bytes + size > limits.max_bytes)) {
    return AddResult::full;
  }
  // Signature first: a crash between the two leaves a lone signature, which
  // recover() knows as an interrupted add.
  link_or_copy(signature, target_signature);
  link_or_copy(report, target);
  return AddResult::added;
}

void Spool::remove(const SpoolEntry& entry) {
  // The marker first: a crash after it leaves a report recover() knows as
  // acknowledged, whichever of its files are left; then the signature
  // before the report (issue #20 item 9), so no signature outlives its report.
  const auto marker = acknowledged_marker(entry.report);
  signing::write_file_atomically(marker, "", 0600, {}, /*sync_directory=*/true);
  signing::crash_point("spool-remove:acknowledged");
  remove_durably(entry.signature, "spool-remove:signature");
  remove_durably(entry.report, "spool-remove:report");
  remove_durably(marker, "");
}

std::filesystem::path Spool::reject(const SpoolEntry& entry, const std::string& reason) {
  const auto dir = rejected_dir();
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw SigningError(kExitCannotWrite, tr("cannot create {0}: {1}", dir.string(), i18n::error_text(error)));
  const auto reason_file = dir / (entry.report.filename().string() + ".reason");
  signing::write_file_atomically(reason_file, reason + "\n", 0644);
  // Signature first, so the spool never holds a lone signature of a report
  // that is already gone (the next recover() would read it as an interrupted add).
  for (const auto* file : {&entry.signature, &entry.report}) {
    if (::rename(file->c_str(), (dir / file->filename()).c_str()) != 0 && errno != ENOENT) {
      throw SigningError(kExitCannotWrite,
                         tr("cannot move {0} to {1}: {2}", file->string(), dir.string(), i18n::error_text(errno)));
    }
  }
  signing::fsync_directory(dir);
  signing::fsync_directory(dir_);
  return reason_file;
}

std::vector<SpoolEntry> Spool::unsigned_entries() const {
  return spooled_reports(dir_,
                         [](const std::filesystem::path& report,
                            const std::filesystem::path& signature) -> std::optional<std::uint64_t> {
                           std::error_code error;
                           if (std::filesystem::exists(signature, error) ||
                               std::filesystem::exists(acknowledged_marker(report), error))
                             return std::nullopt;
                           return file_size_or_zero(report);
                         });
}

std::vector<std::filesystem::path> Spool::recover() {
  std::vector<std::filesystem::path> removed;
  std::error_code error;
  if (!std::filesystem::is_directory(dir_, error)) return removed;
  for (const auto& file : std::filesystem::directory_iterator(dir_)) {
    if (!file.is_regular_file(error)) continue;
    const std::string name = file.path().filename().string();
    bool incomplete = false;
    if (signing::is_atomic_temp_name(name)) {
      incomplete = true;
    } else if (name.ends_with(kAcknowledgedSuffix)) {
      // An interrupted removal: what is left of the entry, in remove()'s
      // order, then the marker.
      const auto report = file.path().parent_path() / name.substr(0, name.size() - kAcknowledgedSuffix.size());
      if (!parse_spool_name(report.filename().string())) continue;
      std::filesystem::path signature = report;
      signature += ".p7s";
      for (const auto& part : {signature, report}) {
        if (std::filesystem::remove(part, error)) removed.push_back(part);
      }
      incomplete = true;
    } else if (name.ends_with(".p7s")) {
      const auto report = file.path().parent_path() / name.substr(0, name.size() - 4);
      incomplete = parse_spool_name(report.filename().string()) && !std::filesystem::exists(report, error);
    } else if (parse_spool_name(name)) {
      // Lone and acknowledged: the marker's turn removes it (or did).
      std::filesystem::path signature = file.path();
      signature += ".p7s";
      incomplete = !std::filesystem::exists(signature, error) &&
                   std::filesystem::exists(acknowledged_marker(file.path()), error);
    }
    if (!incomplete) continue;
    if (!std::filesystem::exists(file.path(), error)) continue;  // removed with its marker above
    if (!std::filesystem::remove(file.path(), error) && error) {
      throw SigningError(kExitCannotWrite, tr("cannot remove {0}: {1}", file.path().string(), i18n::error_text(error)));
    }
    removed.push_back(file.path());
  }
  if (!removed.empty()) signing::fsync_directory(dir_);
  // A marker killed before its rename, or one whose report was spooled
  // when the drain was killed before removing it (crash point
  // "waiting:spooled"): dropped before any submit can acknowledge that
  // entry, else a later drain would spool the report a second time.
  bool waiting_changed = false;
  if (std::filesystem::is_directory(waiting_dir(), error)) {
    for (const auto& file : std::filesystem::directory_iterator(waiting_dir())) {
      const std::string name = file.path().filename().string();
      std::filesystem::path spooled_signature = dir_ / name;
      spooled_signature += ".p7s";
      const bool already_spooled = parse_spool_name(name) && std::filesystem::is_regular_file(dir_ / name, error) &&
                                   std::filesystem::is_regular_file(spooled_signature, error);
      if (!signing::is_atomic_temp_name(name) && !already_spooled) continue;
      if (!std::filesystem::remove(file.path(), error) && error) {
        throw SigningError(kExitCannotWrite,
                           tr("cannot remove {0}: {1}", file.path().string(), i18n::error_text(error)));
      }
      removed.push_back(file.path());
      waiting_changed = true;
    }
  }
  if (waiting_changed) signing::fsync_directory(waiting_dir());
  return removed;
}

}  // namespace clinic_audit::store
