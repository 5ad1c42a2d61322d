// libcrypto and libssl bound on first call instead of at start (issue #19
// item 5).
//
// Linked normally, the two libraries cost every start of clinic-audit about
// 3,900 symbol look-ups in the dynamic loader (ld.so's relocation of
// libcrypto and libssl themselves), 140 page faults and 1.8 MiB of resident
// memory, measured on `clinic-audit version`, which calls neither. Most
// commands call neither: an audit of apicrypt-v1 does not, one with the
// openssl check calls libcrypto only when the audited openssl.cnf (read with
// NCONF) or the library changed since the last run with the same state
// directory (checks/openssl/conf_cache.hpp); libssl serves only TLS (online
// reachability checks, enrolment, delivery).
//
// So the clinic-audit binary defines each OpenSSL function it calls
// (symbols.list) as a trampoline generated at configure time
// (LazyOpenssl.cmake): a jump through a table slot, which holds the real
// function once its library is loaded. The first call of a function of a
// library dlopen(3)s that library (the same soname the linker would have
// recorded) under a std::call_once, fills the slots of all its functions with
// dlsym(3) and goes on into the real function with the caller's registers
// untouched. The linker, run with --as-needed, then records neither library
// in DT_NEEDED: the test LazyOpenssl.BinaryDoesNotLinkOpenssl fails when a
// new OpenSSL function is called without being listed.
//
// A library that cannot be loaded (or lacks a listed function) ends the
// program with a message naming it and exit code 70 (EX_SOFTWARE), as the
// dynamic loader would have refused to start it.
//
// Only the clinic-audit executable uses this (x86-64: the trampolines are
// x86-64 assembly); tests and other programs link OpenSSL as usual.
#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace {

enum Library : unsigned char { kCrypto = 0, kSsl = 1 };

struct LazySymbol {
  const char* name;
  Library library;
};

// Generated from symbols.list (LazyOpenssl.cmake), in the trampolines' order.
constexpr LazySymbol kSymbols[] = {
#include "lazy_openssl_symbols.inc"
};
constexpr unsigned kSymbolCount = sizeof(kSymbols) / sizeof(kSymbols[0]);

// The sonames the linker would have recorded (OpenSSL 3: libcrypto.so.3).
constexpr const char* kSonames[] = {CA_LIBCRYPTO_SONAME, CA_LIBSSL_SONAME};

std::once_flag loaded_once[2];

[[noreturn]] void cannot_load(const char* what) {
  // No iostream, no i18n: this may run inside any OpenSSL call, on any thread.
  std::fprintf(stderr, "clinic-audit: cannot load %s: %s\n", what, dlerror());
  std::fflush(stderr);
  std::_Exit(70);
}

}  // namespace

// The table the trampolines jump through: null until the library is loaded.
extern "C" {
__attribute__((visibility("hidden"))) void* ca_lazy_openssl_slots[kSymbolCount];

// Called by a trampoline whose slot is still null, with the symbol's index;
// returns the real function, which the trampoline then jumps to.
__attribute__((visibility("hidden"))) void* ca_lazy_openssl_resolve(unsigned index) noexcept {
  const Library library = kSymbols[index].library;
  std::call_once(loaded_once[library], [library] {
    // RTLD_NODELETE: the functions stay valid until exit; libssl's own
    // DT_NEEDED brings the libcrypto already loaded (or loads it).
    void* handle = dlopen(kSonames[library], RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
    if (handle == nullptr) cannot_load(kSonames[library]);
    for (unsigned i = 0; i < kSymbolCount; ++i) {
      if (kSymbols[i].library != library) continue;
      void* function = dlsym(handle, kSymbols[i].name);
      if (function == nullptr) cannot_load(kSymbols[i].name);
      __atomic_store_n(&ca_lazy_openssl_slots[i], function, __ATOMIC_RELEASE);
    }
  });
  return __atomic_load_n(&ca_lazy_openssl_slots[index], __ATOMIC_ACQUIRE);
}
}
