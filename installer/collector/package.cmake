# The clinic-audit-collector package (issue #11 item 10), described with the
# project's ca_deb_package() (installer/DebPackage.cmake) like the agent's:
# its binary (collector/CMakeLists.txt), hardened unit, conffile
# collector.conf, schemas and man page, all with COMPONENT collector.
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/collector/clinic-audit-collector.service
        DESTINATION /lib/systemd/system COMPONENT collector)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/collector/collector.conf DESTINATION /etc/clinic-audit COMPONENT collector
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${CMAKE_SOURCE_DIR}/collector/config/collector-config.xsd
        DESTINATION share/clinic-audit/schemas COMPONENT collector)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/agent/schemas/ DESTINATION share/clinic-audit/collector-schemas COMPONENT collector)
install(FILES ${CMAKE_CURRENT_SOURCE_DIR}/lintian/clinic-audit-collector DESTINATION share/lintian/overrides COMPONENT collector)
ca_install_man(COMPONENT collector PAGES ${CMAKE_CURRENT_SOURCE_DIR}/man/clinic-audit-collector.8)
ca_deb_package(COMPONENT collector PACKAGE clinic-audit-collector SECTION admin
  SUMMARY "regional collector of signed clinic-audit reports"
  DESCRIPTION_FILE ${CMAKE_CURRENT_SOURCE_DIR}/collector/description
  CONTROL_DIR ${CMAKE_CURRENT_SOURCE_DIR}/collector)
# postinst creates the collector's system account.
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser, libjs-chart.js")

if(CA_BUILD_TESTS)
  find_program(SYSTEMD_ANALYZE systemd-analyze)
  if(SYSTEMD_ANALYZE)
    add_test(NAME installer.collector_unit_verify
      COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/collector/verify_collector_unit.sh ${SYSTEMD_ANALYZE}
              $<TARGET_FILE:clinic-audit-collector> ${CMAKE_CURRENT_SOURCE_DIR}/collector)
  endif()
endif()
