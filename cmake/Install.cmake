# `cmake --install` lays out a file-system-hierarchy install; CPack packs the same rules into
# .deb packages (cmake/Package.cmake). Three components:
#   signald  /usr/sbin/signald, tandem-sipping, tandemctl, signald.ini + directory + dialplan, its unit
#   mediad   /usr/sbin/mediad, mediad.ini, its unit
#   common   /usr/bin/mediactl, the docs (both daemons need mediactl: the packages make the
#            RPC keys with it)
# The prefix defaults to /usr, where GNUInstallDirs puts the configuration in /etc and the state
# in /var (the run-time folders /run/tandem/signald and /run/tandem/mediad come from the units).
# The paths written into the units, configs and maintainer scripts are those chosen here at
# configure time: a later `cmake --install --prefix` moves the files, not those paths.
# A build folder configured before the default changed still holds CMake's own /usr/local,
# recognisable by CMake's help text (a prefix given with -D has another): it moves to /usr too.
get_property(_prefix_help CACHE CMAKE_INSTALL_PREFIX PROPERTY HELPSTRING)
if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT OR
   (CMAKE_INSTALL_PREFIX STREQUAL "/usr/local" AND _prefix_help MATCHES "^Install path prefix"))
  set(CMAKE_INSTALL_PREFIX /usr CACHE PATH "Install prefix (Tandem's default: /usr)" FORCE)
endif()
include(GNUInstallDirs)

set(TANDEM_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(TANDEM_SBINDIR ${CMAKE_INSTALL_FULL_SBINDIR})
set(TANDEM_CONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/tandem)
set(TANDEM_STATEDIR ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/tandem)
set(TANDEM_DOCDIR ${CMAKE_INSTALL_FULL_DOCDIR})
set(TANDEM_SYSTEMD_UNITDIR lib/systemd/system CACHE PATH
    "systemd units, relative to the prefix or absolute")

install(TARGETS signald DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT signald)
install(TARGETS tandem-sipping tandemctl DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT signald)
install(TARGETS mediad DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT mediad)
install(TARGETS mediactl DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT common)

# The installed configs are the demo's (deploy/demo, the product defaults) with the lines the
# quickstart sets on the command line written in: the state folder and the key files the
# package makes. A demo file that no longer has one of those lines stops the configure step
# rather than ship a config without it.
set(_pkgdir ${CMAKE_CURRENT_BINARY_DIR}/package)
function(tandem_config_from_demo name)
  file(READ ${CMAKE_SOURCE_DIR}/deploy/demo/${name} text)
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 1 ${last} 2)
    math(EXPR j "${i} + 1")
    set(from "${ARGV${i}}")
    set(to "${ARGV${j}}")
    string(FIND "${text}" "${from}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "deploy/demo/${name} has no line '${from}' for the installed config")
    endif()
    string(REPLACE "${from}" "${to}" text "${text}")
  endforeach()
  file(WRITE ${_pkgdir}/${name} "${text}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${CMAKE_SOURCE_DIR}/deploy/demo/${name})
endfunction()
tandem_config_from_demo(signald.ini
  "; Demo SIP node: loopback only, one media node."
  "; Tandem SIP node (from the demo: loopback only, one media node on this host)."
  "; state_dir is set by quickstart.sh (--set signald.state_dir=...)"
  "state_dir = ${TANDEM_STATEDIR}"
  "; CURVE keys towards the node: quickstart.sh makes them and sets these with --set."
  "; CURVE keys towards the node: the package made them (docs/deployment.md)."
  "; key_file = /etc/tandem/keys/sig1.key"
  "key_file = ${TANDEM_CONFDIR}/keys/sig1.key"
  "; server_key_file = /etc/tandem/keys/server.pub"
  "server_key_file = ${TANDEM_CONFDIR}/keys/server.pub")
tandem_config_from_demo(mediad.ini
  "; Demo media node: loopback only."
  "; Tandem media node (from the demo: loopback only)."
  "; The RPC runs with CURVE keys: quickstart.sh makes them in its state dir and sets these two\n; with --set. On separate hosts set them here (docs/deployment.md)."
  "; The RPC runs with CURVE keys: the package made them in ${TANDEM_CONFDIR}/keys. On\n; separate hosts see docs/deployment.md."
  "; rpc_key_file = /etc/tandem/keys/server.key"
  "rpc_key_file = ${TANDEM_CONFDIR}/keys/server.key"
  "; rpc_clients_file = /etc/tandem/keys/clients"
  "rpc_clients_file = ${TANDEM_CONFDIR}/keys/clients"
  "; recordings_dir = /var/lib/tandem/recordings"
  "recordings_dir = ${TANDEM_STATEDIR}/recordings")

install(FILES ${_pkgdir}/signald.ini ${CMAKE_SOURCE_DIR}/deploy/demo/directory.xml
              ${CMAKE_SOURCE_DIR}/deploy/demo/dialplan.xml
        DESTINATION ${TANDEM_CONFDIR} COMPONENT signald)
# The demo's Lua scripts, where the installed signald.ini's scripts_dir (relative) points.
file(GLOB TANDEM_DEMO_SCRIPTS RELATIVE ${CMAKE_SOURCE_DIR}/deploy/demo/scripts
     ${CMAKE_SOURCE_DIR}/deploy/demo/scripts/*.lua)
list(SORT TANDEM_DEMO_SCRIPTS)
list(TRANSFORM TANDEM_DEMO_SCRIPTS PREPEND ${CMAKE_SOURCE_DIR}/deploy/demo/scripts/
     OUTPUT_VARIABLE _demo_script_files)
install(FILES ${_demo_script_files} DESTINATION ${TANDEM_CONFDIR}/scripts COMPONENT signald)
install(FILES ${_pkgdir}/mediad.ini DESTINATION ${TANDEM_CONFDIR} COMPONENT mediad)
# The demo's prompts (8 kHz mono 16-bit WAV, spoken by espeak-ng), where mediad's [apps]
# prompts_dir points by default: the demo IVR (5000, scripts/ivr_menu.lua) plays them.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/demo/prompts/
        DESTINATION ${CMAKE_INSTALL_DATADIR}/tandem/prompts COMPONENT mediad
        FILES_MATCHING PATTERN "*.wav")

foreach(unit signald mediad)
  configure_file(${CMAKE_SOURCE_DIR}/deploy/systemd/tandem-${unit}.service.in
                 ${_pkgdir}/tandem-${unit}.service @ONLY)
  install(FILES ${_pkgdir}/tandem-${unit}.service DESTINATION ${TANDEM_SYSTEMD_UNITDIR}
          COMPONENT ${unit})
endforeach()

install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT common)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        COMPONENT common FILES_MATCHING PATTERN "*.md")

# Man pages (deploy/man), gzipped as Debian installs them: the CLIs in section 1, the daemons in
# section 8, each in the package of its program.
set(_man ${CMAKE_CURRENT_BINARY_DIR}/man)
set(_man_gz)
foreach(page tandemctl.1 mediactl.1 signald.8 mediad.8)
  add_custom_command(OUTPUT ${_man}/${page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_man}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/deploy/man/${page} ${_man}/${page}
    COMMAND gzip -9nf ${_man}/${page}
    DEPENDS ${CMAKE_SOURCE_DIR}/deploy/man/${page} VERBATIM)
  list(APPEND _man_gz ${_man}/${page}.gz)
endforeach()
add_custom_target(man_pages ALL DEPENDS ${_man_gz})
install(FILES ${_man}/tandemctl.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT signald)
install(FILES ${_man}/mediactl.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT common)
install(FILES ${_man}/signald.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT signald)
install(FILES ${_man}/mediad.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT mediad)
