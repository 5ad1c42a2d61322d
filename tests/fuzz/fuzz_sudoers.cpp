// libFuzzer target for the sudoers scanner, parser and evaluation: any bytes
// must parse (or fail with a file:line error) and evaluate without crashing,
// hanging or reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sudoers/sudoers_eval.hpp"
#include "sudoers/sudoers_includes.hpp"
#include "sudoers/sudoers_parser.hpp"
#include "sudoers/sudoers_render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace clinic_audit::sudoers;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseResult result = parse_sudoers(text, "/etc/sudoers");
  if (result.error && result.error->line < 0) __builtin_trap();

  // Evaluate what was parsed, as a one-file tree.
  SudoersTree tree;
  tree.files.push_back({"/etc/sudoers", {}, std::move(result.parsed)});
  for (const Entry& e : tree.files[0].parsed.entries) {
    if (e.kind != Entry::Kind::include) tree.order.push_back({0, e});
  }
  (void)validate_tree(tree);
  const Evaluator evaluator(tree);
  const UserIdentity web{"www-data", 33, {"www-data"}, {33}};
  const UserIdentity root{"root", 0, {"root"}, {0}};
  const HostIdentity host{"cabinet", "cabinet.example.org", std::nullopt, true};
  for (const LeafCommand& leaf : evaluator.commands_for(web, host)) (void)render_grant(leaf);
  (void)evaluator.lookup(web, host, root, "/home/EHR/apicrypt/bin/apicrypt", std::nullopt);
  (void)evaluator.lookup(web, host, root, "/usr/sbin/service", std::string("compagnonApicrypt restart"));
  (void)evaluator.specs_mentioning(web);
  return 0;
}
