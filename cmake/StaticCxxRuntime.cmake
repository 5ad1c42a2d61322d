# The C++ runtime inside the binaries that start at every audit (issue #19
# item 5).
#
# An audit is a short process: what ld.so does before main() is a large
# part of it. libstdc++.so alone brings about 1,700 symbol relocations of
# its own, plus libgcc_s, libpugixml and libfmt, each a mapping, a symbol
# table to search and page faults. Measured on this project's 2-core VM
# with a program that parses one XML string with pugixml and formats it
# with fmt (perf stat -r 300): 1.36-1.57 ms of CPU linked against the four
# shared libraries, 0.68-0.69 ms with them linked in (125 page faults
# against 81). So, in optimised builds:
#   - fmt is used in its header-only form in every translation unit (they
#     must all agree, or some would still call into libfmt.so);
#   - pugixml is its static archive (Debian's libpugixml-dev ships it, built
#     position-independent);
#   - ca_static_cxx_runtime(TARGET) links TARGET with -static-libstdc++ and
#     -static-libgcc, and --as-needed so that the shared libraries nothing
#     calls any more (libfmt.so through fmt::fmt) are not loaded.
# libstdc++.a is compiled with one section per function, so lld's
# --gc-sections (cmake/CodeLayout.cmake) keeps only what the binary calls.
#
# Debug, sanitizer and fuzzing builds keep the shared runtime: the
# sanitizers intercept the shared libraries' entry points. A library
# loaded later with dlopen(3) that needs libstdc++.so (libxml2's ICU, when
# a policy is validated against its XSD) gets its own copy; nothing C++
# crosses that boundary, the interfaces between them are C.
option(CA_STATIC_CXX_RUNTIME "Link libstdc++, libgcc, pugixml and fmt into the agent's binaries in optimised builds" ON)
set(CA_STATIC_CXX_RUNTIME_ACTIVE OFF)
if(CA_STATIC_CXX_RUNTIME AND NOT CA_SANITIZE AND NOT CA_TSAN AND NOT CA_FUZZ
   AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND TARGET pugixml::static)
  set(CA_STATIC_CXX_RUNTIME_ACTIVE ON)
endif()

if(CA_STATIC_CXX_RUNTIME_ACTIVE)
  set(ca_optimised "$<NOT:$<CONFIG:Debug>>")
  add_compile_definitions("$<${ca_optimised}:FMT_HEADER_ONLY=1>")
  set_target_properties(pugixml::pugixml PROPERTIES
    INTERFACE_LINK_LIBRARIES "$<IF:${ca_optimised},pugixml::static,pugixml::shared>")
  unset(ca_optimised)
endif()

# ca_static_cxx_runtime(TARGET): TARGET carries its own C++ runtime in
# optimised builds.
function(ca_static_cxx_runtime target)
  if(NOT CA_STATIC_CXX_RUNTIME_ACTIVE)
    return()
  endif()
  target_link_options(${target} PRIVATE
    "$<$<NOT:$<CONFIG:Debug>>:-static-libstdc++;-static-libgcc;LINKER:--as-needed>")
endfunction()
