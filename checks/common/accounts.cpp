#include "accounts.hpp"
#include "i18n.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <unordered_set>

#include "root_fs.hpp"
#include "common/text.hpp"

namespace clinic_audit {
namespace {

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (true) {
    std::size_t next = text.find(sep, pos);
    if (next == std::string_view::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, next - pos));
    pos = next + 1;
  }
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

void note(std::vector<AccountsParseIssue>* issues, std::string_view file, int line, std::string message) {
  if (issues != nullptr) issues->push_back({std::string(file), line, std::move(message)});
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text, std::vector<AccountsParseIssue>* issues,
                                      std::string_view file) {
  std::vector<PasswdEntry> out;
  for_each_line(text, [&](std::string_view line, int line_no) {
    if (line.empty() || line.front() == '#') return;
    // NIS compat entries (+/-) are not local accounts.
    if (line.front() == '+' || line.front() == '-') return;
    auto fields = split(line, ':');
    if (fields.size() != 7) {
      note(issues, file, line_no, tr("expected 7 ':'-separated fields, found {0}", fields.size()));
      return;
    }
    auto uid = parse_id(fields[2]);
    auto gid = parse_id(fields[3]);
    if (fields[0].empty() || !uid || !gid) {
      note(issues, file, line_no, _("bad user name, uid or gid"));
      return;
    }
    out.push_back({std::string(fields[0]), *uid, *gid, std::string(fields[5]), std::string(fields[6]), line_no});
  });
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view text, std::vector<AccountsParseIssue>* issues,
                                    std::string_view file) {
  std::vector<GroupEntry> out;
  for_each_line(text, [&](std::string_view line, int line_no) {
    if (line.empty() || line.front() == '#') return;
    if (line.front() == '+' || line.front() == '-') return;
    auto fields = split(line, ':');
    if (fields.size() != 4) {
      note(issues, file, line_no, tr("expected 4 ':'-separated fields, found {0}", fields.size()));
      return;
    }
    auto gid = parse_id(fields[2]);
    if (fields[0].empty() || !gid) {
      note(issues, file, line_no, _("bad group name or gid"));
      return;
    }
    GroupEntry entry{std::string(fields[0]), *gid, {}, line_no};
    if (!fields[3].empty()) {
      for (auto member : split(fields[3], ',')) {
        if (!member.empty()) entry.members.emplace_back(member);
      }
    }
    out.push_back(std::move(entry));
  });
  return out;
}

Accounts::Accounts(std::vector<PasswdEntry> users, std::vector<GroupEntry> groups)
    : users_(std::move(users)), groups_(std::move(groups)) {
  build_index();
}

Accounts Accounts::load(const RootFs& fs) {
  Accounts accounts;
  // 1 MiB is some 20,000 accounts: far over any clinic machine, and what
  // keeps a run within its memory bound (issue #20 item 4). Larger is an
  // error naming the file, not a guess.
  constexpr std::size_t kMaxAccountsFileBytes = 1024 * 1024;
  accounts.users_ = parse_passwd(fs.read_file("/etc/passwd", kMaxAccountsFileBytes), &accounts.issues_);
  accounts.groups_ = parse_group(fs.read_file("/etc/group", kMaxAccountsFileBytes), &accounts.issues_);
  accounts.build_index();
  return accounts;
}

void Accounts::build_index() {
  // emplace keeps the first entry of a name or id, as glibc's files backend.
  for (std::size_t i = 0; i < users_.size(); ++i) {
    user_by_uid_.emplace(users_[i].uid, i);
  }
  for (std::size_t i = 0; i < groups_.size(); ++i) {
    group_by_gid_.emplace(groups_[i].gid, i);
  }
}

const PasswdEntry* Accounts::user(std::string_view name) const {
  auto it = std::find_if(users_.begin(), users_.end(), [&](const auto& u) { return u.name == name; });
  return it == users_.end() ? nullptr : &*it;
}

const PasswdEntry* Accounts::user(uid_t uid) const {
  auto it = user_by_uid_.find(uid);
  return it == user_by_uid_.end() ? nullptr : &users_[it->second];
}

const GroupEntry* Accounts::group(std::string_view name) const {
  auto it = std::find_if(groups_.begin(), groups_.end(), [&](const auto& g) { return g.name == name; });
  return it == groups_.end() ? nullptr : &*it;
}

const GroupEntry* Accounts::group(gid_t gid) const {
  auto it = group_by_gid_.find(gid);
  return it == group_by_gid_.end() ? nullptr : &groups_[it->second];
}

std::vector<gid_t> Accounts::groups_of(const PasswdEntry& user) const {
  std::vector<gid_t> out{user.gid};
  std::unordered_set<gid_t> seen{user.gid};
  for (const auto& g : groups_) {
    if (std::find(g.members.begin(), g.members.end(), user.name) != g.members.end() && seen.insert(g.gid).second) {
      out.push_back(g.gid);
    }
  }
  return out;
}

std::string Accounts::user_name(uid_t uid) const {
  const auto* u = user(uid);
  return u ? u->name : std::to_string(uid);
}

std::string Accounts::group_name(gid_t gid) const {
  const auto* g = group(gid);
  return g ? g->name : std::to_string(gid);
}

}  // namespace clinic_audit
