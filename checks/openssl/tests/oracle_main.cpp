// The differential tests' oracle: OpenSSL itself, in a process of its own
// (its configuration is global and loaded once per process), chrooted into a
// fixture root so that the library finds the fixture's openssl.cnf at its
// usual place (OPENSSLDIR/openssl.cnf, /usr/lib/ssl on Debian) and resolves
// every .include, symlink and relative path there, exactly as on that system.
// It loads the configuration the way applications do --
// OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG) -- and prints what an SSL_CTX
// gets: key=value lines, the same keys as the check's probe.
//
// Written independently of checks/openssl on purpose: it must not share the
// code it is judging.
#include <openssl/conf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

// Under AddressSanitizer, LeakSanitizer reads /proc at exit, which the chroot
// hides: it would turn every run into a failure.
extern "C" const char* __asan_default_options();
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FIXTURE_ROOT\n", argv[0]);
    return 64;
  }
  if (chroot(argv[1]) != 0 || chdir("/") != 0) {
    std::fprintf(stderr, "chroot %s: %s\n", argv[1], std::strerror(errno));
    return 70;
  }
  // Whether NCONF accepts the file at all (the library ignores one it cannot parse).
  char* file = CONF_get1_default_config_file();
  CONF* conf = NCONF_new(nullptr);
  long eline = 0;
  const int parsed = NCONF_load(conf, file, &eline);
  std::printf("config_file=%s\nnconf_load=%d\n", file, parsed > 0 ? 1 : 0);
  if (parsed <= 0) std::printf("nconf_error_line=%ld\n", eline);
  NCONF_free(conf);
  OPENSSL_free(file);
  ERR_clear_error();

  const int init = OPENSSL_init_ssl(OPENSSL_INIT_LOAD_CONFIG, nullptr);
  std::printf("init=%d\n", init == 1 ? 1 : 0);
  SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  if (ctx == nullptr) {
    std::printf("ctx=0\n");
    return 0;
  }
  int tls12 = 0;
  int tls13 = 0;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    if (std::strcmp(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(ciphers, i)), "TLSv1.3") == 0) {
      ++tls13;
    } else {
      ++tls12;
    }
  }
  std::printf("ctx=1\nsecurity_level=%d\nmin_proto=%ld\nmax_proto=%ld\ntls12_ciphers=%d\ntls13_ciphers=%d\n",
              SSL_CTX_get_security_level(ctx), SSL_CTX_get_min_proto_version(ctx), SSL_CTX_get_max_proto_version(ctx),
              tls12, tls13);
  SSL_CTX_free(ctx);
  return 0;
}
