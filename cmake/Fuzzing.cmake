# libFuzzer targets: libraries get coverage instrumentation (fuzzer-no-link),
# fuzz executables link the libFuzzer driver. Requires clang.
if(CA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CA_FUZZ needs clang (CMAKE_CXX_COMPILER=clang++)")
  endif()
  target_compile_options(ca_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# ca_add_fuzzer(NAME SOURCE LIBS...): a libFuzzer executable plus a short CTest run
# over its seed corpus (tests/fuzz/corpus/NAME) so that CI exercises it briefly.
function(ca_add_fuzzer name source)
  if(NOT CA_FUZZ)
    return()
  endif()
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ca_options ca_warnings ${ARGN})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set(corpus "${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name}")
  set(work "${CMAKE_BINARY_DIR}/fuzz-work/${name}")
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
            ${CMAKE_SOURCE_DIR}/tests/fuzz/run_fuzzer.sh $<TARGET_FILE:${name}> ${corpus} ${work})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
