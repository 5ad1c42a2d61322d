# ASan + UBSan for the `asan` preset: every library and executable is instrumented,
# and UBSan findings abort so that ctest sees them as failures.
if(CA_SANITIZE)
  target_compile_options(ca_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(ca_options INTERFACE -fsanitize=address,undefined)
endif()
