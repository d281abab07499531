# What `cmake --install` puts where, and the Debian package `cpack -G DEB` makes.
#   bin/sockstep
#   share/sockstep/lessons/           *.toml, ORDER, reference/ (the binary finds them
#                                     at ../share/sockstep/lessons from itself)
#   share/applications/sockstep.desktop
#   share/icons/hicolor/128x128/apps/sockstep.png
#   share/man/man1/sockstep.1.gz      generated from the CLI's own --help (help2man)
set(dist_dir ${CMAKE_CURRENT_LIST_DIR})

install(FILES ${PROJECT_SOURCE_DIR}/lessons/ORDER DESTINATION share/sockstep/lessons)
install(FILES ${dist_dir}/sockstep.desktop DESTINATION share/applications)
install(FILES ${dist_dir}/sockstep.png DESTINATION share/icons/hicolor/128x128/apps)

find_program(HELP2MAN help2man)
find_program(GZIP gzip)
if(HELP2MAN AND GZIP)
  set(man_page ${PROJECT_BINARY_DIR}/sockstep.1)
  add_custom_command(OUTPUT ${man_page}.gz
    COMMAND ${dist_dir}/make-man.sh $<TARGET_FILE:sockstep> ${man_page}
    COMMAND ${GZIP} -9nf ${man_page}
    DEPENDS sockstep ${dist_dir}/make-man.sh
    COMMENT "Writing the man page from sockstep --help")
  add_custom_target(sockstep_man ALL DEPENDS ${man_page}.gz)
  install(FILES ${man_page}.gz DESTINATION share/man/man1)
else()
  message(STATUS "help2man or gzip not found: no man page (apt-get install help2man)")
endif()

set(CPACK_PACKAGE_NAME sockstep)
set(CPACK_PACKAGE_VENDOR sockstep)
set(CPACK_PACKAGE_CONTACT "sockstep maintainers <sockstep@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "learn Berkeley sockets by running them")
set(CPACK_PACKAGE_DESCRIPTION
  "sockstep steps through lessons in which every step is a real system call made by a real server or client thread on loopback, and shows what the kernel holds: socket states, queues, buffers and the bytes that moved. Lessons are bilingual (English, Chinese); a window (ImGui) and a terminal mode.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION education)
# Runtime libraries come from dpkg-shlibdeps (libfmt9, libtomlplusplus3, libglfw3, ...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-noto-cjk")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, netcat-openbsd")
include(CPack)
