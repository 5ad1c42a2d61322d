#include "ssl_settings.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "common/root_fs.hpp"
#include "fixture_root.hpp"
#include "openssl_fixtures.hpp"
#include "probe_cache.hpp"

namespace clinic_audit::openssl {
namespace {

std::string nconf_value(const std::string& text, const char* section, const char* name) {
  ConfPtr conf(NCONF_new(nullptr));
  BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
  long eline = 0;
  const int ok = NCONF_load_bio(conf.get(), bio, &eline);
  BIO_free(bio);
  if (ok <= 0) return "<load error at line " + std::to_string(eline) + ">";
  const char* value = NCONF_get_string(conf.get(), section, name);
  return value != nullptr ? value : "<absent>";
}

TEST(QuoteValue, NconfReadsBackExactlyTheValue) {
  for (std::string value : {"DEFAULT@SECLEVEL=2", " lead and trail ", "it's", "back\\slash", "$notavar ${x}",
                            "#nocomment", "\"dq\"", "multi\nline\rcr", "", "`tick`"}) {
    EXPECT_EQ(nconf_value("[s]\nv = " + quote_value(value) + "\n", "s", "v"), value) << quote_value(value);
  }
}

// ssl_settings.cpp decides without libssl that the probe cache's
// value-only commands read no file (a warm audit loads no OpenSSL library):
// the library itself must agree, for every spelling it accepts in a file.
TEST(SslSettings, CacheableCommandsReadNoFile) {
  SSL_CONF_CTX* cctx = SSL_CONF_CTX_new();
  ASSERT_NE(cctx, nullptr);
  SSL_CONF_CTX_set_flags(cctx,
                         SSL_CONF_FLAG_FILE | SSL_CONF_FLAG_CLIENT | SSL_CONF_FLAG_SERVER | SSL_CONF_FLAG_CERTIFICATE);
  int known = 0;
  for (const char* name : {"CipherString", "Ciphersuites", "MinProtocol", "MaxProtocol", "Protocol", "Options",
                           "Curves", "Groups", "ECDHParameters", "SignatureAlgorithms", "VerifyMode", "RecordPadding",
                           "NumTickets", "ClientSignatureAlgorithms", "cipherstring", "client.MinProtocol"}) {
    EXPECT_TRUE(is_cacheable_command(name)) << name;
    std::string bare = name;
    if (auto dot = bare.find('.'); dot != std::string::npos) bare.erase(0, dot + 1);
    const int type = SSL_CONF_cmd_value_type(cctx, bare.c_str());
    EXPECT_NE(type, SSL_CONF_TYPE_FILE) << name;
    EXPECT_NE(type, SSL_CONF_TYPE_DIR) << name;
    EXPECT_NE(type, SSL_CONF_TYPE_STORE) << name;
    known += type != SSL_CONF_TYPE_UNKNOWN;
  }
  EXPECT_GE(known, 14);
  // And a command that reads one is not on the list.
  EXPECT_EQ(SSL_CONF_cmd_value_type(cctx, "VerifyCAFile"), SSL_CONF_TYPE_FILE);
  EXPECT_FALSE(is_cacheable_command("VerifyCAFile"));
  SSL_CONF_CTX_free(cctx);
}

TEST(SslSettings, FollowsTheChainWithOrigins) {
  clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("openssl-settings-chain"));
  root.file("/etc/ssl/openssl.cnf",
            testing::debian12_with_system_default("MinProtocol = TLSv1.2\nCipherString = DEFAULT@SECLEVEL=1\n"));
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  const SslSettings s = extract_ssl_settings(config);
  ASSERT_TRUE(s.has_system_default) << s.missing_link;
  EXPECT_EQ(s.openssl_conf, "openssl_init");
  EXPECT_EQ(s.ssl_conf, "ssl_sect");
  EXPECT_EQ(s.system_default, "system_default_sect");
  const SslCommand* cipher = s.command("cipherstring");
  ASSERT_NE(cipher, nullptr);
  EXPECT_EQ(cipher->value, "DEFAULT@SECLEVEL=1");
  ASSERT_TRUE(cipher->origin);
  // The appended chain ends the file: CipherString is its last line.
  const std::string text =
      testing::debian12_with_system_default("MinProtocol = TLSv1.2\nCipherString = DEFAULT@SECLEVEL=1\n");
  EXPECT_EQ(cipher->origin->line, static_cast<int>(std::count(text.begin(), text.end(), '\n')));
}

TEST(SslSettings, StockDebianHasNoSslConf) {
  clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("openssl-settings-stock"));
  root.file("/etc/ssl/openssl.cnf", testing::debian12_cnf());
  RootFs fs(root.path());
  const SslSettings s = extract_ssl_settings(load_config(fs, "/etc/ssl/openssl.cnf"));
  EXPECT_FALSE(s.has_system_default);
  EXPECT_EQ(s.missing_link, "no 'ssl_conf' in [openssl_init]");
}

TEST(SslSettings, SynthesizedConfigKeepsTheCommandsButNoFiles) {
  clinic_audit::testing::FixtureRoot root(clinic_audit::testing::fixture_dir("openssl-settings-synth"));
  root.file("/etc/ssl/openssl.cnf",
            "config_diagnostics = 1\nv = 0\nopenssl_conf = init\n[init]\nproviders = p\nssl_conf = ssl\n[p]\n"
            "[ssl]\nsystem_default = sd\nclient = missing\n[sd]\nCipherString = DEFAULT@SECLEVEL=$v\n"
            "CipherSuites = \"TLS_AES_256_GCM_SHA384$v\"\n"
            "Certificate = /etc/ssl/private/key.pem\nMinProtocol = TLSv1.2\n");
  RootFs fs(root.path());
  const LoadedConfig config = load_config(fs, "/etc/ssl/openssl.cnf");
  const std::string text = synthesize_ssl_config(config);
  EXPECT_EQ(nconf_value(text, "ca_ssl2_s1", "CipherString"), "DEFAULT@SECLEVEL=0");
  EXPECT_EQ(nconf_value(text, "ca_ssl2_s1", "CipherSuites"), "TLS_AES_256_GCM_SHA384$v");  // no expansion in quotes
  EXPECT_EQ(nconf_value(text, "ca_ssl2_s1", "MinProtocol"), "TLSv1.2");
  EXPECT_EQ(nconf_value(text, "ca_ssl2_s1", "Certificate"), "<absent>");
  EXPECT_EQ(nconf_value(text, "ca_ssl2", "client"), "ca_ssl2_missing2");
  EXPECT_EQ(nconf_value(text, nullptr, "config_diagnostics"), "1");
  EXPECT_EQ(text.find("providers"), std::string::npos);
}

}  // namespace
}  // namespace clinic_audit::openssl
