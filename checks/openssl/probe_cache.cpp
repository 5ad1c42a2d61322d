#include "probe_cache.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include "cache_files.hpp"

namespace clinic_audit::openssl {
namespace {

constexpr std::string_view kKeyHeader = "clinic-audit openssl probe cache key 1\n";
constexpr std::string_view kEntryHeader = "clinic-audit openssl probe cache 1\n";

// The files whose identity the key holds, besides the recorded objects.
std::vector<std::filesystem::path> keyed_files(const ProbeCommand& command, const ProbeCacheSettings& cache) {
  std::vector<std::filesystem::path> files{command.program};
  for (const auto& arg : command.args) {
    if (arg.starts_with('/')) files.emplace_back(arg);
  }
  files.insert(files.end(), cache.loader_files.begin(), cache.loader_files.end());
  return files;
}

// The shared objects the probe listed ("object=PATH" lines), once each.
std::vector<std::string> listed_objects(std::string_view output) {
  std::vector<std::string> objects;
  while (!output.empty()) {
    const auto nl = output.find('\n');
    const std::string_view line = output.substr(0, nl);
    output = nl == std::string_view::npos ? std::string_view() : output.substr(nl + 1);
    if (!line.starts_with("object=")) continue;
    std::string path(line.substr(7));
    if (std::find(objects.begin(), objects.end(), path) == objects.end()) objects.push_back(std::move(path));
  }
  return objects;
}

// Every answer is a result (a failed mode is never kept).
bool all_answered(const std::vector<ProbeAnswer>& answers) {
  return std::all_of(answers.begin(), answers.end(), [](const ProbeAnswer& a) { return a.result.has_value(); });
}

}  // namespace

bool is_cacheable_command(std::string_view name) {
  // SSL_CONF_cmd(3), ssl/ssl_conf.c: the commands whose value is not a file
  // name. Certificate, PrivateKey, ServerInfoFile, ChainCA*, VerifyCA*,
  // RequestCA*, ClientCA* and DHParameters read the auditor's files.
  if (const auto dot = name.find('.'); dot != std::string_view::npos) name.remove_prefix(dot + 1);
  static constexpr std::array<std::string_view, 14> kValueOnly{"CipherString",   "Ciphersuites",
                                                               "MinProtocol",    "MaxProtocol",
                                                               "Protocol",       "Options",
                                                               "Curves",         "Groups",
                                                               "ECDHParameters", "SignatureAlgorithms",
                                                               "VerifyMode",     "RecordPadding",
                                                               "NumTickets",     "ClientSignatureAlgorithms"};
  return std::any_of(kValueOnly.begin(), kValueOnly.end(), [&](std::string_view known) {
    return known.size() == name.size() && std::equal(known.begin(), known.end(), name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           });
  });
}

std::string probe_cache_entry_name(std::string_view key) { return cache_entry_name("openssl-probe-", key); }

std::string probe_cache_key(const ProbeCommand& command, const std::vector<ProbeMode>& modes,
                            const std::string& config_text, const ProbeCacheSettings& cache) {
  std::string key(kKeyHeader);
  key += "root " + std::to_string(cache.root.size()) + " " + cache.root + "\n";
  const CommandSpec spec = probe_spec(command, modes, config_text);
  key += "program " + spec.program.string() + "\n";
  for (const auto& arg : spec.args) key += "arg " + std::to_string(arg.size()) + " " + arg + "\n";
  // CommandRunner's minimal environment when the spec sets none (command_runner.hpp).
  if (spec.env.empty()) key += "env minimal\n";
  for (const auto& [name, value] : spec.env) key += "env " + name + "=" + value + "\n";
  for (const auto& file : keyed_files(command, cache)) {
    key += "file " + identity_of(file).text + " " + std::to_string(file.string().size()) + " " + file.string() + "\n";
  }
  key += "stdin " + std::to_string(spec.stdin_data ? spec.stdin_data->size() : 0) + "\n";
  if (spec.stdin_data) key += *spec.stdin_data;
  return key;
}

std::vector<ProbeAnswer> run_probes_cached(CommandRunner& runner, const ProbeCommand& command,
                                           const std::vector<ProbeMode>& modes, const std::string& config_text,
                                           const std::optional<ProbeCacheSettings>& cache, bool cacheable,
                                           CacheOutcome* outcome) {
  CacheOutcome ignored{};
  CacheOutcome& result = outcome != nullptr ? *outcome : ignored;
  const bool system = std::find(modes.begin(), modes.end(), ProbeMode::system) != modes.end();
  if (!cache || !cacheable || system || cache->directory.empty()) {
    result = CacheOutcome::not_cacheable;
    return run_probes(runner, command, modes, config_text);
  }
  timespec started{};
  ::clock_gettime(CLOCK_REALTIME, &started);
  const std::string key = probe_cache_key(command, modes, config_text, *cache);
  const std::string name = probe_cache_entry_name(key);
  const UniqueFd dir = open_cache_directory(cache->directory, /*create=*/true);
  if (dir.valid()) {
    if (const auto entry = read_trusted_entry(dir.get(), name)) {
      if (const auto output = valid_payload(*entry, kEntryHeader, key)) {
        auto answers = parse_probe_answers(*output, modes.size());
        if (all_answered(answers)) {
          result = CacheOutcome::hit;
          return answers;
        }
      }
    }
  }
  std::string output = run_probe_program(runner, command, modes, config_text);
  auto answers = parse_probe_answers(output, modes.size());
  result = CacheOutcome::miss_not_stored;
  if (!dir.valid() || !all_answered(answers)) return answers;
  // Racy: a keyed file that changed just before the run, or during it.
  const timespec limit = racy_limit(started, cache->racy_margin);
  if (probe_cache_key(command, modes, config_text, *cache) != key) return answers;
  for (const auto& file : keyed_files(command, *cache)) {
    const FileIdentity id = identity_of(file);
    if (id.exists && changed_since(id.ctime, limit)) return answers;
  }
  std::vector<RecordedObject> objects;
  for (const auto& path : listed_objects(output)) {
    if (!path.starts_with('/') || path.find_first_of(" \t\r\n") != std::string::npos) return answers;
    const FileIdentity id = identity_of(path);
    if (!id.exists || changed_since(id.ctime, limit)) return answers;
    objects.emplace_back(id.text, path);
  }
  if (objects.empty()) return answers;  // a probe that names nothing it loaded: no key, no entry
  write_entry(dir.get(), name, entry_text(kEntryHeader, key, objects, output));
  result = CacheOutcome::miss_stored;
  return answers;
}

}  // namespace clinic_audit::openssl
