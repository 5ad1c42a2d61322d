#include "i18n.hpp"

#include <atomic>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>

#include "mo_catalog.hpp"

namespace clinic_audit::i18n {
namespace {

constexpr const char* kDomain = "clinic-audit";
// A catalog is small (tens of KiB); a larger file is not ours.
constexpr std::uintmax_t kMaxCatalogBytes = 8U << 20U;

std::atomic<Language> current_language{Language::en};
std::atomic<const MoCatalog*> current_catalog{nullptr};

std::mutex catalogs_mutex;
// Loaded catalogs are never freed: translate() hands out pointers into them.
std::deque<MoCatalog>& loaded_catalogs() {
  static std::deque<MoCatalog> catalogs;
  return catalogs;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

std::optional<std::string> load_catalog(const std::filesystem::path& file, const MoCatalog*& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return file.string() + ": no such catalog";
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxCatalogBytes) return file.string() + ": unreadable or too large";
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return file.string() + ": read error";
  std::string why;
  auto catalog = MoCatalog::parse(std::move(bytes), &why);
  if (!catalog) return file.string() + ": " + why;
  std::lock_guard lock(catalogs_mutex);
  out = &loaded_catalogs().emplace_back(std::move(*catalog));
  return std::nullopt;
}

}  // namespace

std::string_view code(Language language) { return language == Language::fr ? "fr" : "en"; }

std::optional<Language> parse_language(std::string_view name) {
  const std::string text = lower(name);
  if (text == "c" || text == "posix" || text.starts_with("c.")) return Language::en;
  // Language part of language[_territory][.codeset][@modifier].
  const std::string language = text.substr(0, text.find_first_of("_.@-"));
  if (language == "fr" || language == "fra" || language == "fre" || language == "french" || language == "francais" ||
      language == "français")
    return Language::fr;
  if (language == "en" || language == "eng" || language == "english") return Language::en;
  return std::nullopt;
}

Language language_from_environment() {
  const char* locale = environment("LC_ALL");
  if (!locale) locale = environment("LC_MESSAGES");
  if (!locale) locale = environment("LANG");
  if (!locale) return Language::en;
  const auto from_locale = parse_language(locale);
  const std::string name = lower(locale);
  const bool c_locale = name == "c" || name == "posix";
  if (!c_locale) {
    if (const char* list = environment("LANGUAGE")) {
      std::istringstream entries(list);
      for (std::string entry; std::getline(entries, entry, ':');) {
        if (const auto language = parse_language(entry); language && !entry.empty()) return *language;
      }
    }
  }
  return from_locale.value_or(Language::en);
}

std::filesystem::path locale_directory() {
  if (const char* dir = environment("CLINIC_AUDIT_LOCALEDIR")) return dir;
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path build_dir = CA_BUILD_DIR;
  if (!ec) {
    const auto rel = self.lexically_relative(build_dir);
    if (!rel.empty() && *rel.begin() != "..") return build_dir / "locale";
  }
  return CA_LOCALEDIR;
}

std::optional<std::string> set_language(Language language) {
  if (language == Language::en) {
    current_catalog.store(nullptr);
    current_language.store(Language::en);
    return std::nullopt;
  }
  const MoCatalog* catalog = nullptr;
  const auto file = locale_directory() / std::string(code(language)) / "LC_MESSAGES" / (std::string(kDomain) + ".mo");
  if (auto problem = load_catalog(file, catalog)) {
    current_catalog.store(nullptr);
    current_language.store(Language::en);
    return problem;
  }
  current_catalog.store(catalog);
  current_language.store(language);
  return std::nullopt;
}

Language language() { return current_language.load(); }

std::optional<std::string> choose_language(Language language, Source source) {
  static std::atomic<int> strongest{-1};
  if (static_cast<int>(source) < strongest.load()) return std::nullopt;
  strongest.store(static_cast<int>(source));
  return set_language(language);
}

const char* translate(const char* msgid) {
  const MoCatalog* catalog = current_catalog.load();
  if (catalog == nullptr || msgid == nullptr || *msgid == '\0') return msgid;
  const auto found = catalog->find(msgid);
  return found.empty() ? msgid : found.data();
}

const char* translate_in_context(std::string_view context, const char* msgid) {
  const MoCatalog* catalog = current_catalog.load();
  if (catalog == nullptr || msgid == nullptr || *msgid == '\0') return msgid;
  // A .mo file keys a message with a context as "CONTEXT\x04MSGID" (GNU
  // gettext manual, "The Format of GNU MO Files").
  std::string key(context);
  key += '\x04';
  key += msgid;
  const auto found = catalog->find(key);
  return found.empty() ? msgid : found.data();
}

const char* translate_plural(const char* singular, const char* plural, unsigned long n) {
  const MoCatalog* catalog = current_catalog.load();
  if (catalog == nullptr) return n == 1 ? singular : plural;
  // Plural-Forms of po/fr.po: nplurals=2; plural=(n > 1).
  const unsigned form = current_language.load() == Language::fr ? (n > 1 ? 1U : 0U) : (n != 1 ? 1U : 0U);
  const auto found = catalog->find(singular, form);
  if (found.empty()) return n == 1 ? singular : plural;
  return found.data();
}

}  // namespace clinic_audit::i18n
