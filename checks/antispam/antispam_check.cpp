#include "antispam_check.hpp"
#include "i18n.hpp"

#include <charconv>

#include "filters.hpp"
#include "system_error_text.hpp"

namespace clinic_audit {
namespace {

bool parse_sender_address_ok(const std::string& text) { return antispam::parse_sender(text).has_value(); }

using antispam::FilterState;
using antispam::FilterVerdict;

class AntispamCheck final : public Check {
 public:
  explicit AntispamCheck(const Params& params) {
    const std::string& sender = params.required("sender");
    auto parsed = antispam::parse_sender(sender);
    if (!parsed) throw ParamError("sender", "parameter 'sender' must be an address local@domain, not '" + sender + "'");
    options_.sender = *parsed;
    // "name [ip]", "name" or "[ip]", as in a Received header's TCP-info.
    for (const std::string& part : antispam::split_ws(params.get_or("relay", ""))) {
      if (part.size() > 2 && part.front() == '[' && part.back() == ']') {
        options_.relay_ip = part.substr(1, part.size() - 2);
      } else if (options_.relay.empty() && part.find_first_of("[]") == std::string::npos) {
        options_.relay = antispam::ascii_lower(part);
      } else {
        throw ParamError("relay", "parameter 'relay' must be \"name\", \"[ip]\" or \"name [ip]\", not '" +
                                      params.get_or("relay", "") + "'");
      }
    }
    // Default false (issue #17 item 3): welcomelist_auth only applies when SPF
    // or DKIM passes at delivery, which depends on the sender's DNS; a site
    // that has verified it passes says authenticated=true.
    options_.authenticated = params.flag("authenticated", false);
    if (auto recipient = params.optional("recipient")) {
      if (!parse_sender_address_ok(*recipient)) {
        throw ParamError("recipient",
                         "parameter 'recipient' must be an address local@domain, not '" + *recipient + "'");
      }
      options_.recipient = antispam::ascii_lower(*recipient);
    }
    if (auto score = params.optional("whitelist_score")) {
      double value = 0;
      auto [ptr, ec] = std::from_chars(score->data(), score->data() + score->size(), value);
      if (score->empty() || ec != std::errc{} || ptr != score->data() + score->size() || value >= 0) {
        throw ParamError("whitelist_score",
                         "parameter 'whitelist_score' must be a negative number, not '" + *score + "'");
      }
      options_.whitelist_score = value;
    }
  }

  Outcome run(const Context& context) const override {
    using Evaluator = std::optional<FilterVerdict> (*)(const RootFs&, const antispam::SenderOptions&);
    const std::pair<const char*, Evaluator> evaluators[] = {{"SpamAssassin", antispam::evaluate_spamassassin},
                                                            {"rspamd", antispam::evaluate_rspamd},
                                                            {"Postfix", antispam::evaluate_postfix},
                                                            {"amavisd-new", antispam::evaluate_amavis},
                                                            {"postgrey", antispam::evaluate_postgrey}};
    std::vector<FilterVerdict> verdicts;
    for (const auto& [name, evaluate] : evaluators) {
      try {
        if (auto verdict = evaluate(context.fs(), options_)) verdicts.push_back(std::move(*verdict));
      } catch (const std::exception& e) {
        const std::string why = i18n::exception_text(e);
        verdicts.push_back(
            {name, FilterState::error, tr("{0} could not be evaluated: {1}", name, why), {}, {}, {}, {}});
      }
    }
    const std::string& addr = options_.sender.address;
    if (verdicts.empty()) {
      return Outcome::not_applicable(
          tr("no mail filter is configured on this machine (looked for SpamAssassin, rspamd, "
             "Postfix, amavisd-new and postgrey configuration): nothing can filter {0}",
             addr));
    }
    std::vector<std::string> blocking;
    std::vector<std::string> errors;
    std::vector<std::string> error_steps;
    std::vector<std::string> letting_through;
    std::vector<std::string> informational;
    Outcome outcome;
    for (const FilterVerdict& v : verdicts) {
      for (const Evidence& e : v.evidence) {
        outcome.evidence.push_back({e.path, e.line, "[" + v.filter + "] " + e.observed, e.expected});
      }
      switch (v.state) {
        case FilterState::not_whitelisted:
          blocking.push_back(v.summary);
          if (!outcome.remediation.empty()) outcome.remediation += "\n";
          outcome.remediation += v.remediation;
          for (const std::string& command : v.remediation_commands) outcome.remediation_commands.push_back(command);
          outcome.evidence.push_back(
              {"", std::nullopt, "[" + v.filter + "] " + v.summary, tr("{0} whitelisted", addr)});
          break;
        case FilterState::error:
          errors.push_back(v.summary);
          outcome.evidence.push_back(
              {"", std::nullopt, "[" + v.filter + "] " + v.summary, _("a configuration that can be read")});
          if (!v.remediation.empty()) error_steps.push_back(v.remediation);
          break;
        case FilterState::whitelisted:
          letting_through.push_back(v.condition.empty() ? v.filter : v.filter + " (" + v.condition + ")");
          break;
        case FilterState::not_filtering:
          informational.push_back(v.filter);
          outcome.evidence.push_back({"", std::nullopt, "[" + v.filter + "] " + v.summary, _("information only")});
          break;
      }
    }
    const auto join = [](const std::vector<std::string>& items) {
      std::string out;
      for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
      return out;
    };
    if (!blocking.empty()) {
      outcome.status = Status::fail;
      std::string reasons;
      for (const auto& reason : blocking) reasons += (reasons.empty() ? "" : "; ") + reason;
      outcome.summary = reasons + (letting_through.empty() ? "" : tr(" (whitelisted by {0})", join(letting_through)));
      return outcome;
    }
    if (!errors.empty()) {
      // Never pass (issue #20): a filter that could not be read decides nothing.
      outcome.status = Status::error;
      outcome.summary = errors.front();
      for (const std::string& step : error_steps)
        outcome.remediation += (outcome.remediation.empty() ? "" : "\n") + step;
      return outcome;
    }
    if (letting_through.empty()) {
      outcome.status = Status::not_applicable;
      outcome.summary =
          tr("no installed mail software filters senders ({0}): nothing to whitelist", join(informational));
      return outcome;
    }
    outcome.status = Status::pass;
    outcome.summary = tr("{0} is let through by every mail filter: {1}", addr, join(letting_through));
    return outcome;
  }

 private:
  antispam::SenderOptions options_;
};

}  // namespace

CheckType antispam_check_type() {
  return {"antispam",
          N_("a sender is whitelisted by every mail filter installed (SpamAssassin, rspamd, Postfix, amavisd-new)"),
          false, [](const Params& params) { return std::make_unique<AntispamCheck>(params); }};
}

}  // namespace clinic_audit
