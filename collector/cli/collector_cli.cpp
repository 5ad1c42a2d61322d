#include "collector_cli.hpp"

#include <algorithm>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "collector_config.hpp"
#include "dashboard.hpp"
#include "enroll_service.hpp"
#include "export.hpp"
#include "ingest_service.hpp"
#include "keygen.hpp"
#include "pki.hpp"
#include "router.hpp"
#include "retention_task.hpp"
#include "server.hpp"
#include "signature_check.hpp"
#include "signing_error.hpp"
#include "storage.hpp"
#include "user_cli.hpp"
#include "store_verify.hpp"

namespace clinic_audit::collector {
namespace {

// Report schemas: beside the sources in a build tree, else installed.
std::filesystem::path schema_directory() {
  const std::filesystem::path in_tree = std::filesystem::path(CA_SOURCE_DIR) / "agent" / "schemas";
  if (std::filesystem::exists(in_tree / "report.xsd")) return in_tree;
  // The collector package ships its own copy (the agent package owns schemas/).
  return std::filesystem::path(CA_INSTALL_DATADIR) / "collector-schemas";
}

signing::SchemaChecker load_schemas() {
  const auto dir = schema_directory();
  return signing::SchemaChecker(dir / "report.xsd", dir / "report.schema.json");
}

std::unique_ptr<Storage> open_migrated(const CollectorConfig& config) {
  // Only `init` creates the SQLite file: another command run as root (token
  // create, say) made a root-owned database that the service's own user then
  // could not write (clinic-audit-collector(8), FIRST START).
  if (std::string_view(config.database_url).starts_with("sqlite:")) {
    const std::filesystem::path file = config.database_url.substr(7);
    std::error_code error;
    if (!std::filesystem::exists(file, error)) {
      throw ConfigError(config.file.string() + ":0: no database at " + file.string() +
                        " yet: create it first, as the service's user: runuser -u clinic-audit-collector -- "
                        "clinic-audit-collector init --create-ca");
    }
  }
  auto storage = open_storage(config.database_url);
  const int version = storage->schema_version();
  if (version > kSchemaVersion) {
    throw ConfigError(config.file.string() + ":0: the database is at schema version " + std::to_string(version) +
                      ", newer than this collector's " + std::to_string(kSchemaVersion) +
                      ": upgrade clinic-audit-collector (init never downgrades a database)");
  }
  if (version != kSchemaVersion) {
    throw ConfigError(config.file.string() + ":0: the database is at schema version " + std::to_string(version) +
                      ", this collector needs " + std::to_string(kSchemaVersion) + ": run clinic-audit-collector init");
  }
  return storage;
}

// The dashboard (collector/dashboard) answers every route that is not the
// ingest API, /healthz or /metrics: its own types, converted here.
FallbackRoute dashboard_route(dashboard::Dashboard& board) {
  return [&board](const Request& request) {
    dashboard::WebRequest web;
    web.method = std::string(request.method);
    web.target = std::string(request.target);
    web.body = std::string(request.body);
    web.peer = std::string(request.peer);
    if (request.headers) {
      for (const auto& [name, value] : *request.headers) web.headers.emplace(name, value);
    }
    dashboard::WebResponse response = board.handle(web, std::time(nullptr));
    Answer answer;
    answer.status = response.status;
    answer.outcome = "dashboard";
    answer.content_type = "text/plain; charset=utf-8";
    for (auto& [name, value] : response.headers) {
      if (name == "Content-Type") {
        answer.content_type = value;
      } else {
        answer.headers.emplace_back(std::move(name), std::move(value));
      }
    }
    answer.body = std::move(response.body);
    return answer;
  };
}

void setup_logging() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  // systemd's journal stamps each line; a terminal user wants the time too.
  sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  auto logger = std::make_shared<spdlog::logger>("clinic-audit-collector", sink);
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

int serve(const CollectorConfig& config) {
  setup_logging();
  // Named here, exit 65: OpenSSL's own error ("use_certificate_chain_file:
  // asio.ssl error", exit 70) named neither the file nor the fix.
  for (const auto& [file, what] : {std::pair{config.tls_cert, "server certificate"}, {config.tls_key, "server key"}}) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) {
      throw ConfigError(config.file.string() + ":0: the " + what + " " + file.string() +
                        " does not exist: create it with init --create-ca (as the service's user) or name it in "
                        "<tls cert=\"...\" key=\"...\"/>");
    }
  }
  auto storage = open_migrated(config);
  const signing::X509StorePtr store = signing::load_ca_store(config.ca_cert);
  const signing::SchemaChecker schemas = load_schemas();
  std::shared_ptr<const CertificateAuthority> ca;
  std::error_code error;
  if (config.enrolment && std::filesystem::exists(config.ca_key, error)) {
    ca = std::make_shared<CertificateAuthority>(config.ca_cert, config.ca_key);
  } else if (config.enrolment) {
    spdlog::warn("enrolment disabled: no CA key at {} (sign CSRs with openssl ca, or run init --create-ca)",
                 config.ca_key.string());
  }
  IngestService ingest(*storage, store.get(), schemas);
  EnrollService enroll(*storage, ca, config.certificate_days);
  Metrics metrics;
  Router router(*storage, ingest, enroll, metrics, config.stale_after_days);
  dashboard::DashboardConfig board_config;
  board_config.database_url = config.database_url;
  board_config.stale_after_seconds = static_cast<std::int64_t>(config.stale_after_days) * 86400;
  dashboard::Dashboard board(board_config);
  router.set_fallback(dashboard_route(board));
  Server server(config, router, metrics);
  // <retention days>: pruned at start, then hourly, beside the ingest.
  const RetentionTask retention(*storage, config.retention_days, std::chrono::hours(1));
  server.run();
  // Reports still being committed are answered (into the stopped server,
  // which drops the answers) before the router and server go away.
  storage->drain();
  spdlog::info("clinic-audit-collector stopped");
  return kExitOk;
}

int init(const CollectorConfig& config, bool create_ca, std::ostream& out) {
  // 0750 for a directory init creates; one that exists keeps the mode its
  // administrator (or the package's postinst) gave it.
  if (std::filesystem::create_directories(config.data_dir)) {
    std::filesystem::permissions(config.data_dir, std::filesystem::perms::owner_all |
                                                      std::filesystem::perms::group_read |
                                                      std::filesystem::perms::group_exec);
  }
  if (create_ca) {
    const std::string hostname = signing::local_hostname();
    try {
      create_ca_and_server_cert({config.ca_cert, config.ca_key, config.tls_cert, config.tls_key}, hostname);
    } catch (const ExistingPki& existing) {
      throw ConfigError(config.file.string() + ":0: " + existing.what());
    }
    out << "created the regional CA " << config.ca_cert.string() << " (key " << config.ca_key.string() << ")\n"
        << "created the server certificate " << config.tls_cert.string() << " for " << hostname
        << ", localhost, 127.0.0.1, ::1\n";
  }
  auto storage = open_storage(config.database_url);
  const int before = storage->schema_version();
  storage->migrate();
  dashboard::migrate_dashboard_database(config.database_url);
  out << "database at schema version " << storage->schema_version()
      << (before == kSchemaVersion ? " (already current)"
          : before == 0            ? " (created)"
                                   : " (upgraded)")
      << "\n";
  return kExitOk;
}

std::string token_state(const TokenRow& token, std::int64_t now) {
  const auto refusal = token_refusal(token, now);
  if (!refusal) return "active";
  switch (*refusal) {
    case TokenRefusal::revoked: return "revoked";
    case TokenRefusal::expired: return "expired";
    case TokenRefusal::used_up: return "used up";
    case TokenRefusal::unknown: break;
  }
  return "unknown";
}

}  // namespace

int run_collector_cli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"clinic-audit-collector: regional collection of signed clinic-audit reports", "clinic-audit-collector"};
  app.require_subcommand(1);
  std::string config_path = kDefaultCollectorConfig;
  app.add_option("--config", config_path, "collector configuration (XML)")->capture_default_str();

  auto* serve_cmd = app.add_subcommand("serve", "Serve HTTPS: ingest API, enrolment, /metrics, /healthz");
  auto* init_cmd = app.add_subcommand("init", "Create or migrate the database (and with --create-ca a regional CA)");
  bool create_ca = false;
  init_cmd->add_flag("--create-ca", create_ca, "create the regional CA and the server certificate");

  auto* token_cmd = app.add_subcommand("token", "Enrolment tokens");
  token_cmd->require_subcommand(1);
  auto* token_create =
      token_cmd->add_subcommand("create", "Create a token; the secret is printed alone on the last line");
  std::string expires, site;
  int uses = 1;
  token_create->add_option("--expires", expires, "last valid day (YYYY-MM-DD, UTC) or RFC 3339 time; default 7 days");
  token_create->add_option("--uses", uses, "how many enrolments it allows")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  token_create->add_option("--site", site, "site label given to the hosts enrolled with it");
  token_cmd->add_subcommand("list", "List tokens (never their secrets)");
  auto* token_revoke = token_cmd->add_subcommand("revoke", "Revoke a token");
  std::int64_t token_id = 0;
  token_revoke->add_option("ID", token_id, "token id (from token list)")->required();

  auto* export_cmd =
      app.add_subcommand("export", "Export results (each host's latest report at or before --at) or --history");
  std::string format = "csv", at;
  std::vector<std::string> policies;
  std::string host;
  bool history = false;
  export_cmd->add_option("--format", format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  export_cmd->add_option("--at", at, "date (YYYY-MM-DD: end of that day UTC) or RFC 3339 time; default now");
  export_cmd->add_option("--policy", policies, "only this policy's results (repeatable)");
  export_cmd->add_option("--host", host, "only this machine-id");
  export_cmd->add_flag("--history", history, "one row per stored report");
  std::string originals;
  export_cmd->add_option("--originals", originals,
                         "also write the selected reports' exact bytes and .p7s signatures to DIR");
  app.add_subcommand("verify", "Re-verify every stored report and chain");
  dashboard::UserCommand user_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << (app.get_subcommands().empty() ? app.help() : app.get_subcommands().back()->help());
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& error) {
    err << "clinic-audit-collector: " << error.what() << "\n(see --help)\n";
    return kExitUsage;
  }

  try {
    const CollectorConfig config = load_collector_config(config_path);
    if (*serve_cmd) return serve(config);
    if (*init_cmd) return init(config, create_ca, out);
    const std::int64_t now = std::time(nullptr);
    if (user_command.selected()) {
      open_migrated(config);
      return user_command.run(config.database_url, now, std::cin, out, err);
    }
    if (*token_cmd) {
      auto storage = open_migrated(config);
      if (*token_create) {
        TokenRow token;
        token.created_at = now;
        token.site = site;
        token.uses_allowed = uses;
        token.expires_at = now + 7 * 86400;
        if (!expires.empty()) {
          token.expires_at = parse_date_arg(expires);
          if (!token.expires_at) {
            err << "clinic-audit-collector: --expires " << expires << ": expected YYYY-MM-DD or an RFC 3339 time\n";
            return kExitUsage;
          }
          if (*token.expires_at <= now) {
            err << "clinic-audit-collector: --expires " << expires << " is already past ("
                << utc_text(*token.expires_at) << "): the token could never be used\n";
            return kExitUsage;
          }
        }
        // The label is printed in `token list`'s tab-separated lines and
        // on the dashboard: a tab or a line break would forge a column or a row.
        if (std::any_of(site.begin(), site.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == '\x7f'; })) {
          err << "clinic-audit-collector: --site must not contain control characters (tab, line break...)\n";
          return kExitUsage;
        }
        const std::string secret = new_token_secret();
        token.secret_sha256 = token_hash(secret);
        const auto id = storage->create_token(token);
        out << "token " << id << " for site \"" << site << "\": " << uses << " use(s), valid until "
            << utc_text(*token.expires_at) << "\n"
            << secret << "\n";
        return kExitOk;
      }
      if (token_cmd->got_subcommand("list")) {
        out << "id\tsite\tcreated\texpires\tuses\tstate\n";
        for (const auto& token : storage->tokens()) {
          out << token.id << "\t" << token.site << "\t" << utc_text(token.created_at) << "\t"
              << (token.expires_at ? utc_text(*token.expires_at) : "-") << "\t" << token.uses << "/"
              << token.uses_allowed << "\t" << token_state(token, now) << "\n";
        }
        return kExitOk;
      }
      if (!storage->revoke_token(token_id, now)) {
        err << "clinic-audit-collector: no token " << token_id << "\n";
        return kExitUsage;
      }
      out << "token " << token_id << " revoked\n";
      return kExitOk;
    }
    if (*export_cmd) {
      auto storage = open_migrated(config);
      ExportOptions options;
      options.format = format == "json" ? ExportOptions::Format::json : ExportOptions::Format::csv;
      options.at = now;
      if (!at.empty()) {
        const auto when = parse_date_arg(at);
        if (!when) {
          err << "clinic-audit-collector: --at " << at << ": expected YYYY-MM-DD or an RFC 3339 time\n";
          return kExitUsage;
        }
        options.at = *when;
      }
      // --history lists reports with their counts over every policy they
      // hold: a policy filter there would say nothing (it was ignored).
      if (history && !policies.empty()) {
        err << "clinic-audit-collector: --policy selects results, one row per host and check; --history lists whole "
               "reports: use one or the other\n";
        return kExitUsage;
      }
      options.policies = policies;
      if (!host.empty()) options.machine_id = host;
      options.history = history;
      if (!originals.empty()) {
        // Checked before anything is written: a file there left a CSV header
        // on stdout and then an internal error.
        std::error_code error;
        if (std::filesystem::exists(originals, error) && !std::filesystem::is_directory(originals, error)) {
          err << "clinic-audit-collector: --originals " << originals << " exists and is not a directory\n";
          return kExitUsage;
        }
        options.originals_dir = originals;
      }
      run_export(*storage, options, out);
      return kExitOk;
    }
    auto storage = open_migrated(config);
    const signing::X509StorePtr store = signing::load_ca_store(config.ca_cert);
    return verify_store(*storage, store.get(), load_schemas(), out);
  } catch (const ConfigError& error) {
    err << "clinic-audit-collector: " << error.what() << "\n";
    return kExitConfig;
  } catch (const signing::SigningError& error) {
    err << "clinic-audit-collector: " << error.what() << "\n";
    return error.exit_code() == signing::kExitUsage ? kExitUsage : kExitConfig;
  } catch (const StorageError& error) {
    err << "clinic-audit-collector: database: " << error.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& error) {
    err << "clinic-audit-collector: " << error.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace clinic_audit::collector
