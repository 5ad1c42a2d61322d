// Asks the OpenSSL library itself what it applies, in a child process.
//
// Why a child: OpenSSL keeps the loaded ssl_conf module in process-global
// state (an OSSL_LIB_CTX_load_config() on a private library context still
// changes the system_default that every SSL_CTX_new() of the process gets --
// verified by experiment on 3.0), and configuration loading happens once per
// process. Loading an audited configuration inside the agent would therefore
// change the TLS settings of the agent's own connections and could only be
// done once. The child starts clean and dies with whatever it loaded.
//
// The child side is the small `clinic-audit-openssl-probe` executable, built
// beside the agent and installed in PREFIX/libexec/clinic-audit (the agent in
// PREFIX/bin); the agent finds it relative to its own executable, so the
// path holds for the package (/usr) and any other install prefix.
//
// Modes:
//   --no-config     OPENSSL_INIT_NO_LOAD_CONFIG: the compiled-in defaults.
//   --config-stdin  the configuration text on stdin, loaded through
//                   OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG) like any
//                   application would load its file.
//   --system        OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG) with no
//                   settings: the live system's own configuration file.
// Output: key=value lines (see parse_probe_output).
//
// Several modes on one command line (issue #19 item 5: one program start per
// audit instead of two or three) are answered in order, separated by a line
// "---": every mode but the last in a child the probe forks before it touches
// OpenSSL, so each mode still runs in a process that loaded nothing else.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/command_runner.hpp"

namespace clinic_audit::openssl {

enum class ProbeMode { no_config, config_stdin, system };

struct RejectedCommand {
  std::string name;
  std::string value;
  std::string error;  // OpenSSL's reason
};

struct ProbeResult {
  std::string library;      // OpenSSL_version(OPENSSL_VERSION) of the probe
  std::string config_file;  // --system: the file the library loaded
  bool init_ok = false;     // OPENSSL_init_ssl() returned 1
  bool ctx_ok = false;      // SSL_CTX_new() succeeded
  int security_level = -1;  // SSL_CTX_get_security_level(3)
  int min_proto = 0;        // SSL_CTX_get_min_proto_version(3); 0 = no minimum set
  int max_proto = 0;
  int tls12_ciphers = 0;                  // cipher list entries usable with TLS 1.2 and below
  int tls13_ciphers = 0;                  // TLS 1.3 ciphersuites
  std::vector<RejectedCommand> rejected;  // system_default commands SSL_CONF_cmd(3) refuses
  std::string init_error;                 // why OPENSSL_init_ssl() failed (a module of the configuration)
  std::string error;                      // why SSL_CTX_new() failed
};

struct ProbeCommand {
  std::filesystem::path program;  // absolute
  std::vector<std::string> args;  // before the mode argument
};

// Where the probe is looked for, in order, for an agent at `executable`:
// beside it (build tree), ../libexec/clinic-audit relative to it (installed),
// then the path configured at build time.
std::vector<std::filesystem::path> probe_candidates(const std::filesystem::path& executable);
// The first executable candidate; when none is, the installed location
// (running it then fails naming that file).
ProbeCommand probe_command_for(const std::filesystem::path& executable);
// probe_command_for(the running executable).
ProbeCommand default_probe_command();

// Runs the probe; throws std::runtime_error when it cannot run or its output is unusable.
ProbeResult run_probe(CommandRunner& runner, const ProbeCommand& command, ProbeMode mode,
                      const std::string& config_text = {});

ProbeResult parse_probe_output(std::string_view text);

// One mode's answer from a run of several: its result, or why there is none.
struct ProbeAnswer {
  std::optional<ProbeResult> result;
  std::optional<std::string> failure;
};
// Runs the probe once for all `modes` (answers in the same order); throws
// std::runtime_error when the program cannot run or fails as a whole.
std::vector<ProbeAnswer> run_probes(CommandRunner& runner, const ProbeCommand& command,
                                    const std::vector<ProbeMode>& modes, const std::string& config_text = {});
std::vector<ProbeAnswer> parse_probe_answers(std::string_view text, std::size_t expected);
// The pieces of run_probes: the command it runs, and the program's raw output
// (throws std::runtime_error as run_probes does). The output also lists
// "object=PATH", the shared objects the probe had loaded (probe_cache.hpp).
CommandSpec probe_spec(const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                       const std::string& config_text);
std::string run_probe_program(CommandRunner& runner, const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                              const std::string& config_text);

// "TLSv1.2" for 0x0303, "none" for 0, "0x...." otherwise.
std::string protocol_name(int version);

// The child side: argv[1] is the mode. Writes to stdout, returns the exit code.
int openssl_probe_main(int argc, char** argv);

}  // namespace clinic_audit::openssl
