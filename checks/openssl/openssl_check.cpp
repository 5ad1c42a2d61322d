#include "openssl_check.hpp"
#include "i18n.hpp"

#include "image_libssl.hpp"
#include "openssl_analysis.hpp"
#include "openssl_verdict.hpp"

namespace clinic_audit {
namespace openssl {
namespace {

class OpensslCheck final : public Check {
 public:
  OpensslCheck(const Params& params, ProbeCommand probe)
      : limits_{static_cast<int>(params.integer("min_level", 1, 0, 5)),
                static_cast<int>(params.integer("max_level", 5, 0, 5))},
        probe_(std::move(probe)) {
    // Without the parameter, the library's OPENSSLDIR is asked for in run(),
    // where the cache is known (conf_cache.hpp): no OpenSSL call here.
    if (params.has("config")) config_ = params.get_or("config", std::string());
    if (limits_.min_level > limits_.max_level) {
      throw ParamError("max_level", "parameter 'max_level' (" + std::to_string(limits_.max_level) +
                                        ") is below 'min_level' (" + std::to_string(limits_.min_level) + ")");
    }
    if (config_ && !config_->starts_with('/')) {
      throw ParamError("config", "parameter 'config' must be an absolute path inside the root, not '" + *config_ + "'");
    }
  }

  Outcome run(const Context& context) const override {
    Analysis analysis;
    std::optional<ProbeCacheSettings> cache;
    if (!context.cache_directory().empty()) {
      cache.emplace();
      cache->directory = context.cache_directory();
      cache->root = context.fs().root().string();
    }
    std::string config;
    try {
      config = config_ ? *config_ : default_config_path(cache);
      analysis = analyze(context.fs(), context.commands(), probe_, config, context.live(), cache);
    } catch (const LimitError& e) {
      throw CheckError(e.what(), e.origin().file, e.origin().line);
    } catch (const FsError& e) {
      throw CheckError(tr("cannot read the OpenSSL configuration: {0}", e.what()), e.path());
    } catch (const std::runtime_error& e) {
      throw CheckError(e.what(), config);
    }
    if (context.live() && !analysis.live) {
      throw CheckError(tr("cannot ask the running OpenSSL library: {0}", analysis.live_failure));
    }
    const std::optional<ProbeResult>& live = analysis.live;
    Outcome outcome = judge(analysis, live, limits_);
    if (!context.live()) state_library_versions(context.fs(), analysis.effective.library, outcome);
    return outcome;
  }

 private:
  LevelLimits limits_;
  std::optional<std::string> config_;  // the parameter; else OpenSSL's default file
  ProbeCommand probe_;
};

}  // namespace

std::unique_ptr<Check> make_openssl_check(const Params& params, ProbeCommand probe) {
  return std::make_unique<OpensslCheck>(params, std::move(probe));
}

}  // namespace openssl

CheckType openssl_check_type() {
  return {"openssl", N_("effective OpenSSL TLS security level and minimum protocol, as the library applies them"),
          false,
          [](const Params& params) { return openssl::make_openssl_check(params, openssl::default_probe_command()); }};
}

}  // namespace clinic_audit
