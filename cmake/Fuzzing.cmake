# libFuzzer targets: libraries get coverage instrumentation (fuzzer-no-link),
# fuzz executables link the libFuzzer driver. Requires clang.
if(CA_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "CA_FUZZ needs clang (CMAKE_CXX_COMPILER=clang++)")
  endif()
  target_compile_options(ca_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# ca_add_fuzzer(NAME SOURCE LIBS... [CORPUS DIR]): a libFuzzer executable plus a
# short CTest run over its seed corpus (DIR, by default tests/fuzz/corpus/NAME;
# a check type's own fuzzers keep theirs in its folder: cmake/CheckType.cmake)
# so that CI exercises it briefly.
function(ca_add_fuzzer name source)
  cmake_parse_arguments(ARG "" "CORPUS" "" ${ARGN})
  if(NOT CA_FUZZ)
    return()
  endif()
  add_executable(${name} ${source})
  target_link_libraries(${name} PRIVATE ca_options ca_warnings ${ARG_UNPARSED_ARGUMENTS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set(corpus "${CMAKE_SOURCE_DIR}/tests/fuzz/corpus/${name}")
  if(ARG_CORPUS)
    set(corpus "${ARG_CORPUS}")
  endif()
  set(work "${CMAKE_BINARY_DIR}/fuzz-work/${name}")
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
            ${CMAKE_SOURCE_DIR}/tests/fuzz/run_fuzzer.sh $<TARGET_FILE:${name}> ${corpus} ${work})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()
