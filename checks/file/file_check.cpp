#include "file_check.hpp"
#include "i18n.hpp"

#include <cerrno>
#include <charconv>
#include <optional>

#include "common/shell_quote.hpp"
#include "file_fix.hpp"
#include "common/permissions.hpp"

namespace clinic_audit {
namespace {

// Who may replace an object (WriterFinding::who: "owner NAME", "group NAME",
// "ACL user NAME", "ACL group NAME", "others"), in the report's language.
std::string writer_words(const std::string& who) {
  for (const auto& [prefix, format] :
       {std::pair{"ACL user ", N_("ACL user {0}")}, std::pair{"ACL group ", N_("ACL group {0}")},
        std::pair{"owner ", N_("owner {0}")}, std::pair{"group ", N_("group {0}")}}) {
    if (who.starts_with(prefix)) return tr(format, who.substr(std::string_view(prefix).size()));
  }
  return who == "others" ? std::string(_("others")) : who;
}

unsigned parse_octal(const Params& params, std::string_view name) {
  auto text = params.optional(name);
  if (!text) return 0;
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value, 8);
  if (text->empty() || ec != std::errc{} || ptr != text->data() + text->size() || value > 07777) {
    throw ParamError(std::string(name),
                     "parameter '" + std::string(name) + "' must be octal mode bits such as 0022, not '" + *text + "'");
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
      if (!must_exist_) return Outcome::pass(tr("{0} does not exist, as required", path_));
      Outcome out = Outcome::fail(tr("{0} does not exist", path_), {{path_, std::nullopt, _("missing"), _("present")}});
      if (type_ == "directory") {
        // Created by root with umask 022 (0755 root:root), then fixed as a
        // directory found that way would be.
        FileFix fix(path_);
        fix.create_directory();
        fix_created_directory(fix);
        out.remediation_commands = fix.commands();
      } else {
        // chown/chmod of a file that does not exist fail: it must be put
        // there first (issue #17 item 2).
        out.remediation = tr("Install {0} first (for the Apicrypt binaries: from Apicrypt's distribution for Linux, "
                             "into that directory), then run the audit again: it gives the owner and mode commands if "
                             "they are still needed.",
                             escape_control(path_));
      }
      return out;
    }
    const Accounts& accounts = context.accounts();
    const std::string observed = describe(*info, accounts);
    if (!must_exist_) {
      return Outcome::fail(tr("{0} exists but must not", path_), {{info->path, std::nullopt, observed, _("absent")}});
    }

    std::vector<Evidence> problems;
    FileFix fix(info->path);
    auto problem = [&](std::string expected, std::string observed_text = {}) {
      problems.push_back(
          {info->path, std::nullopt, observed_text.empty() ? observed : observed_text, std::move(expected)});
    };

    if (type_ == "file" && info->type != FileType::regular) problem("type=regular file");
    if (type_ == "directory" && info->type != FileType::directory) problem("type=directory");
    const bool owner_wrong = owner_ && accounts.user_name(info->uid) != *owner_;
    const bool group_wrong = group_ && accounts.group_name(info->gid) != *group_;
    if (owner_wrong) problem("owner=" + *owner_);
    if (group_wrong) problem("group=" + *group_);
    if (owner_wrong || group_wrong) {
      const std::string owner = owner_.value_or(accounts.user_name(info->uid));
      // A root-owned file gets group root too unless the policy names one.
      fix.set_owner(owner, group_.value_or(owner == "root" ? "root" : ""));
    }
    if ((info->mode & required_bits_) != required_bits_) {
      problem(tr("mode bits {0} set", octal_mode(required_bits_)));
      fix.add_mode(symbolic_mode(required_bits_ & ~info->mode, '+'));
    }
    if ((info->mode & forbidden_bits_) != 0) {
      problem(tr("mode bits {0} clear", octal_mode(forbidden_bits_)));
      fix.add_mode(symbolic_mode(forbidden_bits_ & info->mode, '-'));
    }
    check_user_access(context, readable_by_, kRead, N_("readable by {0}"), problems, fix);
    check_user_access(context, writable_by_, kWrite, N_("writable by {0}"), problems, fix);
    check_user_access(context, executable_by_, kExecute, N_("executable by {0}"), problems, fix);
    if (root_only_writable_) {
      for (const auto& writer : non_root_writers(fs, accounts, path_)) {
        problems.push_back({writer.path, std::nullopt,
                            tr("{0} (writable by {1})", writer.observed, writer_words(writer.who)),
                            _("writable by root only")});
        std::optional<FileInfo> w;
        try {
          w = fs.lstat(writer.path);
        } catch (const FsError&) {
        }
        const bool acl = writer.who.rfind("ACL", 0) == 0;
        const bool chown_root = !w || w->uid != 0 || (w->gid != 0 && (w->mode & 020) != 0);
        const bool go_w = !w || (w->mode & 022) != 0;
        fix.make_root_only(writer.path, chown_root, go_w, acl);
      }
    }

    if (problems.empty()) {
      return Outcome::pass(tr("{0} is as required ({1})", path_, observed),
                           {{info->path, std::nullopt, observed, _("as required")}});
    }
    std::string summary = path_ + ": ";
    for (std::size_t i = 0; i < problems.size(); ++i) {
      if (i > 0) summary += "; ";
      summary += tr("expected {0}", problems[i].expected);
      if (problems[i].path != info->path) summary += tr(" for {0}", problems[i].path);
    }
    Outcome out = Outcome::fail(summary, std::move(problems));
    if (type_ == "file" && info->type != FileType::regular) {
      out.remediation = tr("{0} is not a regular file: replace it with the real program (no command is given: what it "
                           "is must be looked at first).",
                           escape_control(info->path));
    } else {
      out.remediation_commands = fix.commands();
    }
    return out;
  }

 private:
  // A directory created by `mkdir -p` as root: 0755 root:root.
  void fix_created_directory(FileFix& fix) const {
    if (owner_ && *owner_ != "root") fix.set_owner(*owner_, group_.value_or(""));
    const unsigned created = 0755;
    unsigned mode = created;
    if ((created & required_bits_) != required_bits_) fix.add_mode(symbolic_mode(required_bits_ & ~created, '+'));
    mode |= required_bits_;
    if ((mode & forbidden_bits_) != 0) fix.add_mode(symbolic_mode(forbidden_bits_ & mode, '-'));
    mode &= ~forbidden_bits_;
    // Access for the named users: as owner when others may not have it.
    const auto need = [&](const std::vector<std::string>& users, unsigned bit) {
      for (const auto& user : users) {
        if (user == "root") continue;
        if ((forbidden_bits_ & bit) != 0) {
          fix.set_owner(user, group_.value_or(""));
          fix.add_mode(symbolic_mode((bit << 6), '+'));
        } else if ((mode & bit) == 0) {
          fix.add_mode(symbolic_mode(bit, '+'));
        }
      }
    };
    need(readable_by_, 4);
    need(writable_by_, 2);
    need(executable_by_, 1);
  }

  void check_user_access(const Context& context, const std::vector<std::string>& users, unsigned bits, const char* word,
                         std::vector<Evidence>& problems, FileFix& fix) const {
    for (const auto& name : users) {
      const PasswdEntry* user = context.accounts().user(name);
      if (user == nullptr) {
        throw CheckError(tr("user '{0}' is not in /etc/passwd", name), "/etc/passwd");
      }
      const AccessVerdict verdict = check_access(context.fs(), identity_of(context.accounts(), *user), path_, bits);
      if (!verdict.allowed) {
        problems.push_back({verdict.blocked_at, std::nullopt, verdict.reason, tr(word, name)});
        add_access_fix(context, *user, bits, verdict, fix);
      }
    }
  }

  // The user needs `bits` on the path, or search on a directory above it.
  void add_access_fix(const Context& context, const PasswdEntry& user, unsigned bits, const AccessVerdict& verdict,
                      FileFix& fix) const {
    std::optional<FileInfo> target;
    try {
      target = context.fs().stat(path_);
    } catch (const FsError&) {
    }
    if (!target || verdict.blocked_at != target->path) {
      fix.allow_search(verdict.blocked_at);
      return;
    }
    if (target->uid == user.uid) {
      fix.add_mode(symbolic_mode(bits << 6, '+'));
    } else if ((forbidden_bits_ & bits) != 0) {
      // Others may not have it: the user becomes the owner.
      fix.set_owner(user.name, group_.value_or(""));
      fix.add_mode(symbolic_mode(bits << 6, '+'));
    } else {
      fix.add_mode(symbolic_mode(bits, '+'));
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
  return {"file", N_("existence, type, owner, group, mode bits and user access of a path"), false,
          [](const Params& params) { return std::make_unique<FileCheck>(params); }};
}

}  // namespace clinic_audit
