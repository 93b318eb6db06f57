// The TOML configuration of every service. Unknown keys and bad values are
// errors that name the file, line and key: a typo must never silently fall
// back to a default.
//
// Each section is a struct below whose member initialisers are the defaults;
// config.cpp's table of settings gives every member its key and its rule, and
// refuses to compile when a member has no row, so nothing can be defaulted
// without being readable from the file (docs/operations.md lists the same
// keys and defaults, which config_test checks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lakehouse {

struct ListenAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::string ToString() const;
};

// "host:port"; an empty host or a port outside 1..65535 is an error.
Result<ListenAddress> ParseListenAddress(std::string_view text);

struct LogConfig {
  std::string level = "info";  // trace, debug, info, warn, error, off
};

// Limits of every HTTP listener: bounded request sizes and times.
struct HttpConfig {
  int read_timeout_s = 30;
  int write_timeout_s = 30;
  int keep_alive_timeout_s = 5;
  int threads = 16;  // kept ready; a connection beyond them gets a thread of its own
  // A request head must arrive whole within this many seconds of its first
  // byte, and once a body has kept the server waiting this long in all, it
  // must have come at min_body_bytes_per_s on average (0: no minimum).
  int header_timeout_s = 10;
  int min_body_bytes_per_s = 1024;
  int max_connections = 512;             // open at once; beyond it 503
  int max_connections_per_client = 128;  // from one client address; beyond it 503
  int max_header_bytes = 64 << 10;       // a whole request head; beyond it 431
};

struct StoragedConfig {
  std::string listen = "127.0.0.1:8081";
  std::string backend = "local";      // "local" (root) or "s3" (the [s3] section)
  std::string root = "data/objects";  // relative paths are taken from the config file's folder
  uint64_t max_object_bytes = 5ull << 30;
};

// An S3-compatible object store (storage/s3_object_store.h). Credentials left
// empty come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN, an empty region from AWS_REGION (then us-east-1).
struct S3Config {
  std::string endpoint;  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000"
  std::string bucket;
  std::string region;
  bool path_style = true;  // false: virtual-host style (bucket.endpoint-host)
  std::string access_key_id;
  std::string secret_access_key;
  std::string ca_file;  // PEM bundle; relative to the config file; empty: the system's
  bool verify_tls = true;
  uint64_t part_bytes = 8ull << 20;  // multipart part size, 5 MiB .. 5 GiB
};

// Sections of services built in later work; parsed now so one config file
// serves every process.
//
// `storage` of catalogd, queryd and vectord: "storaged" reaches objects
// through storaged_url (the default, as before); "direct" opens the
// [storaged] backend in the process itself (the [s3] bucket, or the local
// root), so a deployment on S3 can run without storaged.
struct CatalogdConfig {
  std::string listen = "127.0.0.1:8082";
  std::string storage = "storaged";  // "storaged" or "direct"
  std::string storaged_url = "http://127.0.0.1:8081";
  std::string scratch = "scratch/catalogd";  // ingest spool; relative to the config file
  uint64_t max_ingest_bytes = 5ull << 30;
  // The size compaction rewrites a dataset's small files and deletes into.
  uint64_t compact_file_bytes = 128ull << 20;
  // An upsert that leaves this many files under compact_file_bytes / 16
  // merges them (a minor compaction); 0: never.
  uint64_t auto_compact_small_files = 8;
  // The vectord told of each erasure, so the text indexes built from the
  // dataset drop the erased rows at once; empty: no vectord to tell.
  std::string vectord_url;
};
struct QuerydConfig {
  std::string listen = "127.0.0.1:8083";
  std::string storage = "storaged";  // "storaged" or "direct"
  std::string catalogd_url = "http://127.0.0.1:8082";
  std::string storaged_url = "http://127.0.0.1:8081";
  std::string scratch = "scratch/queryd";  // spill and data file cache
  int timeout_ms = 30000;
  std::string memory_limit = "2GB";
  int threads = 2;
  int connections = 8;
  int64_t max_rows = 10'000'000;
  // Bound of the local copies of data files read from remote storage (under
  // scratch/cache), evicted least recently used first; 1 MiB .. 1 PiB.
  uint64_t cache_bytes = 10ull << 30;
  // Where SQL's vector_search() finds indexes; empty: vector_search refuses.
  std::string vectord_url;
  // Give memory that queries freed back to the system once queryd is idle
  // (about a second), instead of keeping it for the next query: without
  // this, resident memory stays near the peak of the largest query.
  bool release_idle_memory = true;
};
// PostgreSQL clients (pgwire/pg_server.h) of serve and queryd: read-only
// SQL through the same engine as HTTP queries. Off while listen is empty.
struct PgwireConfig {
  std::string listen;  // "127.0.0.1:5433"; empty: no PostgreSQL listener
  int max_connections = 64;
  int max_message_bytes = 8 << 20;  // a frontend message larger than this ends the session
  // TLS: a PEM certificate chain and its private key, both or neither;
  // relative to the config file. With them a client asking for TLS gets it.
  std::string tls_cert;
  std::string tls_key;
  bool tls_required = false;  // refuse clients that do not ask for TLS (needs tls_cert)
};
struct VectordConfig {
  std::string listen = "127.0.0.1:8084";
  std::string storage = "storaged";  // "direct", or "storaged" at storaged_url
  std::string storaged_url;          // empty (with storage = "storaged"): ephemeral
  // Of several vectord (or serve) processes on one store exactly one writes
  // indexes (vector_service.h): "auto" takes the role if it is free, "writer"
  // insists (fails to start if taken), "reader" never writes.
  std::string role = "auto";
  int reload_interval_ms = 2000;  // how often a reader looks for changed indexes
  // An index is compacted (a new base, its deltas deleted) once it has this
  // many deltas, or once they outgrow a quarter of its base.
  int compact_deltas = 1000;
  // Where dataset text indexes read their rows; empty: they cannot be built.
  std::string queryd_url;
};
struct GatewayConfig {
  std::string listen = "127.0.0.1:8080";
  std::string storaged_url = "http://127.0.0.1:8081";
  std::string catalogd_url = "http://127.0.0.1:8082";
  std::string queryd_url = "http://127.0.0.1:8083";
  std::string vectord_url = "http://127.0.0.1:8084";
};

// Local model servers offered as embedders besides the built-in one (their
// names: "openai:<model>", "ollama:<model>"). Empty URLs: none. And a static
// (model2vec-style) model read from a folder at startup, "static:<folder name>".
struct EmbedConfig {
  std::string openai_url;  // OpenAI-compatible: llama.cpp, vLLM, LM Studio, TEI
  std::string openai_model;
  int openai_dim = 0;  // 0: learned from the first answer
  std::string ollama_url;
  std::string ollama_model;
  int ollama_dim = 0;
  int timeout_s = 60;
  // A folder with model.safetensors, tokenizer.json and optionally config.json
  // (embed/static_embedder.h); relative to the config file; empty: none.
  std::string static_model;
};

// Access to whatever faces users (serve, gateway): see gateway/access_control.h.
struct AuthConfig {
  std::string token_file;  // empty: no tokens, loopback only; relative to the config file
  bool allow_insecure_remote = false;
};

// The read-only Iceberg REST catalog under /iceberg/v1/ of serve and catalogd
// (docs/iceberg.md): the live datasets as the tables of one namespace.
struct IcebergConfig {
  bool enabled = true;
  // The one namespace's name (the key is "namespace"); a dataset name's rule.
  std::string namespace_name = "lakehouse";
  // The URI under which engines see the store's root (s3://bucket/...,
  // file:///...); empty: decided by whoever writes the table metadata.
  std::string location;
};

struct Config {
  LogConfig log;
  AuthConfig auth;
  EmbedConfig embed;
  HttpConfig http;
  StoragedConfig storaged;
  S3Config s3;
  CatalogdConfig catalogd;
  QuerydConfig queryd;
  PgwireConfig pgwire;
  VectordConfig vectord;
  GatewayConfig gateway;
  IcebergConfig iceberg;
};

// Parses TOML text; `source` names it in errors and `base_dir` anchors
// relative paths.
Result<Config> ParseConfig(std::string_view text, std::string_view source,
                           std::string_view base_dir);
Result<Config> LoadConfigFile(const std::string& path);

// One setting and its value as TOML text ("\"info\"", "30", "true").
struct SettingValue {
  std::string_view section;
  std::string_view key;
  std::string toml;
};
// Every setting in the order of docs/operations.md; of Config{} that is the defaults.
std::vector<SettingValue> ListSettings(const Config& config);
// The same as a TOML file that ParseConfig reads back to `config`.
std::string FormatConfig(const Config& config);

}  // namespace lakehouse
