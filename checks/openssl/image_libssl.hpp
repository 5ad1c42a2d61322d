// Under --root the OpenSSL configuration of the image is evaluated by the
// auditing machine's library (issue #17 item 4): say so, with the image's
// own libssl package version from its dpkg status, and flag a different
// major.minor (the defaults compiled into another release may differ).
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/root_fs.hpp"

namespace clinic_audit::openssl {

struct ImageLibssl {
  std::string package;  // "libssl3"
  std::string version;  // "3.0.15-1~deb12u1"
  int line = 0;         // of its Version: line in /var/lib/dpkg/status
};

// The installed libssl package of the image (the newest libsslN listed as
// "install ok installed"); nullopt when dpkg knows none.
std::optional<ImageLibssl> image_libssl(const RootFs& fs);

// "3.0" from "OpenSSL 3.0.15 3 Sep 2024" or from "3.0.15-1~deb12u1"; "" when none.
std::string major_minor(const std::string& text);

// Adds the evidence (and a note in the summary when major.minor differ).
void state_library_versions(const RootFs& fs, const std::string& auditing_library, Outcome& outcome);

}  // namespace clinic_audit::openssl
