# ca_deb_package(COMPONENT <c> PACKAGE <name> SECTION <s> SUMMARY <line>
#                DESCRIPTION_FILE <file> CONTROL_DIR <dir>)
# One Debian binary package per CMake install component (CPack DEB with
# CPACK_DEB_COMPONENT_INSTALL). CONTROL_DIR holds the maintainer scripts
# (postinst, prerm, postrm, any of them) and `conffiles`. Installs the
# package's /usr/share/doc/<name>/copyright and changelog.Debian.gz
# (Debian Policy §12.5, §12.7). A macro: it sets CPack variables in the
# caller's scope (installer/CMakeLists.txt, before include(CPack)).
macro(ca_deb_package)
  cmake_parse_arguments(ARG "" "COMPONENT;PACKAGE;SECTION;SUMMARY;DESCRIPTION_FILE;CONTROL_DIR" "" ${ARGN})
  string(TOUPPER "${ARG_COMPONENT}" _ca_c)
  list(APPEND CPACK_COMPONENTS_ALL ${ARG_COMPONENT})
  set(CPACK_DEBIAN_${_ca_c}_PACKAGE_NAME ${ARG_PACKAGE})
  set(CPACK_DEBIAN_${_ca_c}_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_${_ca_c}_PACKAGE_SECTION ${ARG_SECTION})
  set(CPACK_COMPONENT_${_ca_c}_DISPLAY_NAME ${ARG_PACKAGE})
  # CPack writes the first line from the summary, the rest (extended
  # description, Policy §3.4.1) from the component description.
  file(READ ${ARG_DESCRIPTION_FILE} _ca_description)
  string(STRIP "${_ca_description}" _ca_description)
  set(CPACK_DEBIAN_${_ca_c}_DESCRIPTION "${ARG_SUMMARY}\n${_ca_description}")
  set(_ca_control)
  foreach(_ca_script postinst prerm postrm preinst conffiles)
    if(EXISTS ${ARG_CONTROL_DIR}/${_ca_script})
      list(APPEND _ca_control ${ARG_CONTROL_DIR}/${_ca_script})
    endif()
  endforeach()
  set(CPACK_DEBIAN_${_ca_c}_PACKAGE_CONTROL_EXTRA "${_ca_control}")

  set(_ca_doc ${CMAKE_CURRENT_BINARY_DIR}/doc/${ARG_PACKAGE})
  file(MAKE_DIRECTORY ${_ca_doc})
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog.in ${_ca_doc}/changelog.Debian @ONLY)
  # gzip -9n: no name or timestamp in the header (reproducible, lintian).
  add_custom_command(OUTPUT ${_ca_doc}/changelog.Debian.gz
    COMMAND gzip -9nc ${_ca_doc}/changelog.Debian > ${_ca_doc}/changelog.Debian.gz
    DEPENDS ${_ca_doc}/changelog.Debian VERBATIM)
  add_custom_target(ca_doc_${ARG_COMPONENT} ALL DEPENDS ${_ca_doc}/changelog.Debian.gz)
  install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/debian/copyright ${_ca_doc}/changelog.Debian.gz
    DESTINATION share/doc/${ARG_PACKAGE} COMPONENT ${ARG_COMPONENT})
endmacro()

# ca_install_man(COMPONENT <c> PAGES <file.N>...): gzip -9n each page into
# share/man/manN (Policy §12.1).
function(ca_install_man)
  cmake_parse_arguments(ARG "" "COMPONENT" "PAGES" ${ARGN})
  foreach(page ${ARG_PAGES})
    get_filename_component(name ${page} NAME)
    string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${name})
    set(out ${CMAKE_CURRENT_BINARY_DIR}/man/${name}.gz)
    add_custom_command(OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
      COMMAND gzip -9nc ${page} > ${out}
      DEPENDS ${page} VERBATIM)
    add_custom_target(ca_man_${name} ALL DEPENDS ${out})
    install(FILES ${out} DESTINATION share/man/man${section} COMPONENT ${ARG_COMPONENT})
  endforeach()
endfunction()
