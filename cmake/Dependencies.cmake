# Finds every third-party dependency. Debian packages come through their CMake
# or pkg-config files; the npm-hosted ones (DuckDB C API, hnswlib headers) from
# the cache scripts/bootstrap.sh fills, or from the system when asked. The
# benches also need FAISS (Debian) and usearch (npm).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(OpenSSL REQUIRED)
# The S3 backend's HTTP client (Debian's libcurl4-openssl-dev).
find_package(CURL REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# The command line's tables measure text in terminal columns (Debian's libutf8proc-dev).
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
# Iceberg manifests and manifest lists are Avro: Debian's Avro C (libavro-dev).
pkg_check_modules(AVRO REQUIRED IMPORTED_TARGET avro-c)
# The text index's English stemmer: Snowball's libstemmer (Debian's
# libstemmer-dev), which ships no pkg-config or CMake file.
find_path(STEMMER_INCLUDE_DIR libstemmer.h REQUIRED)
find_library(STEMMER_LIBRARY stemmer REQUIRED)
add_library(stemmer UNKNOWN IMPORTED GLOBAL)
set_target_properties(stemmer PROPERTIES
  IMPORTED_LOCATION "${STEMMER_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${STEMMER_INCLUDE_DIR}")

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

# The web UI: kainjow/mustache renders its templates (Debian's
# libkainjow-mustache-dev, header-only), and htmx (npm) is compiled into the
# binary from the cache, so neither is committed here.
find_path(MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp REQUIRED)
find_file(HTMX_JS htmx.min.js REQUIRED NO_DEFAULT_PATH
          PATHS "${LAKEHOUSE_DEPS_DIR}/htmx.org-2.0.11/package/dist")

if(LAKEHOUSE_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(LAKEHOUSE_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)

  # bench/vectors compares vectord with FAISS HNSW (Debian's libfaiss-dev: a
  # static library whose CMake package links BLAS, LAPACK and OpenMP) and with
  # usearch (npm, header-only C++). usearch's SIMD kernels are NumKong's, which
  # its package ships as C sources: they are compiled here from the cache, with
  # runtime dispatch, as the package's own binding.gyp builds them.
  find_package(OpenMP REQUIRED)
  find_package(faiss 1.7.3 CONFIG REQUIRED)

  set(_usearch_root "${LAKEHOUSE_DEPS_DIR}/usearch-2.26.2/package")
  find_path(USEARCH_INCLUDE_DIR usearch/index_dense.hpp REQUIRED NO_DEFAULT_PATH
            PATHS "${_usearch_root}/include")
  find_path(NUMKONG_DIR c/numkong.c REQUIRED NO_DEFAULT_PATH PATHS "${_usearch_root}/numkong")

  # Which x86 kernels the compiler can emit (NumKong's probes, run as its
  # cmake/nk_x86_isa_probes.cmake runs them); the CPU picks among them at run
  # time. Elsewhere NumKong's headers decide from the compiler's own macros.
  set(_numkong_isa_defs "")
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    include(CheckSourceCompiles)
    set(_saved_required_flags "${CMAKE_REQUIRED_FLAGS}")
    foreach(_probe IN ITEMS
        "HASWELL|haswell|-mavx2 -mfma -mf16c"
        "SKYLAKE|skylake|-mavx512f -mavx512bw -mavx512dq -mavx512vl"
        "ICELAKE|icelake|-mavx512vnni -mavx512vl"
        "GENOA|genoa|-mavx512bf16 -mavx512vl"
        "SAPPHIRE|sapphire|-mavx512fp16 -mavx512vl"
        "SAPPHIREAMX|sapphireamx|-mamx-tile -mamx-int8"
        "GRANITEAMX|graniteamx|-mamx-tile -mamx-fp16"
        "DIAMOND|diamond|-mavx10.2-512"
        "TURIN|turin|-mavx512vp2intersect"
        "ALDER|alder|-mavxvnni"
        "SIERRA|sierra|-mavxvnniint8")
      string(REPLACE "|" ";" _probe "${_probe}")
      list(GET _probe 0 _isa)
      list(GET _probe 1 _file)
      list(GET _probe 2 CMAKE_REQUIRED_FLAGS)
      file(READ "${NUMKONG_DIR}/probes/x86_${_file}.c" _probe_source)
      check_source_compiles(C "${_probe_source}" NUMKONG_COMPILES_${_isa})
      if(NUMKONG_COMPILES_${_isa})
        list(APPEND _numkong_isa_defs "NK_TARGET_${_isa}=1")
      else()
        list(APPEND _numkong_isa_defs "NK_TARGET_${_isa}=0")
      endif()
    endforeach()
    set(CMAKE_REQUIRED_FLAGS "${_saved_required_flags}")
  endif()

  file(GLOB _numkong_sources "${NUMKONG_DIR}/c/numkong.c" "${NUMKONG_DIR}/c/dispatch_*.c")
  add_library(numkong STATIC ${_numkong_sources})
  target_include_directories(numkong SYSTEM PUBLIC "${NUMKONG_DIR}/include")
  target_compile_definitions(numkong
    PUBLIC NK_DYNAMIC_DISPATCH=1 NK_NATIVE_F16=0 NK_NATIVE_BF16=0
    PRIVATE ${_numkong_isa_defs})
  # Third-party code: C11 and warnings off as its package builds it, but with
  # this build's optimisation flags (the package's own build adds -O3).
  set_target_properties(numkong PROPERTIES C_STANDARD 11 C_EXTENSIONS OFF)
  target_compile_options(numkong PRIVATE -w)
  target_link_libraries(numkong PRIVATE m)

  add_library(usearch INTERFACE IMPORTED GLOBAL)
  set_target_properties(usearch PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${USEARCH_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "USEARCH_USE_NUMKONG=1;USEARCH_USE_OPENMP=0"
    INTERFACE_LINK_LIBRARIES numkong)
endif()
