// MoCatalog against GNU msgfmt: catalogs msgfmt writes (both byte orders,
// plurals, the header) read back as msgfmt meant them; every truncation and
// damaged offset is refused without a crash.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "mo_catalog.hpp"

namespace clinic_audit::i18n {
namespace {

const char* kPo = R"(msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\n"

msgid "Audit this machine"
msgstr "Auditer cette machine"

msgid "{0} of {1}"
msgstr "{1} : {0}"

msgid "{0} check"
msgid_plural "{0} checks"
msgstr[0] "{0} contrôle"
msgstr[1] "{0} contrôles"

msgid "untranslated here"
msgstr ""
)";

std::string compile(const std::string& endianness) {
  const auto dir = std::filesystem::temp_directory_path() / ("ca-mo-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto po = dir / "t.po";
  const auto mo = dir / ("t-" + endianness + ".mo");
  std::ofstream(po) << kPo;
  const std::string command = "msgfmt --endianness=" + endianness + " -o " + mo.string() + " " + po.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(mo, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove_all(dir);
  return bytes;
}

TEST(MoCatalog, ReadsWhatMsgfmtWritesInBothByteOrders) {
  for (const std::string endianness : {"little", "big"}) {
    std::string why;
    const auto catalog = MoCatalog::parse(compile(endianness), &why);
    ASSERT_TRUE(catalog) << endianness << ": " << why;
    EXPECT_EQ(catalog->find("Audit this machine"), "Auditer cette machine");
    EXPECT_EQ(catalog->find("{0} of {1}"), "{1} : {0}");
    EXPECT_EQ(catalog->find("{0} check", 0), "{0} contrôle");
    EXPECT_EQ(catalog->find("{0} check", 1), "{0} contrôles");
    EXPECT_EQ(catalog->find("{0} check", 2), "");
    // msgfmt leaves untranslated messages out; the header entry is not a message.
    EXPECT_EQ(catalog->find("untranslated here"), "");
    EXPECT_EQ(catalog->find(""), "");
    EXPECT_EQ(catalog->find("Audit"), "");
    EXPECT_EQ(catalog->size(), 3U);
  }
}

TEST(MoCatalog, EveryTruncationIsRefusedOrConsistent) {
  const std::string bytes = compile("little");
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const auto catalog = MoCatalog::parse(bytes.substr(0, size));
    // A prefix may still hold every string (the hash table comes last in
    // some layouts): then the answers are the full file's.
    if (catalog && catalog->find("Audit this machine") != "") {
      EXPECT_EQ(catalog->find("Audit this machine"), "Auditer cette machine");
    }
  }
  EXPECT_FALSE(MoCatalog::parse(""));
  EXPECT_FALSE(MoCatalog::parse("not a catalog at all"));
}

TEST(MoCatalog, DamagedOffsetsAndCountsAreRefused) {
  const std::string bytes = compile("little");
  auto with_word = [&](std::size_t at, std::uint32_t value) {
    std::string copy = bytes;
    for (std::size_t i = 0; i < 4; ++i) copy[at + i] = static_cast<char>((value >> (8 * i)) & 0xFFU);
    return copy;
  };
  std::string why;
  EXPECT_FALSE(MoCatalog::parse(with_word(8, 0xFFFFFFFFU), &why));  // count
  EXPECT_FALSE(why.empty());
  EXPECT_FALSE(MoCatalog::parse(with_word(12, 0xFFFFFFF0U)));                               // originals table
  EXPECT_FALSE(MoCatalog::parse(with_word(16, static_cast<std::uint32_t>(bytes.size()))));  // translations table
  EXPECT_FALSE(MoCatalog::parse(with_word(4, 0x00020000U)));                                // revision 2
  // The first original string's length pointing past the end of the file.
  std::uint32_t originals = 0;
  for (std::size_t i = 0; i < 4; ++i)
    originals |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[12 + i])) << (8 * i);
  EXPECT_FALSE(MoCatalog::parse(with_word(originals, 0x7FFFFFFFU)));
}

}  // namespace
}  // namespace clinic_audit::i18n
