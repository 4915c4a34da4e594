# CPack: one .deb per component (cmake/Install.cmake), `cpack -G DEB` in the build folder.
#   tandem-common   mediactl, the docs, the tandem user and the RPC keys (maintainer scripts)
#   tandem-signald  signald and its configs, unit; Depends: tandem-common
#   tandem-mediad   mediad and its config, unit; Depends: tandem-common
# Library dependencies come from dpkg-shlibdeps (package dpkg-dev).
set(CPACK_PACKAGE_NAME tandem)
set(CPACK_PACKAGE_VENDOR "Tandem")
set(TANDEM_PACKAGE_MAINTAINER "Tandem maintainers <tandem@example.org>" CACHE STRING
    "Maintainer field of the .deb packages: NAME <MAIL>")
set(CPACK_PACKAGE_CONTACT "${TANDEM_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL common signald mediad)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# Debug symbols stay in the build tree.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_COMMON_PACKAGE_NAME tandem-common)
set(CPACK_DEBIAN_SIGNALD_PACKAGE_NAME tandem-signald)
set(CPACK_DEBIAN_MEDIAD_PACKAGE_NAME tandem-mediad)
set(_tandem_dep "tandem-common (= ${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE})")
# adduser for the tandem user (deb-systemd-helper/-invoke come with init-system-helpers, which
# is essential).
set(CPACK_DEBIAN_COMMON_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SIGNALD_PACKAGE_DEPENDS "${_tandem_dep}")
set(CPACK_DEBIAN_MEDIAD_PACKAGE_DEPENDS "${_tandem_dep}")
# The first line is the synopsis; CPack indents the rest (lines under 80 columns).
set(CPACK_DEBIAN_COMMON_DESCRIPTION "Tandem SIP switch: common files
mediactl (the media node's CLI), the documentation, the tandem system
user and the RPC key pairs the daemons on this host use.")
set(CPACK_DEBIAN_SIGNALD_DESCRIPTION "Tandem SIP switch: signald
The SIP control plane (registrar, dialplan, B2BUA) with its systemd unit
and a loopback default configuration in /etc/tandem.")
set(CPACK_DEBIAN_MEDIAD_DESCRIPTION "Tandem SIP switch: mediad
The media node (io_uring RTP relay) with its systemd unit and a loopback
default configuration in /etc/tandem.")

# A Debian changelog per package (one entry for this version), dated by SOURCE_DATE_EPOCH
# when set so that two builds of one tree give the same packages.
string(TIMESTAMP _changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
foreach(comp common signald mediad)
  set(_dir ${CMAKE_CURRENT_BINARY_DIR}/package/doc/tandem-${comp})
  file(MAKE_DIRECTORY ${_dir})
  file(WRITE ${_dir}/changelog.Debian
       "tandem-${comp} (${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}) unstable; urgency=medium\n\n"
       "  * Built by CPack from the Tandem source tree.\n\n"
       " -- ${TANDEM_PACKAGE_MAINTAINER}  ${_changelog_date}\n")
  execute_process(COMMAND gzip -9nf ${_dir}/changelog.Debian)
  install(FILES ${_dir}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/tandem-${comp}
          COMPONENT ${comp})
endforeach()

# Maintainer scripts and conffiles, written per package into the build folder.
set(_ctl ${CMAKE_CURRENT_BINARY_DIR}/package/control)
function(tandem_control comp)
  file(MAKE_DIRECTORY ${_ctl}/${comp})
  set(files "")
  foreach(script ${ARGN})
    list(APPEND files ${_ctl}/${comp}/${script})
  endforeach()
  string(TOUPPER ${comp} up)
  set(CPACK_DEBIAN_${up}_PACKAGE_CONTROL_EXTRA ${files} PARENT_SCOPE)
  set(CPACK_DEBIAN_${up}_PACKAGE_CONTROL_STRICT_PERMISSION ON PARENT_SCOPE)
endfunction()

set(_src ${CMAKE_SOURCE_DIR}/deploy/package)
configure_file(${_src}/common-postinst.in ${_ctl}/common/postinst @ONLY
               FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
               WORLD_READ WORLD_EXECUTE)
configure_file(${_src}/common-postrm.in ${_ctl}/common/postrm @ONLY
               FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
               WORLD_READ WORLD_EXECUTE)
tandem_control(common postinst postrm)

foreach(comp signald mediad)
  set(TANDEM_PACKAGE tandem-${comp})
  set(TANDEM_UNIT tandem-${comp}.service)
  file(READ ${_src}/${comp}-postinst-extra extra)
  string(CONFIGURE "${extra}" TANDEM_POSTINST_EXTRA @ONLY)
  file(READ ${_src}/${comp}-postrm-extra extra)
  string(CONFIGURE "${extra}" TANDEM_POSTRM_EXTRA @ONLY)
  foreach(script postinst prerm postrm)
    configure_file(${_src}/service-${script}.in ${_ctl}/${comp}/${script} @ONLY
                   FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                   GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  endforeach()
  # The configs are the operator's once installed: dpkg keeps their edits on upgrade.
  if(comp STREQUAL signald)
    set(conf signald.ini directory.xml dialplan.xml)
    foreach(script ${TANDEM_DEMO_SCRIPTS})
      list(APPEND conf scripts/${script})
    endforeach()
  else()
    set(conf mediad.ini)
  endif()
  list(TRANSFORM conf PREPEND "${TANDEM_CONFDIR}/")
  list(JOIN conf "\n" conf)
  file(WRITE ${_ctl}/${comp}/conffiles "${conf}\n")
  tandem_control(${comp} postinst prerm postrm conffiles)
endforeach()

include(CPack)
