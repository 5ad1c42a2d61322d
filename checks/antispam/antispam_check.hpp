// The `antispam` check type: is mail from a sender (the e-KerMed
// teleconsultation invitations, seed 000_454215b966676928.txt section 3:
// "Le sous-domaine visiotlm.esante-bretagne.fr devra être placé en liste
// blanche de l'antispam") let through by every mail filter this machine runs?
//
// Filters detected inside the audited root: SpamAssassin (/etc/spamassassin,
// /etc/mail/spamassassin), rspamd (/etc/rspamd local.d and override.d),
// Postfix (main.cf smtpd_*_restrictions and the tables they name),
// amavisd-new (/usr/share/amavis/conf.d, /etc/amavis/conf.d), postgrey.
// Each is judged with its own matching rules; the verdict names every filter
// that would still score or reject the sender, with the line to add.
//
// Parameters:
//   sender           the sender address (required)
//   relay            the relay that delivers it: "name [ip]", "name" or "[ip]"
//                    (optional; without it welcomelist_from_rcvd entries count,
//                    conditionally)
//   authenticated    whether the site has verified that the sender's mail
//                    passes SPF and DKIM at delivery (default false). Only then
//                    do welcomelist_auth and the other SPF/DKIM-bound entries
//                    count, and the pass says so: they depend on the sender's
//                    DNS and on SpamAssassin's network tests
//                    (`spamassassin -L -t` does not welcomelist with them).
//   recipient        a recipient of the invitations (amavisd-new looks
//                    @score_sender_maps up by recipient); without it every
//                    recipient the maps name is tried, the least favourable counts
//   whitelist_score  a weight at or below this counts as whitelisting: the
//                    sum of the SpamAssassin welcomelist rules that fire, after
//                    every score override; rspamd and amavisd-new score maps
//                    (default -10)
#pragma once

#include "common/check.hpp"

namespace clinic_audit {

CheckType antispam_check_type();

}  // namespace clinic_audit
