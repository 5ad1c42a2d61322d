# ca_add_check_type(): everything a check type's folder declares about itself.
#
#   ca_add_check_type(<name>
#     SOURCES <file>...            the library ca_check_<name> (make_<name>... lives here)
#     [PARTS <target>...]          libraries of the same folder defined before the call
#                                  (pure parsers that fuzz targets link without the rest)
#     [LIBRARIES <lib>...]         what the library links privately (OpenSSL::Crypto...)
#     [PUBLIC_LIBRARIES <lib>...]  what its users must link too
#     [FUZZERS <fuzzer>[:<lib>]...] fuzz/<fuzzer>.cpp, corpus fuzz/corpus/<fuzzer>, linked
#                                  with <lib> (default ca_check_<name>))
#
# It builds the library, gives it and its PARTS the include path
# "<name>/header.hpp" (a directory of the build tree that holds only this
# folder, so that a check type cannot include another one's headers), links
# checks/common, adds tests/ when tests are built, registers the fuzz
# targets, and records the library for the registry (checks/CMakeLists.txt).
# checks/registry.cpp must name the type (CA_CHECK_TYPES): configuring fails
# otherwise, so a folder without its registry line does not go unnoticed.
#
# Adding a check type: the folder with this call + one line in registry.cpp
# (README.md "Adding a check type").

set(CA_CHECK_INCLUDE_ROOT "${CMAKE_BINARY_DIR}/check-includes")

# The include directory that exposes exactly one folder of checks/ as "<name>/".
function(ca_check_include_dir name folder out_var)
  set(dir "${CA_CHECK_INCLUDE_ROOT}/${name}")
  file(MAKE_DIRECTORY "${dir}")
  file(REMOVE "${dir}/${name}")  # a link left by a source tree that moved
  file(CREATE_LINK "${folder}" "${dir}/${name}" SYMBOLIC)
  set(${out_var} "${dir}" PARENT_SCOPE)
endfunction()

function(ca_add_check_type name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PARTS;LIBRARIES;PUBLIC_LIBRARIES;FUZZERS" ${ARGN})
  set(lib ca_check_${name})
  file(READ "${CA_CHECKS_DIR}/registry.cpp" registry)
  if(NOT registry MATCHES "X\\(${name}\\)")
    message(FATAL_ERROR "check type ${name}: add `X(${name})` to CA_CHECK_TYPES in checks/registry.cpp")
  endif()

  add_library(${lib} STATIC ${ARG_SOURCES})
  ca_check_include_dir(${name} "${CMAKE_CURRENT_SOURCE_DIR}" include_dir)
  foreach(target IN ITEMS ${lib} ${ARG_PARTS})
    target_include_directories(${target} PUBLIC "${include_dir}" "${CMAKE_CURRENT_SOURCE_DIR}")
    target_link_libraries(${target} PUBLIC ca_check_common PRIVATE ca_warnings)
    set_property(TARGET ${target} PROPERTY CA_CHECK_TYPE ${name})
  endforeach()
  target_link_libraries(${lib} PUBLIC ${ARG_PARTS} ${ARG_PUBLIC_LIBRARIES} PRIVATE ${ARG_LIBRARIES})
  set_property(GLOBAL APPEND PROPERTY CA_CHECK_TYPE_LIBRARIES ${lib})
  set_property(GLOBAL APPEND PROPERTY CA_CHECK_TYPE_TARGETS ${lib} ${ARG_PARTS})

  if(CA_BUILD_TESTS AND EXISTS "${CMAKE_CURRENT_SOURCE_DIR}/tests/CMakeLists.txt")
    add_subdirectory(tests)
  endif()

  foreach(spec IN LISTS ARG_FUZZERS)
    string(REPLACE ":" ";" parts "${spec}")
    list(GET parts 0 fuzzer)
    list(LENGTH parts n)
    set(fuzz_lib ${lib})
    if(n GREATER 1)
      list(GET parts 1 fuzz_lib)
    endif()
    ca_add_fuzzer(${fuzzer} "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/${fuzzer}.cpp" ${fuzz_lib}
                  CORPUS "${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${fuzzer}")
  endforeach()
endfunction()

# Called once every folder is added (checks/CMakeLists.txt): no check type's
# library links another check type's library, directly or through a PART.
# (Includes are kept apart by the include directories above; the CTest test
# checks.isolation also greps the sources: tests/lint/check_isolation.sh.)
function(ca_verify_check_type_isolation)
  get_property(targets GLOBAL PROPERTY CA_CHECK_TYPE_TARGETS)
  foreach(target IN LISTS targets)
    get_target_property(own ${target} CA_CHECK_TYPE)
    get_target_property(links ${target} LINK_LIBRARIES)
    foreach(dep IN LISTS links)
      if(TARGET "${dep}")
        get_target_property(other ${dep} CA_CHECK_TYPE)
        if(other AND NOT other STREQUAL own)
          message(FATAL_ERROR "check type ${own} (${target}) links check type ${other} (${dep}): "
                              "move the shared code to checks/common")
        endif()
      endif()
    endforeach()
  endforeach()
endfunction()
