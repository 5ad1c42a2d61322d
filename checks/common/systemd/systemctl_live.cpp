#include "systemctl_live.hpp"

#include "unit_file_parser.hpp"

namespace clinic_audit::systemd {

bool systemd_is_running(const RootFs& live_fs) {
  try {
    auto info = live_fs.lstat("/run/systemd/system");
    return info && info->type == FileType::directory;
  } catch (const FsError&) {
    return false;
  }
}

std::map<std::string, std::string> parse_systemctl_show(std::string_view output) {
  std::map<std::string, std::string> properties;
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string_view::npos) end = output.size();
    const std::string_view line = output.substr(pos, end - pos);
    pos = end + 1;
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    properties[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return properties;
}

namespace {

LiveQuery run_systemctl(CommandRunner& runner, std::vector<std::string> args, bool nonzero_ok) {
  LiveQuery query;
  CommandSpec spec;
  spec.program = kSystemctl;
  spec.args = std::move(args);
  spec.timeout = std::chrono::seconds(10);
  try {
    const CommandResult result = runner.run(spec);
    if (result.timed_out) {
      query.error = "systemctl did not answer within 10 s";
    } else if (result.signaled) {
      query.error = "systemctl was killed by signal " + std::to_string(result.signal);
    } else if (result.exit_code != 0 && !nonzero_ok) {
      query.error =
          "systemctl exited " + std::to_string(result.exit_code) + ": " + result.err.substr(0, result.err.find('\n'));
    } else {
      query.properties = parse_systemctl_show(result.out);
      query.properties["_stdout"] = result.out;
    }
  } catch (const CommandError& e) {
    query.error = e.what();
  }
  return query;
}

}  // namespace

LiveQuery systemctl_show(CommandRunner& runner, const std::string& unit, const std::vector<std::string>& properties) {
  std::string list;
  for (const auto& p : properties) list += (list.empty() ? "" : ",") + p;
  return run_systemctl(runner, {"show", "-p", list, "--", unit}, false);
}

LiveQuery systemctl_is_active(CommandRunner& runner, const std::string& unit) {
  // is-active exits non-zero for every state but "active"; the state is on stdout.
  return run_systemctl(runner, {"is-active", "--", unit}, true);
}

LiveVerdict judge_live_boolean(const std::map<std::string, std::string>& show, const std::string& key,
                               bool file_value) {
  LiveVerdict verdict;
  auto get = [&](const std::string& name) {
    auto it = show.find(name);
    return it == show.end() ? std::string("(absent)") : it->second;
  };
  const std::string running = get(key);
  const std::string reload = get("NeedDaemonReload");
  verdict.observed = "running: " + key + "=" + running + ", NeedDaemonReload=" + reload;
  const auto running_value = parse_systemd_boolean(running);
  if (running_value && *running_value != file_value) verdict.stale = true;
  if (parse_systemd_boolean(reload).value_or(false)) verdict.stale = true;
  return verdict;
}

}  // namespace clinic_audit::systemd
