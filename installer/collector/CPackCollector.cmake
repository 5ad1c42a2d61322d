# The clinic-audit-collector .deb (issue #11 item 10), a CPack component
# beside the agent's package, which keeps its name and contents (everything
# installed without a COMPONENT is the "Unspecified" component).
install(FILES ${CMAKE_CURRENT_LIST_DIR}/clinic-audit-collector.service DESTINATION lib/systemd/system COMPONENT collector)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/collector.conf DESTINATION /etc/clinic-audit COMPONENT collector
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${CMAKE_SOURCE_DIR}/collector/config/collector-config.xsd DESTINATION share/clinic-audit/schemas COMPONENT collector)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/agent/schemas/ DESTINATION share/clinic-audit/collector-schemas COMPONENT collector)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL Unspecified collector)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_NAME clinic-audit)
set(CPACK_DEBIAN_UNSPECIFIED_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_UNSPECIFIED_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/../debian/postinst)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_NAME clinic-audit-collector)
set(CPACK_DEBIAN_COLLECTOR_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_SECTION net)
set(CPACK_DEBIAN_COLLECTOR_DESCRIPTION "Regional collector of signed clinic-audit reports (HTTPS ingest, enrolment, SQLite/PostgreSQL)")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_COLLECTOR_PACKAGE_CONTROL_EXTRA "${CMAKE_CURRENT_LIST_DIR}/postinst;${CMAKE_CURRENT_LIST_DIR}/conffiles")

if(CA_BUILD_TESTS)
  find_program(SYSTEMD_ANALYZE systemd-analyze)
  if(SYSTEMD_ANALYZE)
    add_test(NAME installer.collector_unit_verify
      COMMAND ${CMAKE_CURRENT_LIST_DIR}/verify_collector_unit.sh ${SYSTEMD_ANALYZE}
              $<TARGET_FILE:clinic-audit-collector> ${CMAKE_CURRENT_LIST_DIR})
  endif()
endif()
