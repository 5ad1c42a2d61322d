# Code layout of the clinic-audit binary (issue #19 item 5).
#
# An audit runs a few hundred of the binary's functions, spread over most of
# its 4.4 MB of text; the kernel maps file pages 64 KiB at a time around each
# fault (fault-around, mm/memory.c do_fault_around), so scattered code costs
# resident memory and page faults in proportion to the text's size, not the
# code run. Every function in its own section, and lld placing the
# functions the usual commands run first, in the order of
# agent/layout/hot_functions.txt (tests/bench/hot_functions.sh writes it
# from callgrind runs), makes that code a few contiguous windows; a stale
# list only costs memory, never behaviour. --gc-sections drops the sections
# nothing references.
#
# Optimised builds only (not Debug, not the sanitizer or fuzzing builds,
# whose tools want the usual layout); without lld the binary is linked as
# before.
set(CA_CODE_LAYOUT_ACTIVE OFF)
if(NOT CA_SANITIZE AND NOT CA_TSAN AND NOT CA_FUZZ AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  find_program(CA_LLD NAMES ld.lld)
  if(CA_LLD)
    set(CA_CODE_LAYOUT_ACTIVE ON)
  endif()
endif()
if(CA_CODE_LAYOUT_ACTIVE)
  target_compile_options(ca_options INTERFACE $<$<NOT:$<CONFIG:Debug>>:-ffunction-sections -fdata-sections>)
endif()

# ca_code_layout(TARGET ORDERING_FILE): link TARGET with lld, its hot
# functions first.
function(ca_code_layout target ordering_file)
  if(NOT CA_CODE_LAYOUT_ACTIVE)
    return()
  endif()
  target_link_options(${target} PRIVATE
    $<$<NOT:$<CONFIG:Debug>>:-fuse-ld=lld LINKER:--symbol-ordering-file=${ordering_file}
    LINKER:--no-warn-symbol-ordering LINKER:--gc-sections>)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${ordering_file})
endfunction()
