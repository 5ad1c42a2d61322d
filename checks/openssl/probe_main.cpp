// Standalone OpenSSL probe (see openssl_probe.hpp): what the library applies.
#include "openssl_probe.hpp"

int main(int argc, char** argv) { return clinic_audit::openssl::openssl_probe_main(argc, argv); }
