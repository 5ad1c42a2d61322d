// Issue #20 item 7: an exec plugin that daemonizes (double fork, setsid,
// a background job) leaves nothing running after the agent. The processes
// left are counted before and after, by their command line; a control run of
// the same plugin outside the agent shows the count can go up.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include "common/command_runner.hpp"
#include "fixture_root.hpp"
#include "report_json.hpp"

namespace clinic_audit::testing {
namespace {

// Pids of the processes whose command line is exactly `sleep MARKER`.
std::vector<pid_t> sleepers(const std::string& marker) {
  const std::string wanted = std::string("sleep") + '\0' + marker + '\0';
  std::vector<pid_t> found;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return found;
  while (const struct dirent* entry = ::readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    // read(2): a process exiting meanwhile fails the read (ESRCH).
    const int fd = ::open((std::string("/proc/") + entry->d_name + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buffer[256];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    ::close(fd);
    if (n > 0 && std::string(buffer, static_cast<std::size_t>(n)) == wanted)
      found.push_back(static_cast<pid_t>(std::atol(entry->d_name)));
  }
  ::closedir(proc);
  return found;
}

std::size_t wait_for_count(const std::string& marker, std::size_t at_least) {
  for (int i = 0; i < 200 && sleepers(marker).size() < at_least; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return sleepers(marker).size();
}

void kill_all(const std::string& marker) {
  for (pid_t pid : sleepers(marker)) ::kill(pid, SIGKILL);
}

std::string exec_check(const std::string& id, const std::string& command, int check_timeout, int plugin_timeout) {
  return "  <check id=\"" + id + "\" type=\"exec\" severity=\"low\" timeout_seconds=\"" +
         std::to_string(check_timeout) +
         "\">\n    <title>t</title><rationale>r</rationale><remediation>none</remediation>\n"
         "    <reference seed=\"004_08ef83a57c0c6343.txt\" section=\"Apicrypt v2\"/>\n"
         "    <param name=\"command\">" +
         command +
         "</param>\n"
         "    <param name=\"network\">false</param>\n"
         "    <param name=\"timeout_seconds\">" +
         std::to_string(plugin_timeout) + "</param>\n  </check>\n";
}

// Each plugin leaves `sleep MARKER` processes behind in its own way.
struct Daemonizer {
  std::string name;
  std::string script;
  std::size_t leaves;  // sleepers it leaves when nobody cleans up
};

const std::vector<Daemonizer>& daemonizers() {
  static const std::vector<Daemonizer> all = {
      // Classic double fork + setsid, output detached: its parent exits at once.
      {"double-fork", "( setsid sleep 7301 </dev/null >/dev/null 2>&1 & )\necho 'OK - forked'\nexit 0\n", 1},
      // A background job in the plugin's own process group.
      {"background", "sleep 7302 </dev/null >/dev/null 2>&1 &\necho 'OK - job'\nexit 0\n", 1},
      // A new session whose leader stays alive with two children: killing
      // the leader hands them to the agent in turn.
      {"session-tree",
       "( setsid sh -c 'sleep 7303 & sleep 7303 & wait' </dev/null >/dev/null 2>&1 & )\necho 'OK - tree'\nexit 0\n", 2},
      // A daemon that keeps the plugin's stdout open: the run waits for EOF
      // until the plugin's limit, then must still kill it.
      {"holds-stdout", "( setsid sleep 7304 & )\necho 'OK - held'\nexit 0\n", 1},
  };
  return all;
}

std::string marker_of(const Daemonizer& d) {
  const auto at = d.script.find("sleep 73");
  return d.script.substr(at + 6, 4);
}

// The control run's own copies: CTest runs the two tests at the same time,
// so they must not count each other's sleepers (sleep 731N instead of 730N).
std::vector<Daemonizer> control_daemonizers() {
  auto all = daemonizers();
  for (auto& d : all) {
    for (std::size_t at = 0; (at = d.script.find("sleep 730", at)) != std::string::npos; at += 9) {
      d.script.replace(at, 9, "sleep 731");
    }
  }
  return all;
}

TEST(Orphans, ControlRunOutsideTheAgentLeavesDaemonsBehind) {
  // Without the agent's reaping the same plugins do leave processes: the
  // counts in the next test can fail.
  FixtureRoot plugins(fixture_dir("plugins"));
  for (const auto& d : control_daemonizers()) {
    plugins.file("/" + d.name + ".sh", "#!/bin/sh\n" + d.script, 0755);
    kill_all(marker_of(d));
    // system(3) waits for the plugin's shell and nothing else.
    const std::string command = plugins.host("/" + d.name + ".sh").string() + " >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << d.name;
    EXPECT_EQ(wait_for_count(marker_of(d), d.leaves), d.leaves) << d.name;
    kill_all(marker_of(d));
  }
}

TEST(Orphans, DaemonizingPluginsLeaveNothingAfterTheRun) {
  FixtureRoot plugins(fixture_dir("plugins"));
  std::string policy =
      "<?xml version=\"1.0\"?>\n<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"orphans\" version=\"1\">\n"
      "  <title>t</title><description>d</description>\n";
  std::map<std::string, std::size_t> before;
  for (const auto& d : daemonizers()) {
    plugins.file("/" + d.name + ".sh", "#!/bin/sh\n" + d.script, 0755);
    before[marker_of(d)] = sleepers(marker_of(d)).size();
    policy += exec_check("orphans." + d.name, plugins.host("/" + d.name + ".sh").string(), 10, 2);
  }
  policy += "</policy>\n";
  const auto file = plugins.host("/orphans.xml");
  std::ofstream(file) << policy;

  const AgentRun run = run_agent({"run", "--policy", file.string(), "--offline", "--no-sign", "--format", "json"});
  ASSERT_NE(run.exit_code, -2) << "the agent did not finish";
  const auto report = parse_report(run.out);
  for (const auto& d : daemonizers()) {
    EXPECT_EQ(sleepers(marker_of(d)).size(), before[marker_of(d)]) << d.name << " left processes behind";
    kill_all(marker_of(d));
  }
  EXPECT_EQ(result_of(report, "orphans.double-fork")["status"], "pass") << run.out;
  EXPECT_EQ(result_of(report, "orphans.background")["status"], "pass");
  EXPECT_EQ(result_of(report, "orphans.session-tree")["status"], "pass");
  // The daemon holding stdout keeps the plugin "running" until its limit,
  // unless the sweep after another plugin (they run concurrently) killed it
  // first and so closed the output: either way it ends, and nothing is left.
  const auto held = result_of(report, "orphans.holds-stdout");
  if (held["status"] == "error") {
    EXPECT_EQ(held["summary"], plugins.host("/holds-stdout.sh").string() +
                                   " did not finish within 2 s and was killed, with every process it started");
  } else {
    EXPECT_EQ(held["status"], "pass");
    EXPECT_EQ(held["summary"], "OK - held");
  }
}

TEST(Orphans, PluginLimitIsClampedToTheCheckTimeout) {
  // timeout_seconds=60 on the plugin, 1 s on the check: the plugin is killed
  // before the check runner gives up, and the check says so itself.
  FixtureRoot plugins(fixture_dir("plugins"));
  plugins.file("/hang.sh", "#!/bin/sh\n( setsid sleep 7305 </dev/null >/dev/null 2>&1 & )\nsleep 7306\n", 0755);
  const auto file = plugins.host("/hang.xml");
  std::ofstream(file) << "<?xml version=\"1.0\"?>\n<policy xmlns=\"urn:clinic-audit:policy:1\" id=\"hang\" "
                         "version=\"1\">\n  <title>t</title><description>d</description>\n"
                      << exec_check("hang.plugin", plugins.host("/hang.sh").string(), 1, 60) << "</policy>\n";
  const auto start = std::chrono::steady_clock::now();
  const AgentRun run = run_agent({"run", "--policy", file.string(), "--offline", "--no-sign", "--format", "json"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  const auto r = result_of(parse_report(run.out), "hang.plugin");
  EXPECT_EQ(r["status"], "error");
  EXPECT_EQ(r["summary"], plugins.host("/hang.sh").string() +
                              " did not finish within 0.75 s (its check's timeout_seconds ends first) and was "
                              "killed, with every process it started");
  EXPECT_TRUE(sleepers("7305").empty());
  EXPECT_TRUE(sleepers("7306").empty());
  kill_all("7305");
  kill_all("7306");
}

}  // namespace
}  // namespace clinic_audit::testing
