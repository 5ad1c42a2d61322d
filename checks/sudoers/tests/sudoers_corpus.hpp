// The differential corpus (tests/fixtures/sudoers/diff/), installed for a
// test: one copy shared by the tests that run sudo's own tools on it
// (visudo, cvtsudoers; in English and in French).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace clinic_audit::sudoers::testing {

std::filesystem::path corpus_dir();
std::vector<std::string> corpus_cases();

// This machine's host name up to its first dot, as sudo's %h and `Host` use it.
std::string short_hostname();

// Every occurrence of `from` in `text` replaced by `to`.
std::string replace_all(std::string text, const std::string& from, const std::string& to);

// Copies corpus case `name` into the test's fixture directory `fixture_name`:
// files root:root 0440, directories 0755, then the overrides of its `modes`
// file ("PATH MODE UID GID" a line); "@ROOT@" in a file becomes the copy's
// host path (for absolute includes), "@HOST@" in a file name the short host
// name (for "%h"). Returns the copy's directory.
std::filesystem::path install_corpus_case(const std::string& name, const std::string& fixture_name);

}  // namespace clinic_audit::sudoers::testing
