// Over 400 lines: the probe process and its parent side in one file, because
// both sides share the wire format of the answer (kept together on purpose).
#include "openssl_probe.hpp"

#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <stdexcept>

#include "conf_loader.hpp"
#include "ssl_settings.hpp"

namespace clinic_audit::openssl {
namespace {

std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

// What an application gets from SSL_CTX_new(TLS_method()) in this process.
void measure(std::ostream& out) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) {
    out << "ctx=0\nerror=" << one_line(take_openssl_errors()) << "\n";
    return;
  }
  int tls12 = 0;
  int tls13 = 0;
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx.get());
  for (int i = 0; ciphers != nullptr && i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const std::string_view version = SSL_CIPHER_get_version(sk_SSL_CIPHER_value(ciphers, i));
    (version == "TLSv1.3" ? tls13 : tls12) += 1;
  }
  out << "ctx=1\nsecurity_level=" << SSL_CTX_get_security_level(ctx.get())
      << "\nmin_proto=" << SSL_CTX_get_min_proto_version(ctx.get())
      << "\nmax_proto=" << SSL_CTX_get_max_proto_version(ctx.get()) << "\ntls12_ciphers=" << tls12
      << "\ntls13_ciphers=" << tls13 << "\n";
}

// SSL_CONF_cmd(3) on each system_default command, one by one, to name the
// ones OpenSSL refuses (it skips them silently when it applies the section).
void report_rejected(std::ostream& out, const std::string& file) {
  const ConfPtr conf(NCONF_new(nullptr));
  long eline = 0;
  if (!conf || NCONF_load(conf.get(), file.c_str(), &eline) <= 0) {
    ERR_clear_error();
    return;
  }
  LoadedConfig config;
  config.conf = snapshot_conf(conf.get());
  const SslSettings settings = extract_ssl_settings(config);
  for (const auto& cmd : settings.commands) {
    std::unique_ptr<SSL_CTX, CtxDeleter> ctx(SSL_CTX_new(TLS_method()));
    SSL_CONF_CTX* cctx = SSL_CONF_CTX_new();
    if (!ctx || cctx == nullptr) {
      SSL_CONF_CTX_free(cctx);
      break;
    }
    SSL_CONF_CTX_set_flags(cctx, SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER);
    SSL_CONF_CTX_set_ssl_ctx(cctx, ctx.get());
    std::string name = cmd.name;
    if (auto dot = name.find('.'); dot != std::string::npos) name.erase(0, dot + 1);  // config(5)
    ERR_clear_error();
    const int rv = SSL_CONF_cmd(cctx, name.c_str(), cmd.value.c_str());
    if (rv <= 0) {
      std::string why = rv == -2 ? "unknown command" : take_openssl_errors();
      out << "rejected=" << one_line(cmd.name) << "\t" << one_line(cmd.value) << "\t" << one_line(why) << "\n";
    }
    ERR_clear_error();
    SSL_CONF_CTX_free(cctx);
  }
}

// The shared objects this process has loaded, the ones the library pulled
// in at run time (providers, engines) included (dl_iterate_phdr(3)): the
// answer depends on them, so the agent keys its cache of answers on them
// (probe_cache.hpp). The main program (empty name) and the vDSO (not a file)
// are left out.
void report_loaded_objects(std::ostream& out) {
  dl_iterate_phdr(
      [](dl_phdr_info* info, std::size_t, void* data) {
        const std::string_view name = info->dlpi_name != nullptr ? info->dlpi_name : "";
        if (name.starts_with('/'))
          *static_cast<std::ostream*>(data) << "object=" << one_line(std::string(name)) << "\n";
        return 0;
      },
      &out);
}

int parse_int(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size())
    throw std::runtime_error("bad number '" + std::string(text) + "'");
  return value;
}

}  // namespace

std::string protocol_name(int version) {
  switch (version) {
    case 0: return "none";
    case SSL3_VERSION: return "SSLv3";
    case TLS1_VERSION: return "TLSv1";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
    default: {
      char buf[16];
      std::snprintf(buf, sizeof buf, "0x%04x", static_cast<unsigned>(version));
      return buf;
    }
  }
}

namespace {

// One mode, in a process that has not touched OpenSSL yet.
int probe_one(std::string_view mode, const std::string& stdin_text, std::ostream& out) {
  out << "library=" << OpenSSL_version(OPENSSL_VERSION) << "\n";
  std::string file;
  int ok = 0;
  if (mode == "--no-config") {
    ok = OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
  } else if (mode == "--config-stdin") {
    // A memory file, so that the library opens "its" configuration file by
    // name exactly as it does for applications, yet nothing on disk is read.
    const int fd = memfd_create("openssl.cnf", 0);
    if (fd < 0 || write(fd, stdin_text.data(), stdin_text.size()) != static_cast<ssize_t>(stdin_text.size())) {
      out << "init=0\nerror=cannot create the in-memory configuration file\n";
      return 3;
    }
    file = "/proc/self/fd/" + std::to_string(fd);
    OPENSSL_INIT_SETTINGS* settings = OPENSSL_INIT_new();
    OPENSSL_INIT_set_config_filename(settings, file.c_str());
    ok = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, settings);
    OPENSSL_INIT_free(settings);
  } else {  // --system
    ok = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    char* def = CONF_get1_default_config_file();
    if (def != nullptr) file = def;
    OPENSSL_free(def);
    out << "config_file=" << one_line(file) << "\n";
  }
  out << "init=" << (ok == 1 ? 1 : 0) << "\n";
  // Applications seldom check OPENSSL_init_ssl(); SSL_CTX_new() still works
  // after a failed configuration (with whatever modules loaded before the
  // failure), so measure anyway.
  if (ok != 1) out << "init_error=" << one_line(take_openssl_errors()) << "\n";
  measure(out);
  if (!file.empty()) report_rejected(out, file);
  report_loaded_objects(out);
  out.flush();
  return 0;
}

// Separates the answers of several modes on the probe's output.
constexpr std::string_view kNextAnswer = "---\n";

// --no-config then --config-stdin in one process (issue #19 item 5: each
// SSL_CTX_new() of a fresh process costs about 5 ms of provider and cipher
// fetching). The defaults are measured first, on a library initialised
// without configuration; then the configuration is loaded by the very call
// OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG) makes (crypto/conf/conf_sap.c
// ossl_config_int(): the built-in modules, then CONF_modules_load_file_ex()
// on the default library context with DEFAULT_CONF_MFLAGS), which its
// run-once guard would not let us call again. libssl reads the loaded
// system_default at each SSL_CTX_new() (ssl/ssl_mcnf.c). The differential
// tests hold this against an oracle that loads the file itself.
int probe_defaults_then_config(const std::string& stdin_text, std::ostream& out) {
  out << "library=" << OpenSSL_version(OPENSSL_VERSION) << "\n";
  out << "init=" << (OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1 ? 1 : 0) << "\n";
  measure(out);
  out << kNextAnswer << "library=" << OpenSSL_version(OPENSSL_VERSION) << "\n";
  const int fd = memfd_create("openssl.cnf", 0);
  if (fd < 0 || write(fd, stdin_text.data(), stdin_text.size()) != static_cast<ssize_t>(stdin_text.size())) {
    out << "init=0\nerror=cannot create the in-memory configuration file\n";
    return 3;
  }
  const std::string file = "/proc/self/fd/" + std::to_string(fd);
  ERR_clear_error();
  OPENSSL_load_builtin_modules();
  constexpr unsigned long kDefaultFlags =  // DEFAULT_CONF_MFLAGS, crypto/conf/conf_sap.c
      CONF_MFLAGS_DEFAULT_SECTION | CONF_MFLAGS_IGNORE_MISSING_FILE | CONF_MFLAGS_IGNORE_RETURN_CODES;
  const int ok = CONF_modules_load_file_ex(nullptr, file.c_str(), nullptr, kDefaultFlags) > 0 ? 1 : 0;
  out << "init=" << ok << "\n";
  if (ok != 1) out << "init_error=" << one_line(take_openssl_errors()) << "\n";
  measure(out);
  report_rejected(out, file);
  report_loaded_objects(out);
  out.flush();
  return 0;
}

}  // namespace

int openssl_probe_main(int argc, char** argv) {
  std::vector<std::string_view> modes;
  for (int i = 1; i < argc; ++i) modes.emplace_back(argv[i]);
  const bool known = !modes.empty() && std::all_of(modes.begin(), modes.end(), [](std::string_view m) {
    return m == "--no-config" || m == "--config-stdin" || m == "--system";
  });
  if (!known) {
    std::cerr << "usage: clinic-audit-openssl-probe MODE... (MODE: --no-config, --config-stdin, --system)\n";
    return 64;
  }
  std::string stdin_text;
  if (std::find(modes.begin(), modes.end(), "--config-stdin") != modes.end()) {
    stdin_text.assign(std::istreambuf_iterator<char>(std::cin), {});
  }
  // One program start for several answers (issue #19 item 5): every mode but
  // the last runs in a child forked before this process touches OpenSSL, so
  // each still sees a library that has loaded nothing (see the header).
  std::ostream& out = std::cout;
  // The units of work: --no-config directly followed by --config-stdin is
  // one (probe_defaults_then_config); any other mode is one on its own.
  std::vector<std::vector<std::string_view>> units;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    if (modes[i] == "--no-config" && i + 1 < modes.size() && modes[i + 1] == "--config-stdin") {
      units.push_back({modes[i], modes[i + 1]});
      ++i;
    } else {
      units.push_back({modes[i]});
    }
  }
  auto run_unit = [&](const std::vector<std::string_view>& unit) {
    return unit.size() == 2 ? probe_defaults_then_config(stdin_text, out) : probe_one(unit.front(), stdin_text, out);
  };
  for (std::size_t i = 0; i + 1 < units.size(); ++i) {
    // The child's answers come through a pipe and are passed on only when it
    // succeeded: a child that dies half-way cannot shift the answers after it.
    out.flush();
    int pipe_fds[2] = {-1, -1};
    const pid_t child = ::pipe2(pipe_fds, O_CLOEXEC) == 0 ? ::fork() : -1;
    if (child == 0) {
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      const int code = run_unit(units[i]);
      out.flush();
      ::_exit(code);
    }
    std::string answer;
    if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
    if (child > 0) {
      char buffer[4096];
      for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        answer.append(buffer, static_cast<std::size_t>(n));
      }
    }
    if (pipe_fds[0] >= 0) ::close(pipe_fds[0]);
    int status = 0;
    std::string failure;
    if (child < 0 || ::waitpid(child, &status, 0) != child) {
      failure = "cannot start a probe process for " + std::string(units[i].back());
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      failure = "the probe process for " + std::string(units[i].back()) +
                (WIFSIGNALED(status) ? " died of signal " + std::to_string(WTERMSIG(status))
                                     : " exited " + std::to_string(WEXITSTATUS(status)));
    }
    if (failure.empty()) {
      out << answer;
    } else {
      for (std::size_t m = 0; m < units[i].size(); ++m)
        out << (m > 0 ? kNextAnswer : "") << "failed=" << failure << "\n";
    }
    out << kNextAnswer;
  }
  const int code = run_unit(units.back());
  out.flush();
  return code;
}

ProbeResult parse_probe_output(std::string_view text) {
  ProbeResult r;
  bool saw_init = false;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = line.substr(eq + 1);
    if (key == "library") r.library = value;
    else if (key == "config_file") r.config_file = value;
    else if (key == "init") {
      r.init_ok = value == "1";
      saw_init = true;
    } else if (key == "ctx") r.ctx_ok = value == "1";
    else if (key == "security_level") r.security_level = parse_int(value);
    else if (key == "min_proto") r.min_proto = parse_int(value);
    else if (key == "max_proto") r.max_proto = parse_int(value);
    else if (key == "tls12_ciphers") r.tls12_ciphers = parse_int(value);
    else if (key == "tls13_ciphers") r.tls13_ciphers = parse_int(value);
    else if (key == "error") r.error = value;
    else if (key == "init_error") r.init_error = value;
    else if (key == "rejected") {
      RejectedCommand cmd;
      const auto t1 = value.find('\t');
      const auto t2 = t1 == std::string_view::npos ? t1 : value.find('\t', t1 + 1);
      cmd.name = value.substr(0, t1);
      if (t1 != std::string_view::npos)
        cmd.value = value.substr(t1 + 1, t2 == std::string_view::npos ? t2 : t2 - t1 - 1);
      if (t2 != std::string_view::npos) cmd.error = value.substr(t2 + 1);
      r.rejected.push_back(std::move(cmd));
    }
  }
  if (!saw_init) throw std::runtime_error("the OpenSSL probe printed no result");
  return r;
}

std::vector<ProbeAnswer> parse_probe_answers(std::string_view text, std::size_t expected) {
  std::vector<ProbeAnswer> answers;
  while (answers.size() < expected) {
    std::string_view block = text;
    const auto next = text.find(kNextAnswer);
    if (next != std::string_view::npos && answers.size() + 1 < expected) {
      block = text.substr(0, next);
      text = text.substr(next + kNextAnswer.size());
    } else {
      text = {};
    }
    ProbeAnswer answer;
    if (const auto failed = block.find("failed=");
        failed != std::string_view::npos && (failed == 0 || block[failed - 1] == '\n')) {
      const auto end = block.find('\n', failed);
      answer.failure = block.substr(failed + 7, end == std::string_view::npos ? end : end - failed - 7);
    } else {
      try {
        answer.result = parse_probe_output(block);
      } catch (const std::runtime_error& e) {
        answer.failure = e.what();
      }
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

std::vector<std::filesystem::path> probe_candidates(const std::filesystem::path& executable) {
  const auto dir = executable.parent_path();
  // Beside the agent (build tree), then the installed layout relative to the
  // agent (PREFIX/bin -> PREFIX/libexec/clinic-audit, whatever PREFIX the package
  // or `cmake --install` chose), then the path configured at build time.
  std::vector<std::filesystem::path> candidates{
      dir / "clinic-audit-openssl-probe",
      (dir / CA_OPENSSL_PROBE_FROM_BINDIR / "clinic-audit-openssl-probe").lexically_normal()};
  const std::filesystem::path configured(CA_OPENSSL_PROBE_INSTALLED);
  if (std::find(candidates.begin(), candidates.end(), configured) == candidates.end()) candidates.push_back(configured);
  return candidates;
}

ProbeCommand probe_command_for(const std::filesystem::path& executable) {
  const auto candidates = probe_candidates(executable);
  for (const auto& candidate : candidates) {
    if (::access(candidate.c_str(), X_OK) == 0) return {candidate, {}};
  }
  // None is there: name the installed location, so that the check's error
  // says which file is missing (there is no in-agent fallback).
  return {candidates[1], {}};
}

ProbeCommand default_probe_command() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {std::filesystem::path(CA_OPENSSL_PROBE_INSTALLED), {}};
  return probe_command_for(self);
}

namespace {
const char* mode_argument(ProbeMode mode) {
  return mode == ProbeMode::no_config ? "--no-config" : mode == ProbeMode::system ? "--system" : "--config-stdin";
}
}  // namespace

CommandSpec probe_spec(const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                       const std::string& config_text) {
  CommandSpec spec;
  spec.program = command.program;
  spec.args = command.args;
  for (const ProbeMode mode : modes) spec.args.push_back(mode_argument(mode));
  spec.timeout = std::chrono::seconds(20);
  // Empty environment = the minimal one: no OPENSSL_CONF, as for system services.
  if (std::find(modes.begin(), modes.end(), ProbeMode::config_stdin) != modes.end()) spec.stdin_data = config_text;
  return spec;
}

std::string run_probe_program(CommandRunner& runner, const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                              const std::string& config_text) {
  const CommandResult result = runner.run(probe_spec(command, modes, config_text));
  const std::string who = command.program.string() + " (OpenSSL probe)";
  if (result.timed_out) throw std::runtime_error(who + " did not answer in time");
  if (result.signaled) throw std::runtime_error(who + " died of signal " + std::to_string(result.signal));
  if (result.exit_code != 0) {
    throw std::runtime_error(who + " exited " + std::to_string(result.exit_code) + ": " +
                             one_line(result.err.substr(0, 300)));
  }
  return result.out;
}

std::vector<ProbeAnswer> run_probes(CommandRunner& runner, const ProbeCommand& command,
                                    const std::vector<ProbeMode>& modes, const std::string& config_text) {
  return parse_probe_answers(run_probe_program(runner, command, modes, config_text), modes.size());
}

ProbeResult run_probe(CommandRunner& runner, const ProbeCommand& command, ProbeMode mode,
                      const std::string& config_text) {
  auto answers = run_probes(runner, command, {mode}, config_text);
  if (answers.front().failure) throw std::runtime_error(*answers.front().failure);
  return std::move(*answers.front().result);
}

}  // namespace clinic_audit::openssl
