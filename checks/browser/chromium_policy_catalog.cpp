// Where each Chromium-family browser reads its policies on Linux, and which
// policies of the Chromium policy list concern capture and WebRTC
// (declarations and their sources: chromium_policy.hpp).
#include "chromium_policy.hpp"
#include "i18n.hpp"

namespace clinic_audit::browser {

const std::vector<CapturePolicy>& capture_policies() {
  // Descriptions from the policy list (chromeenterprise.google/policies/#NAME).
  static const std::vector<CapturePolicy> list = {
      {"AudioCaptureAllowed", nullptr},
      {"AudioCaptureAllowedUrls", nullptr},
      {"VideoCaptureAllowed", nullptr},
      {"VideoCaptureAllowedUrls", nullptr},
      {"DefaultMediaStreamSetting", nullptr},
      {"ScreenCaptureAllowed", nullptr},
      {"ScreenCaptureAllowedByOrigins", nullptr},
      {"WindowCaptureAllowedByOrigins", nullptr},
      {"TabCaptureAllowedByOrigins", nullptr},
      {"SameOriginTabCaptureAllowedByOrigins", nullptr},
      {"WebRtcIPHandling", nullptr},
      {"WebRtcIPHandlingUrl", nullptr},
      {"WebRtcUdpPortRange", nullptr},  // reported for the firewall check
      // "Allow screen capture without prior user gesture": lets the listed
      // origins call getDisplayMedia() without a click; it only relaxes.
      {"ScreenCaptureWithoutGestureAllowedForOrigins", N_("only lifts the user-gesture requirement")},
      // "URLs for which local IPs are exposed in WebRTC ICE candidates"
      // (instead of mDNS names): only relaxes.
      {"WebRtcLocalIpsAllowedUrls", N_("only exposes local addresses in ICE candidates")},
      // Post-quantum key agreement in WebRTC's DTLS: offered next to the
      // classical groups, the peers negotiate; it blocks no connection.
      {"WebRtcPostQuantumKeyAgreement", N_("a DTLS key-agreement offer, negotiated with the peer")},
      // Log collection (event logs, text logs, diagnostics): no effect on media.
      {"WebRtcEventLogCollectionAllowed", N_("log collection only")},
      {"WebRtcTextLogCollectionAllowed", N_("log collection only")},
      {"WebRtcDiagnosticLogCollectionAllowedForOrigins", N_("log collection only")},
  };
  // Not in the list on purpose: DisplayCapturePermissionsPolicyEnabled (removed
  // from Chromium, absent from chromium 156's policy table; it only relaxed the
  // display-capture permissions-policy check), GetDisplayMediaSetSelectAllScreensAllowedForUrls
  // and MultiScreenCaptureAllowedForUrls (ChromeOS and isolated web apps only,
  // absent from the Linux table). There is no policy that removes
  // RTCPeerConnection in Chromium: WebRTC is judged by its UDP policies.
  return list;
}

std::string chromium_policy_dir(const std::string& id, const std::string& source) {
  // Ubuntu's chromium snap keeps the old package's directory (its snap plugs /etc/chromium-browser/policies).
  if (id == "chromium" && source == "snap") return "/etc/chromium-browser/policies";
  if (id == "chromium") return "/etc/chromium/policies";  // Debian's chromium (checked by the oracle test)
  if (id == "chrome") return "/etc/opt/chrome/policies";  // policy_templates, "Linux"
  if (id == "edge") return "/etc/opt/edge/policies";      // Microsoft Edge for Linux documentation
  if (id == "brave") return "/etc/brave/policies";        // Brave's policy documentation for Linux
  // Vivaldi: /etc/vivaldi/policies. Vivaldi documents no Linux directory and
  // none could be run here; what the sources say:
  //  - Vivaldi's published source up to Chromium 7x (ric2b/Vivaldi-browser,
  //    chromium/chrome/common/chrome_paths.cc, DIR_POLICY_FILES) kept
  //    Chromium's unbranded "/etc/chromium/policies" (VIVALDI_BUILD changed
  //    only the native-messaging directory there);
  //  - current packaging moved Vivaldi's /etc files under /etc/vivaldi
  //    (Gentoo's passff-host ebuild: /etc/vivaldi/native-messaging-hosts), and
  //    deployment tools and an AppArmor profile confining vivaldi-bin grant it
  //    /etc/vivaldi/policies/{managed,recommended}; "/etc/opt/vivaldi/policies",
  //    written by some tools by analogy with Chrome, appears in no Vivaldi source.
  // So /etc/vivaldi/policies is read, and a directory at /etc/opt/vivaldi/policies
  // is reported as not evaluated (vivaldi_unread_directory).
  if (id == "vivaldi") return "/etc/vivaldi/policies";
  // Opera reads no policy file on Linux: Opera publishes no policy templates
  // and says it supports no enterprise policies (forums.opera.com topic
  // 75035, "Installing and configuring Opera via GPO", cited by
  // NVFP4/chrome-debloat issue #15 and corbindavenport/just-the-browser issue
  // #76). Its camera/microphone/screen settings cannot be imposed by a file:
  // the check says so in the evidence and judges the browser by its version.
  return "";
}

std::optional<Evidence> vivaldi_unread_directory(const RootFs& fs) {
  const std::string dir = "/etc/opt/vivaldi/policies";
  std::string found;
  try {
    for (const char* level : {"/managed", "/recommended"}) {
      if (fs.exists(dir + level)) found += (found.empty() ? "" : ", ") + dir + level;
    }
  } catch (const FsError& e) {
    found = e.what();
  }
  if (found.empty()) return std::nullopt;
  return Evidence{dir, std::nullopt,
                  tr("{0}: not Vivaldi's policy directory (Vivaldi reads /etc/vivaldi/policies): not evaluated", found),
                  _("Vivaldi policies in /etc/vivaldi/policies")};
}

}  // namespace clinic_audit::browser
