// libFuzzer target: the openssl check's re-implementation of NCONF's line
// reading and directive recognition (checks/openssl/conf_lexer), which reads
// configuration files of audited images.
//
// Beyond "no crash, no hang", it checks the property the check relies on:
// NCONF parses the text re-assembled from our logical lines exactly as it
// parses the original (same success, same sections and values). Inputs in
// which we see an .include are not handed to NCONF (it would open files).
#include <openssl/bio.h>
#include <openssl/conf.h>
#include <openssl/err.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "conf_lexer.hpp"

namespace {

// Every section and value NCONF holds, in a canonical order; "!" when it fails.
std::string nconf_dump(const std::string& text) {
  CONF* conf = NCONF_new(nullptr);
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  long eline = 0;
  std::string out;
  if (conf == nullptr || bio == nullptr || NCONF_load_bio(conf, bio, &eline) <= 0) {
    out = "!";
  } else {
    STACK_OF(OPENSSL_CSTRING)* names = NCONF_get_section_names(conf);
    std::vector<std::string> sections;
    for (int i = 0; names != nullptr && i < sk_OPENSSL_CSTRING_num(names); ++i) {
      sections.emplace_back(sk_OPENSSL_CSTRING_value(names, i));
    }
    sk_OPENSSL_CSTRING_free(names);
    std::sort(sections.begin(), sections.end());
    for (const auto& section : sections) {
      out += "[" + section + "]\n";
      const STACK_OF(CONF_VALUE)* values = NCONF_get_section(conf, section.c_str());
      for (int j = 0; values != nullptr && j < sk_CONF_VALUE_num(values); ++j) {
        const CONF_VALUE* v = sk_CONF_VALUE_value(values, j);
        out += std::string(v->name ? v->name : "") + "=" + (v->value ? v->value : "") + "\n";
      }
    }
  }
  BIO_free(bio);
  NCONF_free(conf);
  ERR_clear_error();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  using namespace clinic_audit::openssl;
  LineReader reader(text, true);
  PragmaState state;
  std::string flattened;
  bool include_seen = false;
  bool refused = false;
  int last_line = 0;
  while (auto line = reader.next()) {
    if (line->first_line < last_line) __builtin_trap();  // line numbers only grow
    last_line = line->first_line;
    const ClassifiedLine c = classify(line->text, state);
    include_seen = include_seen || c.kind == LineKind::include;
    if (flattened.empty() && line->text.starts_with("\xEF\xBB\xBF")) flattened += '\n';
    auto bytes = reemit(line->text);
    if (!bytes) {
      refused = true;  // the loader refuses such input (LimitError) rather than misparse it
      break;
    }
    flattened += *bytes;
    if (c.kind == LineKind::error) break;  // NCONF stops here, as does the loader
  }
  if (!include_seen && !refused && size <= 16384) {
    if (nconf_dump(text) != nconf_dump(flattened)) __builtin_trap();
  }
  return 0;
}
