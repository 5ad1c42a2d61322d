#include "sudoers_render.hpp"

namespace clinic_audit::sudoers {

std::string render_member(const Member& m) {
  std::string out = m.negated ? "!" : "";
  for (const auto& d : *m.digests) out += d.algorithm + ":" + d.value + " ";
  switch (m.kind) {
    case Member::Kind::all: return out + "ALL";
    case Member::Kind::myself: return out;
    case Member::Kind::command: return out + m.command() + (m.args ? " " + *m.args : "");
    default: return out + m.name;
  }
}

std::string render_list(std::span<const Member> list) {
  std::string out;
  for (std::size_t i = 0; i < list.size(); ++i) out += (i > 0 ? ", " : "") + render_member(list[i]);
  return out;
}

std::string render_runas(const CommandSpec& cs) {
  if (!cs.has_runas) return "";
  std::string out = "(";
  if (cs.runas_users) out += render_list(*cs.runas_users);
  if (cs.runas_groups) out += ":" + render_list(*cs.runas_groups);
  return out + ")";
}

std::string render_tags(const Tags& t) {
  std::string out;
  auto tag = [&](Tags::Value v, const char* on, const char* off) {
    if (v == Tags::on) out += std::string(on) + ": ";
    if (v == Tags::off) out += std::string(off) + ": ";
  };
  tag(t.nopasswd, "NOPASSWD", "PASSWD");
  tag(t.noexec, "NOEXEC", "EXEC");
  tag(t.intercept, "INTERCEPT", "NOINTERCEPT");
  tag(t.setenv, "SETENV", "NOSETENV");
  tag(t.log_input, "LOG_INPUT", "NOLOG_INPUT");
  tag(t.log_output, "LOG_OUTPUT", "NOLOG_OUTPUT");
  tag(t.send_mail, "MAIL", "NOMAIL");
  tag(t.follow, "FOLLOW", "NOFOLLOW");
  return out;
}

std::string render_grant(const LeafCommand& leaf) {
  std::string out = render_list(leaf.spec->users) + " ";
  for (const auto& priv : leaf.spec->privileges) {
    for (const auto& cs : priv.commands) {
      if (&cs == leaf.command_spec) out += render_list(priv.hosts) + "=";
    }
  }
  const std::string runas = render_runas(*leaf.command_spec);
  out += runas + (runas.empty() ? "" : " ") + render_tags(leaf.command_spec->tags);
  Member shown = *leaf.command;
  shown.negated = leaf.negated;
  out += render_member(shown);
  if (!leaf.via_aliases->empty()) {
    out += " (via Cmnd_Alias";
    for (const auto& a : *leaf.via_aliases) out += " " + a;
    out += ")";
  }
  return out;
}

}  // namespace clinic_audit::sudoers
