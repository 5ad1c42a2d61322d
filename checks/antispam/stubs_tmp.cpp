#include "filters.hpp"
namespace clinic_audit::antispam {
std::optional<FilterVerdict> evaluate_rspamd(const RootFs&, const SenderOptions&) { return std::nullopt; }
std::optional<FilterVerdict> evaluate_amavis(const RootFs&, const SenderOptions&) { return std::nullopt; }
std::optional<FilterVerdict> evaluate_postgrey(const RootFs&, const SenderOptions&) { return std::nullopt; }
}
