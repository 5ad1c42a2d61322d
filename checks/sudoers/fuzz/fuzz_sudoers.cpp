// libFuzzer target for the sudoers scanner, parser (with gram.y's error
// recovery), Defaults value validation, option values (TIMEOUT, NOTBEFORE,
// NOTAFTER), digests, the regular-expression guard and evaluation (time
// windows, host addresses known and unknown, alias cycles): any bytes must
// parse (errors with file:line) and evaluate without crashing, hanging or
// reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/regex_guard.hpp"
#include "sudoers/sudoers_eval.hpp"
#include "sudoers/sudoers_includes.hpp"
#include "sudoers/sudoers_parser.hpp"
#include "sudoers/sudoers_render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::sudoers;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseResult result = parse_sudoers(text, "/etc/sudoers");
  if (result.error && result.error->line < 0) __builtin_trap();
  if (result.error.has_value() == result.errors.empty()) __builtin_trap();
  if (result.error && result.error->describe() != result.errors.front().describe()) __builtin_trap();
  // The value parsers on the raw input too.
  (void)parse_timeout(text.substr(0, 64));
  (void)parse_gentime(text.substr(0, 64));
  (void)clinic_audit::regex_refusal(text.substr(0, 4096));
  (void)clinic_audit::regex_refusal(text.substr(0, 4096), clinic_audit::RegexSyntax::basic);

  // Evaluate what was parsed, as a one-file tree.
  const bool refused_regexes = !result.refused_regexes.empty();
  SudoersTree tree;
  LoadedFile file;
  file.path = "/etc/sudoers";
  tree.add_file(std::move(file), std::move(result.parsed));
  (void)validate_tree(tree);
  // Digests: a fixed file content for most paths, one path unreadable, one
  // absent, so that match, mismatch and unknown are all reached.
  const FileDigester digester = [](const std::string& path, const std::string& algorithm) -> FileDigest {
    if (path == "/usr/bin/id") return {FileDigest::Status::unreadable, {}, "cannot read " + path};
    if (path == "/usr/sbin/service") return {FileDigest::Status::absent, {}, path + " does not exist"};
    return {FileDigest::Status::ok, std::string(digest_size(algorithm), '\x5a'), {}};
  };
  for (const auto& spec : tree.user_specs) {
    for (const auto& priv : spec.privileges) {
      for (const auto& cs : priv.commands) {
        for (const auto& d : *cs.command.digests) (void)decode_sudoers_digest(d);
      }
    }
  }
  (void)shell_is_listed("/bin/bash", std::string(text.substr(0, 4096)));
  // The check evaluates nothing once a pattern was refused (it is an error):
  // neither does the fuzzer, or a pattern refused because the file's regcomp
  // budget was spent would be compiled here, up to 20 ms each, seconds under
  // ASan.
  if (refused_regexes) return 0;
  Evaluator evaluator(tree, PathResolver{}, digester);
  evaluator.set_now(1700000000);  // fixed: NOTBEFORE/NOTAFTER judged reproducibly
  const UserIdentity web{"www-data", 33, {"www-data"}, {33}};
  const UserIdentity root{"root", 0, {"root"}, {0}};
  const HostIdentity host{"cabinet", "cabinet.example.org", std::nullopt, true};
  for (const LeafCommand& leaf : evaluator.commands_for(web, host)) (void)render_grant(leaf);
  (void)evaluator.lookup(web, host, root, "/home/EHR/apicrypt/bin/apicrypt", std::nullopt);
  (void)evaluator.lookup(web, host, root, "/usr/sbin/service", std::string("compagnonApicrypt restart"));
  (void)evaluator.specs_mentioning(web);
  HostIdentity live = host;
  live.interfaces = std::vector<std::pair<std::string, std::string>>{{"192.0.2.10", ""}, {"2001:db8::1", ""}};
  live.networks_match_when_unknown = false;
  (void)evaluator.lookup(web, live, root, "/usr/bin/id", std::string("-u"));
  (void)evaluator.commands_for(web, live);
  (void)evaluator.authenticate_by_default(web, live, root);
  (void)evaluator.defaults_flag("runas_check_shell", false, web, live, root);
  evaluator.set_grant_when_unknown(true);
  (void)evaluator.lookup(web, host, root, "/usr/bin/id", std::nullopt);
  (void)evaluator.lookup(web, host, root, "/bin/true", std::nullopt);
  (void)evaluator.take_undecided();
  (void)evaluator.take_digest_mismatches();
  return 0;
}
