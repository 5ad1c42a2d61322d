#include <string_view>

#include "sqlite_storage.hpp"
#include "storage.hpp"
#ifdef CA_COLLECTOR_POSTGRES
#include "postgres_storage.hpp"
#endif

namespace clinic_audit::collector {

const char* to_string(TokenRefusal refusal) {
  switch (refusal) {
    case TokenRefusal::unknown: return "unknown token";
    case TokenRefusal::expired: return "expired token";
    case TokenRefusal::revoked: return "revoked token";
    case TokenRefusal::used_up: return "token already used up";
  }
  return "refused token";
}

std::optional<TokenRefusal> token_refusal(const TokenRow& token, std::int64_t now) {
  if (token.revoked_at) return TokenRefusal::revoked;
  if (token.expires_at && *token.expires_at < now) return TokenRefusal::expired;
  if (token.uses >= token.uses_allowed) return TokenRefusal::used_up;
  return std::nullopt;
}

std::unique_ptr<Storage> open_storage(const std::string& url) {
  const std::string_view text(url);
  if (text.starts_with("sqlite:")) {
    const std::string path(text.substr(7));
    if (path.empty()) throw StorageError("database url \"sqlite:\" names no file");
    return std::make_unique<SqliteStorage>(path);
  }
#ifdef CA_COLLECTOR_POSTGRES
  if (text.starts_with("postgresql://") || text.starts_with("postgres://"))
    return std::make_unique<PostgresStorage>(url);
#endif
  throw StorageError("unsupported database url (expected sqlite:PATH or postgresql://...)");
}

}  // namespace clinic_audit::collector
