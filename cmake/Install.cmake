# The installed tree, relocatable as a whole:
#
#   bin/ltocache-dtlto, bin/ltocache-compile, bin/ltocache
#   lib/LTOCacheClang.so, lib/LTOCacheLLD.so, lib/LTOCacheHttp.so
#   lib/cmake/ltocache/        find_package(ltocache): ltocache_enable()
#   share/ltocache/ltocache.cfg  clang --config= for any build system
#   share/doc/ltocache/
#
# lib/ is lib/ whatever GNUInstallDirs would say (lib/x86_64-linux-gnu/ on
# Debian): the distributor loads LTOCacheHttp.so from <its dir>/../lib/.
# Each component's CMakeLists.txt installs its targets into the export set
# ltocacheTargets.
include(CMakePackageConfigHelpers)

set(LTOCACHE_CMAKE_DIR lib/cmake/ltocache)
set(LTOCACHE_DATA_DIR share/ltocache)

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/ltocacheConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/ltocacheConfig.cmake
  INSTALL_DESTINATION ${LTOCACHE_CMAKE_DIR}
  PATH_VARS LTOCACHE_DATA_DIR)
# One minor version's plugin writes recipes that its distributor reads.
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/cmake/ltocacheConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(EXPORT ltocacheTargets NAMESPACE ltocache::
        DESTINATION ${LTOCACHE_CMAKE_DIR})
install(FILES ${CMAKE_BINARY_DIR}/cmake/ltocacheConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/ltocacheConfigVersion.cmake
        DESTINATION ${LTOCACHE_CMAKE_DIR})

configure_file(${CMAKE_CURRENT_LIST_DIR}/ltocache.cfg.in
               ${CMAKE_BINARY_DIR}/share/ltocache/ltocache.cfg @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/share/ltocache/ltocache.cfg
        DESTINATION ${LTOCACHE_DATA_DIR})
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/DESIGN.md
              ${CMAKE_SOURCE_DIR}/docs/KEYS.md
        DESTINATION share/doc/ltocache)

# cpack -G DEB: ltocache_<version>_<arch>.deb installing into /usr. Its
# dependencies: the toolchain ltocache plugs into, and the shared libraries
# the programs and modules load (dpkg-shlibdeps: libclang-cpp and libLLVM
# for the plugins, libcurl for the HTTP module, zlib, zstd, the C and C++
# runtimes).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ltocache)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "shared cache for ThinLTO backend jobs of clang and lld ${LLVM_VERSION_MAJOR}")
set(CPACK_PACKAGE_DESCRIPTION
    "ltocache keys every ThinLTO backend job of a link on the contents of \
everything that can change its object and serves it from a local or remote \
cache: a clang plugin, the DTLTO distributor lld runs, its in-process \
compile backend, and the ltocache command.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(LTOCACHE_PACKAGE_MAINTAINER "ltocache developers <ltocache@localhost>"
    CACHE STRING "The Debian package's Maintainer field")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${LTOCACHE_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "clang-${LLVM_VERSION_MAJOR}, lld-${LLVM_VERSION_MAJOR}")
include(CPack)
