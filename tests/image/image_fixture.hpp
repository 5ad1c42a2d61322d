// The Debian 12 image fixture (issue #17): built once by build-image.sh and
// cached, extracted once beside its tarball, configured per case on an
// overlay by run-case.sh.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace clinic_audit::testing {

struct Captured {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell), with `env` added to the environment.
Captured run_program(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

class ImageFixture {
 public:
  // Builds or reuses the cached image; empty base() and a reason when that
  // cannot be done on this machine.
  static const ImageFixture& get();

  const std::filesystem::path& base() const { return base_; }
  const std::string& unavailable() const { return unavailable_; }

  // A case configured on its own overlay under `work`.
  void configure(const std::filesystem::path& work, const std::string& name) const;
  // clinic-audit ARGS --root IMAGE on the case's overlay.
  Captured agent(const std::filesystem::path& work, const std::vector<std::string>& args) const;
  // The lines of `commands` run by the image's own sh -e, chrooted in it.
  Captured apply(const std::filesystem::path& work, const std::vector<std::string>& commands) const;

 private:
  std::filesystem::path base_;
  std::string unavailable_;
};

std::filesystem::path image_tools_dir();

}  // namespace clinic_audit::testing
