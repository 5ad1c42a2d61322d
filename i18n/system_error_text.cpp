#include "system_error_text.hpp"

#include <netdb.h>

#include <array>
#include <cstring>

#include "errno_messages.hpp"
#include "i18n.hpp"

namespace clinic_audit::i18n {
namespace {

constexpr std::string_view kFilesystemPrefix = "filesystem error: ";

// The operations libstdc++ (src/c++17/fs_ops.cc, fs_dir.cc) names in a
// filesystem_error; an operation not listed stays as libstdc++ words it.
constexpr const char* kFilesystemOperations[] = {
    NC_("libstdc++", "cannot check file equivalence"),
    NC_("libstdc++", "cannot check if file is empty"),
    NC_("libstdc++", "cannot copy"),
    NC_("libstdc++", "cannot copy file"),
    NC_("libstdc++", "cannot copy symlink"),
    NC_("libstdc++", "cannot create directories"),
    NC_("libstdc++", "cannot create directory"),
    NC_("libstdc++", "cannot create directory symlink"),
    NC_("libstdc++", "cannot create hard link"),
    NC_("libstdc++", "cannot create symlink"),
    NC_("libstdc++", "cannot get current path"),
    NC_("libstdc++", "cannot get file size"),
    NC_("libstdc++", "cannot get file time"),
    NC_("libstdc++", "cannot get free space"),
    NC_("libstdc++", "cannot get link count"),
    NC_("libstdc++", "cannot increment recursive directory iterator"),
    NC_("libstdc++", "cannot make absolute path"),
    NC_("libstdc++", "cannot make canonical path"),
    NC_("libstdc++", "cannot remove"),
    NC_("libstdc++", "cannot remove all"),
    NC_("libstdc++", "cannot rename"),
    NC_("libstdc++", "cannot resize file"),
    NC_("libstdc++", "cannot set current path"),
    NC_("libstdc++", "cannot set file time"),
    NC_("libstdc++", "cannot set permissions"),
    NC_("libstdc++", "directory iterator cannot advance"),
    NC_("libstdc++", "directory iterator cannot open directory"),
    NC_("libstdc++", "recursive directory iterator cannot open directory"),
    NC_("libstdc++", "recursive directory iterator cannot pop"),
    NC_("libstdc++", "status"),
    NC_("libstdc++", "symlink_status"),
    NC_("libstdc++", "read_symlink"),
};

// Every EAI_* code glibc's gai_strerror(3) words (sysdeps/posix/gai_strerror-strs.h).
struct GaiMessage {
  int code;
  const char* english;
};
constexpr GaiMessage kGaiMessages[] = {
    {EAI_BADFLAGS, NC_("gai", "Bad value for ai_flags")},
    {EAI_NONAME, NC_("gai", "Name or service not known")},
    {EAI_AGAIN, NC_("gai", "Temporary failure in name resolution")},
    {EAI_FAIL, NC_("gai", "Non-recoverable failure in name resolution")},
    {EAI_NODATA, NC_("gai", "No address associated with hostname")},
    {EAI_FAMILY, NC_("gai", "ai_family not supported")},
    {EAI_SOCKTYPE, NC_("gai", "ai_socktype not supported")},
    {EAI_SERVICE, NC_("gai", "Servname not supported for ai_socktype")},
    {EAI_ADDRFAMILY, NC_("gai", "Address family for hostname not supported")},
    {EAI_MEMORY, NC_("gai", "Memory allocation failure")},
    {EAI_SYSTEM, NC_("gai", "System error")},
    {EAI_INPROGRESS, NC_("gai", "Processing request in progress")},
    {EAI_CANCELED, NC_("gai", "Request canceled")},
    {EAI_NOTCANCELED, NC_("gai", "Request not canceled")},
    {EAI_ALLDONE, NC_("gai", "All requests done")},
    {EAI_INTR, NC_("gai", "Interrupted by a signal")},
    {EAI_IDN_ENCODE, NC_("gai", "Parameter string not correctly encoded")},
};

bool errno_category(std::string_view name) { return name == "generic" || name == "system"; }

std::string operation_text(const std::string& operation) {
  for (const char* known : kFilesystemOperations) {
    if (operation == known) return translate_in_context("libstdc++", known);
  }
  return operation;
}

// system_error::what() is "WHAT_ARG: MESSAGE" (or MESSAGE alone) in
// libstdc++: the MESSAGE suffix replaced by its translation.
std::string system_error_text(const std::system_error& error) {
  const std::string what = error.what();
  if (!errno_category(error.code().category().name())) return what;
  const std::string message = error.code().message();
  if (!what.ends_with(message)) return what;
  return what.substr(0, what.size() - message.size()) + error_text(error.code().value());
}

}  // namespace

std::string error_text(int errno_value) {
  if (language() == Language::en) return std::strerror(errno_value);
  if (const ErrnoMessage* known = find_errno_message(errno_value)) {
    return translate_in_context("errno", known->english);
  }
  // glibc: "Unknown error N" (string/_strerror.c).
  return tr("Unknown error {0}", errno_value);
}

std::string gai_error_text(int code) {
  const char* english = ::gai_strerror(code);
  if (language() == Language::en) return english;
  for (const auto& known : kGaiMessages) {
    if (known.code == code && std::string_view(english) == known.english) {
      return translate_in_context("gai", known.english);
    }
  }
  return english;
}

std::span<const int> gai_error_codes() {
  static const auto codes = [] {
    std::array<int, std::size(kGaiMessages)> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = kGaiMessages[i].code;
    return out;
  }();
  return codes;
}

std::string error_text(std::string_view category_name, int value, const std::string& message) {
  if (!errno_category(category_name) || language() == Language::en) return message;
  return error_text(value);
}

// libstdc++ (src/c++17/fs_path.cc, make_what): "filesystem error: " +
// "WHAT_ARG: MESSAGE" + " [PATH1]" + " [PATH2]" for the paths given.
std::string error_text(const std::filesystem::filesystem_error& error) {
  const std::string what = error.what();
  if (language() == Language::en || !errno_category(error.code().category().name())) return what;
  if (!what.starts_with(kFilesystemPrefix)) return system_error_text(error);
  const std::string message = error.code().message();
  const std::string separator = ": " + message;
  const auto at = what.find(separator, kFilesystemPrefix.size());
  if (at == std::string::npos) return what;
  const std::string operation = what.substr(kFilesystemPrefix.size(), at - kFilesystemPrefix.size());
  const std::string paths = what.substr(at + separator.size());
  return tr("filesystem error: {0}: {1}", operation_text(operation), error_text(error.code().value())) + paths;
}

std::string exception_text(const std::exception& error) {
  if (const auto* fs = dynamic_cast<const std::filesystem::filesystem_error*>(&error)) return error_text(*fs);
  if (const auto* sys = dynamic_cast<const std::system_error*>(&error)) {
    return language() == Language::en ? std::string(sys->what()) : system_error_text(*sys);
  }
  return error.what();
}

}  // namespace clinic_audit::i18n
