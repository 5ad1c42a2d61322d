#include "file_check.hpp"

#include <cerrno>
#include <charconv>
#include <optional>

#include "permissions.hpp"

namespace clinic_audit {
namespace {

unsigned parse_octal(const Params& params, std::string_view name) {
  auto text = params.optional(name);
  if (!text) return 0;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value, 8);
  if (text->empty() || ec != std::errc{} || ptr != text->data() + text->size() || value > 07777) {
    throw ParamError(std::string(name), "parameter '" + std::string(name) +
                                            "' must be octal mode bits such as 0022, not '" + *text + "'");
  }
  return value;
}

class FileCheck final : public Check {
 public:
  explicit FileCheck(const Params& params)
      : path_(params.required("path")),
        must_exist_(params.flag("exists", true)),
        type_(params.one_of("type", {"file", "directory", "any"}, "any")),
        owner_(params.optional("owner")),
        group_(params.optional("group")),
        required_bits_(parse_octal(params, "required_bits")),
        forbidden_bits_(parse_octal(params, "forbidden_bits")),
        readable_by_(params.all("readable_by")),
        writable_by_(params.all("writable_by")),
        executable_by_(params.all("executable_by")),
        root_only_writable_(params.flag("root_only_writable", false)) {
    if (path_.empty() || path_.front() != '/') {
      throw ParamError("path", "parameter 'path' must be an absolute path, not '" + path_ + "'");
    }
  }

  Outcome run(const Context& context) const override {
    const RootFs& fs = context.fs();
    std::optional<FileInfo> info;
    try {
      info = fs.stat(path_);
    } catch (const FsError& e) {
      // A component that is not a directory ("/etc/hosts/x"): the path does
      // not exist, as test -e and std::filesystem::exists see it.
      if (e.error_number() != ENOTDIR) throw;
    }
    if (!info) {
      if (!must_exist_) return Outcome::pass(path_ + " does not exist, as required");
      return Outcome::fail(path_ + " does not exist", {{path_, std::nullopt, "missing", "present"}});
    }
    const Accounts& accounts = context.accounts();
    const std::string observed = describe(*info, accounts);
    if (!must_exist_) {
      return Outcome::fail(path_ + " exists but must not", {{info->path, std::nullopt, observed, "absent"}});
    }

    std::vector<Evidence> problems;
    auto problem = [&](std::string expected, std::string observed_text = {}) {
      problems.push_back({info->path, std::nullopt, observed_text.empty() ? observed : observed_text,
                          std::move(expected)});
    };

    if (type_ == "file" && info->type != FileType::regular) problem("type=regular file");
    if (type_ == "directory" && info->type != FileType::directory) problem("type=directory");
    if (owner_ && accounts.user_name(info->uid) != *owner_) problem("owner=" + *owner_);
    if (group_ && accounts.group_name(info->gid) != *group_) problem("group=" + *group_);
    if ((info->mode & required_bits_) != required_bits_) {
      problem("mode bits " + octal_mode(required_bits_) + " set");
    }
    if ((info->mode & forbidden_bits_) != 0) {
      problem("mode bits " + octal_mode(forbidden_bits_) + " clear");
    }
    check_user_access(context, readable_by_, kRead, "readable", problems);
    check_user_access(context, writable_by_, kWrite, "writable", problems);
    check_user_access(context, executable_by_, kExecute, "executable", problems);
    if (root_only_writable_) {
      for (const auto& writer : non_root_writers(fs, accounts, path_)) {
        problems.push_back({writer.path, std::nullopt, writer.observed + " (writable by " + writer.who + ")",
                            "writable by root only"});
      }
    }

    if (problems.empty()) {
      return Outcome::pass(path_ + " is as required (" + observed + ")",
                           {{info->path, std::nullopt, observed, "as required"}});
    }
    std::string summary = path_ + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
      if (i > 0) summary += "; ";
      summary += "expected " + problems[i].expected;
      if (problems[i].path != info->path) summary += " for " + problems[i].path;
    }
    return Outcome::fail(summary, std::move(problems));
  }

 private:
  void check_user_access(const Context& context, const std::vector<std::string>& users, unsigned bits,
                         std::string_view word, std::vector<Evidence>& problems) const {
    for (const auto& name : users) {
      const PasswdEntry* user = context.accounts().user(name);
      if (user == nullptr) {
        throw CheckError("user '" + name + "' is not in /etc/passwd", "/etc/passwd");
      }
      const AccessVerdict verdict = check_access(context.fs(), identity_of(context.accounts(), *user), path_, bits);
      if (!verdict.allowed) {
        problems.push_back({verdict.blocked_at, std::nullopt, verdict.reason,
                            std::string(word) + " by " + name});
      }
    }
  }

  std::string path_;
  bool must_exist_;
  std::string type_;
  std::optional<std::string> owner_;
  std::optional<std::string> group_;
  unsigned required_bits_;
  unsigned forbidden_bits_;
  std::vector<std::string> readable_by_;
  std::vector<std::string> writable_by_;
  std::vector<std::string> executable_by_;
  bool root_only_writable_;
};

}  // namespace

CheckType file_check_type() {
  return {"file", "existence, type, owner, group, mode bits and user access of a path", false,
          [](const Params& params) { return std::make_unique<FileCheck>(params); }};
}

}  // namespace clinic_audit
