// Reads a sudoers tree the way sudo does (toke.l push_include()/switch_dir(),
// sudoers.c open_sudoers()), always inside the audited root:
//   - a relative include is relative to the directory of the including file;
//   - "%h" in an include path is the short host name;
//   - @includedir reads the regular files of the directory in byte order and
//     skips names that contain '.' or end in '~'; a missing directory is not
//     an error, a missing @include file is;
//   - a file or directory that is not owned by root, is world-writable, or is
//     group-writable with a group other than root is refused by sudo
//     (sudo_secure_path()): a refused @includedir or file in it is skipped,
//     a refused @include file or main file makes sudo fail;
//   - more than 128 nested includes is sudo's "too many levels of includes".
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/root_fs.hpp"
#include "sudoers_ast.hpp"
#include "sudoers_parser.hpp"

namespace clinic_audit::sudoers {

// A file sudo reads. Its entries are kept in the tree (SudoersTree::
// user_specs...), not per file: 100,000 one-rule files must not carry
// 100,000 sets of empty vectors (issue #20 item 4).
struct LoadedFile {
  SharedText path;  // as sudo names it (include path after expansion); shared with its entries
  FileType type = FileType::unknown;
  mode_t mode = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  OptionalText acl_xattr;  // FileInfo::acl_xattr, when not empty (rare: one pointer)
  FileInfo info() const { return {path, type, mode, uid, gid, 0, acl_xattr ? *acl_xattr : std::string()}; }
};

// A file or directory sudo does not read, and why.
struct IgnoredPath {
  std::string path;
  std::string reason;
  std::string included_from;  // file of the include directive
  int line = 0;               // line of the include directive
  bool warns = true;          // sudo prints a warning (false: skipped silently, e.g. a name with '.')
};

// One entry of the whole tree in sudo's reading order.
struct OrderedEntry {
  std::uint32_t file = 0;  // index into SudoersTree::files
  Entry entry;             // index into the tree's vector of that kind
};

constexpr std::size_t kMaxIgnoredKept = 64;
constexpr std::size_t kMaxErrorsKept = 256;

struct SudoersTree {
  // In the order sudo reads them. A deque: 100,000 files grow it without
  // copying it, nor leaving twice its size unused (issue #20 item 4).
  std::deque<LoadedFile> files;
  // Every entry sudo keeps, by kind, and in sudo's reading order (includes
  // expanded in place). Deques: no copy nor spare half when they grow.
  std::deque<UserSpec> user_specs;
  std::deque<Alias> aliases;
  std::deque<DefaultsEntry> defaults_entries;
  std::deque<OrderedEntry> order;
  std::vector<IgnoredPath> ignored;  // the first kMaxIgnoredKept files sudo skips with a warning
  std::size_t ignored_omitted = 0;   // how many more were skipped (not kept: bounded memory)
  // Every error visudo -c reports, in its order; sudo recovers from each
  // (the entry is dropped, the rest used) unless `fatal` is set.
  std::vector<SyntaxError> errors;  // the first kMaxErrorsKept
  std::size_t errors_omitted = 0;
  std::optional<SyntaxError> error;  // errors.front(): what visudo -c names first
  std::optional<SyntaxError> fatal;  // sudo refuses to run (main file missing, unreadable, insecure)
  // What the auditor could not read or evaluate (a file it may not read, its
  // own memory cap, a regular expression regcomp() would choke on): the tree
  // cannot be judged. Never a pass.
  std::vector<SyntaxError> unevaluable;

  const UserSpec& user_spec(const OrderedEntry& e) const { return user_specs[e.entry.index]; }
  const Alias& alias(const OrderedEntry& e) const { return aliases[e.entry.index]; }
  const DefaultsEntry& defaults(const OrderedEntry& e) const { return defaults_entries[e.entry.index]; }

  // Appends a parsed file as read without includes (its include entries are
  // left out): what tests and the fuzz target evaluate.
  void add_file(LoadedFile file, ParsedFile&& parsed);
};

struct LoadOptions {
  std::string short_hostname;       // for %h
  std::size_t max_files = 1000000;  // files read; beyond: unevaluable (sudo has no limit)
  // sudo refuses insecure files (sudoers.c open_sudoers()); visudo and
  // cvtsudoers open them anyway (their open_sudoers() is a plain fopen()).
  // Insecure include directories are skipped by all three (toke.l).
  bool refuse_insecure_files = true;
  std::size_t max_total_bytes = 24u << 20;  // text of all files together; beyond: unevaluable
};

SudoersTree load_sudoers(const RootFs& fs, std::string_view main_path, const LoadOptions& options);

// Why sudo would refuse this file or directory, or nullopt when it accepts it
// (sudo_check_secure() with sudoers_uid 0, sudoers_gid 0).
std::optional<std::string> sudo_refuses(const FileInfo& info, bool directory);

// Global checks visudo -c makes after parsing every file: Defaults that sudo
// does not know or values it does not accept (duplicate aliases are parse
// errors: alias_add() fails in gram.y).
std::vector<SyntaxError> validate_tree(const SudoersTree& tree);

}  // namespace clinic_audit::sudoers
