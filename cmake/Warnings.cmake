# One interface target carrying the project's warning flags; every target links it.
add_library(ca_warnings INTERFACE)
target_compile_options(ca_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
if(CA_WARNINGS_AS_ERRORS)
  target_compile_options(ca_warnings INTERFACE -Werror)
endif()

# Options every target shares (hardening, sanitizers are added in Sanitizers.cmake).
add_library(ca_options INTERFACE)
target_compile_features(ca_options INTERFACE cxx_std_20)
target_compile_definitions(ca_options INTERFACE _FILE_OFFSET_BITS=64)
