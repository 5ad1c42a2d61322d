// Durable file replacement (DESIGN.md §6: "written atomically (temp file,
// fsync, rename)"): a crash or a full disk leaves either the old file or the
// complete new one, never a torn one.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace clinic_audit::signing {

// Writes `bytes` to a temporary file beside `target` (".<name>.tmp-XXXXXX",
// created 0600 then set to `mode`), fsyncs it, renames it over `target` and
// fsyncs the directory so the rename itself survives a power cut. On failure
// removes the temporary file and throws SigningError(73) naming `target`.
// `crash_step_prefix` (if not empty) adds the crash points
// "<prefix>:temp-written" (before the rename) and "<prefix>:renamed".
// `sync_directory` false skips the directory fsync, for a caller that
// renames several files and then calls fsync_directory once.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes, mode_t mode = 0644,
                           std::string_view crash_step_prefix = {}, bool sync_directory = true);

// fsync of a directory, so that a rename or unlink in it is durable.
void fsync_directory(const std::filesystem::path& directory);

// The whole file (throws SigningError(65) "cannot read ..." when it cannot).
std::string read_file(const std::filesystem::path& path);

// True for the temporary files write_file_atomically leaves if killed.
bool is_atomic_temp_name(std::string_view file_name);

}  // namespace clinic_audit::signing
