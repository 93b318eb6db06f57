# Finds every third-party dependency. Debian packages come through their CMake
# or pkg-config files; the npm-hosted ones (DuckDB C API, hnswlib headers) from
# the cache scripts/bootstrap.sh fills, or from the system when asked.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

if(DEFINED ENV{LAKEHOUSE_CACHE})
  set(_lakehouse_default_deps "$ENV{LAKEHOUSE_CACHE}/deps")
else()
  set(_lakehouse_default_deps "$ENV{HOME}/.cache/lakehouse/deps")
endif()
set(LAKEHOUSE_DEPS_DIR "${_lakehouse_default_deps}" CACHE PATH
    "Where scripts/bootstrap.sh unpacked the npm-hosted dependencies")
option(LAKEHOUSE_SYSTEM_DUCKDB "Use a DuckDB installed on the system instead of the pinned npm build" OFF)

if(LAKEHOUSE_SYSTEM_DUCKDB)
  find_path(DUCKDB_INCLUDE_DIR duckdb.h REQUIRED)
  find_library(DUCKDB_LIBRARY duckdb REQUIRED)
else()
  find_path(DUCKDB_INCLUDE_DIR duckdb.h REQUIRED NO_DEFAULT_PATH
            PATHS "${LAKEHOUSE_DEPS_DIR}/duckdb-1.4.4/package/src/duckdb/src/include")
  find_library(DUCKDB_LIBRARY duckdb REQUIRED NO_DEFAULT_PATH
               PATHS "${LAKEHOUSE_DEPS_DIR}/duckdb_node-bindings-linux-x64-1.4.4-r.4/package")
endif()
add_library(duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb PROPERTIES
  IMPORTED_LOCATION "${DUCKDB_LIBRARY}"
  IMPORTED_NO_SONAME TRUE
  INTERFACE_INCLUDE_DIRECTORIES "${DUCKDB_INCLUDE_DIR}")
get_filename_component(DUCKDB_LIBRARY_DIR "${DUCKDB_LIBRARY}" DIRECTORY)
# The binary finds libduckdb.so in the cache without LD_LIBRARY_PATH.
set(CMAKE_BUILD_RPATH "${DUCKDB_LIBRARY_DIR}")
set(CMAKE_INSTALL_RPATH "${DUCKDB_LIBRARY_DIR}")

find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h REQUIRED NO_DEFAULT_PATH
          PATHS "${LAKEHOUSE_DEPS_DIR}/hnswlib-node-3.0.0/package/src")
add_library(hnswlib INTERFACE IMPORTED GLOBAL)
set_target_properties(hnswlib PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${HNSWLIB_INCLUDE_DIR}")

if(LAKEHOUSE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(LAKEHOUSE_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()
