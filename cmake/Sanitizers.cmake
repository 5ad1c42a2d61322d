# ASan + UBSan for the `asan` preset: every library and executable is instrumented,
# and UBSan findings abort so that ctest sees them as failures.
if(CA_SANITIZE)
  target_compile_options(ca_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(ca_options INTERFACE -fsanitize=address,undefined)
endif()

# ThreadSanitizer for the `tsan` preset, which builds and runs only the tests
# of the concurrent parts (scripts/test.sh: the check runner's process runner,
# the reachability probes, the collector's server and storage, the agent's
# delivery and chain lock). TSan cannot be combined with ASan.
if(CA_TSAN)
  if(CA_SANITIZE)
    message(FATAL_ERROR "CA_TSAN and CA_SANITIZE exclude each other")
  endif()
  target_compile_options(ca_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(ca_options INTERFACE -fsanitize=thread)
endif()
