# ca_add_gtest(NAME SOURCES src... LIBS lib...): a GoogleTest executable whose
# tests CTest discovers one by one (gtest_discover_tests), linked with the
# shared test helpers.
function(ca_add_gtest name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT CA_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ca_options ca_warnings ca_test_support ${ARG_LIBS} GTest::gtest_main GTest::gmock)
  # A test that needs root, run by another user, prints CA_TEST_NEEDS_ROOT
  # (tests/support/fixture_root.hpp) and is reported skipped, not failed.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 SKIP_REGULAR_EXPRESSION CA_TEST_NEEDS_ROOT)
endfunction()
