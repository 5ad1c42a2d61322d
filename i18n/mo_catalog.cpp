#include "mo_catalog.hpp"

#include <cstdint>

namespace clinic_audit::i18n {
namespace {

constexpr std::uint32_t kMagic = 0x950412deU;
constexpr std::uint32_t kMagicSwapped = 0xde120495U;

struct Reader {
  std::string_view bytes;
  bool swapped = false;

  std::optional<std::uint32_t> word(std::size_t offset) const {
    if (offset > bytes.size() || bytes.size() - offset < 4) return std::nullopt;
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const auto byte = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + i]));
      // Little-endian reading; a swapped magic means the file is big-endian.
      value |= swapped ? byte << (8 * (3 - i)) : byte << (8 * i);
    }
    return value;
  }

  // Entry `index` of the table at `table`: the string, NUL excluded.
  std::optional<std::string_view> string(std::uint32_t table, std::uint32_t index) const {
    const std::uint64_t at = std::uint64_t{table} + std::uint64_t{index} * 8;
    if (at + 8 > bytes.size()) return std::nullopt;
    const auto length = word(static_cast<std::size_t>(at));
    const auto offset = word(static_cast<std::size_t>(at + 4));
    if (!length || !offset) return std::nullopt;
    const std::uint64_t end = std::uint64_t{*offset} + *length;
    if (end >= bytes.size() || bytes[static_cast<std::size_t>(end)] != '\0') return std::nullopt;
    return bytes.substr(*offset, *length);
  }
};

bool fail(std::string* why, const char* text) {
  if (why) *why = text;
  return false;
}

}  // namespace

MoCatalog::MoCatalog(MoCatalog&&) noexcept = default;
MoCatalog& MoCatalog::operator=(MoCatalog&&) noexcept = default;
MoCatalog::~MoCatalog() = default;

std::optional<MoCatalog> MoCatalog::parse(std::string bytes, std::string* why) {
  MoCatalog catalog;
  catalog.bytes_ = std::move(bytes);
  Reader reader{catalog.bytes_};
  const auto magic = reader.word(0);
  if (!magic || (*magic != kMagic && *magic != kMagicSwapped)) {
    fail(why, "not a GNU .mo file (bad magic number)");
    return std::nullopt;
  }
  reader.swapped = *magic == kMagicSwapped;
  const auto revision = reader.word(4);
  const auto count = reader.word(8);
  const auto originals = reader.word(12);
  const auto translations = reader.word(16);
  if (!revision || !count || !originals || !translations) {
    fail(why, "truncated .mo header");
    return std::nullopt;
  }
  // Major revisions 0 and 1 share this layout (1 adds system-dependent
  // strings, which msgfmt only writes for <inttypes.h> macros: not used here).
  if ((*revision >> 16) > 1) {
    fail(why, "unsupported .mo revision");
    return std::nullopt;
  }
  if (std::uint64_t{*count} * 16 > catalog.bytes_.size()) {
    fail(why, "string count larger than the file");
    return std::nullopt;
  }
  catalog.entries_.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    const auto original = reader.string(*originals, i);
    const auto translation = reader.string(*translations, i);
    if (!original || !translation) {
      fail(why, "string table entry outside the file or without its NUL");
      return std::nullopt;
    }
    if (original->empty()) continue;  // the header entry (msgid "")
    const std::string_view singular = original->substr(0, original->find('\0'));
    catalog.entries_.emplace(singular, *translation);
  }
  return catalog;
}

std::string_view MoCatalog::find(std::string_view msgid, unsigned form) const {
  const auto it = entries_.find(msgid);
  if (it == entries_.end()) return {};
  std::string_view forms = it->second;
  for (unsigned i = 0; i < form; ++i) {
    const auto nul = forms.find('\0');
    if (nul == std::string_view::npos) return {};
    forms.remove_prefix(nul + 1);
  }
  return forms.substr(0, forms.find('\0'));
}

}  // namespace clinic_audit::i18n
