#include "image_libssl.hpp"
#include "i18n.hpp"

#include <cctype>
#include <sstream>

namespace clinic_audit::openssl {

std::optional<ImageLibssl> image_libssl(const RootFs& fs) {
  // dpkg's status file: RFC 822-like stanzas (deb-status(5)).
  auto content = fs.read_file_if_exists("/var/lib/dpkg/status", 64 * 1024 * 1024);
  if (!content) return std::nullopt;
  std::istringstream in(*content);
  std::string line, package, version, status;
  int line_no = 0, version_line = 0;
  std::optional<ImageLibssl> best;
  auto finish = [&] {
    const bool libssl = package.rfind("libssl", 0) == 0 && package.size() > 6 &&
                        std::isdigit(static_cast<unsigned char>(package[6])) &&
                        package.find("-dev") == std::string::npos;
    if (libssl && status == "install ok installed" && (!best || package > best->package)) {
      best = ImageLibssl{package, version, version_line};
    }
    package.clear(), version.clear(), status.clear();
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) {
      finish();
      continue;
    }
    if (line.rfind("Package: ", 0) == 0) package = line.substr(9);
    if (line.rfind("Status: ", 0) == 0) status = line.substr(8);
    if (line.rfind("Version: ", 0) == 0) version = line.substr(9), version_line = line_no;
  }
  finish();
  return best;
}

std::string major_minor(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) continue;
    std::size_t j = i;
    while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
    if (j + 1 < text.size() && text[j] == '.' && std::isdigit(static_cast<unsigned char>(text[j + 1]))) {
      std::size_t k = j + 1;
      while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
      return text.substr(i, k - i);
    }
    i = j;
  }
  return {};
}

void state_library_versions(const RootFs& fs, const std::string& auditing_library, Outcome& outcome) {
  std::optional<ImageLibssl> image;
  try {
    image = image_libssl(fs);
  } catch (const FsError&) {
  }
  const std::string ours = major_minor(auditing_library);
  if (!image) {
    outcome.evidence.push_back({"/var/lib/dpkg/status", std::nullopt, _("no installed libssl package known to dpkg"),
                                tr("the level was computed by the auditing machine's {0}", auditing_library)});
    return;
  }
  const std::string theirs = major_minor(image->version);
  outcome.evidence.push_back({"/var/lib/dpkg/status", image->line,
                              tr("the image has {0} {1}", image->package, image->version),
                              tr("computed by the auditing machine's {0}", auditing_library)});
  if (!theirs.empty() && theirs != ours) {
    outcome.summary += tr(" [computed with OpenSSL {0} of the auditing machine; the image has {1} {2} ({3}): its "
                          "compiled-in defaults may differ, run the audit on that machine to be sure]",
                          ours, image->package, image->version, theirs);
  } else {
    outcome.summary += tr(" [computed with the auditing machine's OpenSSL {0}, the image's {1} is {2}]", ours,
                          image->package, image->version);
  }
}

}  // namespace clinic_audit::openssl
