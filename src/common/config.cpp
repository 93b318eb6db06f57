#include "common/config.h"

#include <toml++/toml.h>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace lakehouse {
namespace {

std::string Where(std::string_view source, const toml::source_region& region) {
  std::ostringstream out;
  out << source << ":" << region.begin.line << ":" << region.begin.column;
  return out.str();
}

// Reads one [section] and remembers which keys it consumed, so whatever is
// left over is reported as unknown.
class SectionReader {
 public:
  SectionReader(const toml::table& table, std::string section, std::string_view source)
      : table_(table), section_(std::move(section)), source_(source) {}

  Status String(std::string_view key, std::string* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_string()) return WrongType(*node, key, "a string");
    *out = node->as_string()->get();
    return Status::Ok();
  }

  Status Integer(std::string_view key, int64_t min, int64_t max, int64_t* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_integer()) return WrongType(*node, key, "an integer");
    int64_t value = node->as_integer()->get();
    if (value < min || value > max) {
      return Status::InvalidArgument(Where(source_, node->source()) + ": " + section_ + "." +
                                     std::string(key) + " must be between " + std::to_string(min) +
                                     " and " + std::to_string(max) + ", got " +
                                     std::to_string(value));
    }
    *out = value;
    return Status::Ok();
  }

  Status Int(std::string_view key, int64_t min, int64_t max, int* out) {
    int64_t value = *out;
    LH_RETURN_IF_ERROR(Integer(key, min, max, &value));
    *out = static_cast<int>(value);
    return Status::Ok();
  }

  Status OneOf(std::string_view key, const std::set<std::string>& allowed, std::string* out) {
    std::string value = *out;
    LH_RETURN_IF_ERROR(String(key, &value));
    if (!allowed.contains(value)) {
      std::string choices;
      for (const auto& a : allowed) choices += (choices.empty() ? "" : ", ") + a;
      return Status::InvalidArgument(Where(source_, Find(key)->source()) + ": " + section_ + "." +
                                     std::string(key) + " must be one of " + choices + ", got \"" +
                                     value + "\"");
    }
    *out = value;
    return Status::Ok();
  }

  Status Listen(std::string_view key, std::string* out) {
    std::string value = *out;
    LH_RETURN_IF_ERROR(String(key, &value));
    if (auto parsed = ParseListenAddress(value); !parsed.ok()) {
      return Status::InvalidArgument(Where(source_, Find(key)->source()) + ": " + section_ + "." +
                                     std::string(key) + ": " + parsed.status().message());
    }
    *out = value;
    return Status::Ok();
  }

  Status Bool(std::string_view key, bool* out) {
    const toml::node* node = Find(key);
    if (node == nullptr) return Status::Ok();
    if (!node->is_boolean()) return WrongType(*node, key, "true or false");
    *out = node->as_boolean()->get();
    return Status::Ok();
  }

  Status Url(std::string_view key, bool allow_empty, std::string* out) {
    std::string value = *out;
    LH_RETURN_IF_ERROR(String(key, &value));
    bool ok = (allow_empty && value.empty()) || value.starts_with("http://") ||
              value.starts_with("https://");
    if (!ok) {
      return Status::InvalidArgument(Where(source_, Find(key)->source()) + ": " + section_ + "." +
                                     std::string(key) + " must be an http:// or https:// URL" +
                                     (allow_empty ? " or empty" : "") + ", got \"" + value + "\"");
    }
    *out = value;
    return Status::Ok();
  }

  Status Finish() const {
    for (const auto& [key, node] : table_) {
      if (!used_.contains(std::string(key.str()))) {
        return Status::InvalidArgument(Where(source_, node.source()) + ": unknown key \"" +
                                       section_ + "." + std::string(key.str()) + "\"");
      }
    }
    return Status::Ok();
  }

 private:
  const toml::node* Find(std::string_view key) {
    used_.insert(std::string(key));
    return table_.get(key);
  }

  Status WrongType(const toml::node& node, std::string_view key, std::string_view expected) const {
    std::ostringstream type;
    type << node.type();
    return Status::InvalidArgument(Where(source_, node.source()) + ": " + section_ + "." +
                                   std::string(key) + " must be " + std::string(expected) +
                                   ", got " + type.str());
  }

  const toml::table& table_;
  std::string section_;
  std::string_view source_;
  std::set<std::string> used_;
};

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

using SectionParser = Status (*)(SectionReader&, Config&);

Status ParseEmbed(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Url("openai_url", true, &c.embed.openai_url));
  LH_RETURN_IF_ERROR(r.String("openai_model", &c.embed.openai_model));
  LH_RETURN_IF_ERROR(r.Int("openai_dim", 0, 4096, &c.embed.openai_dim));
  LH_RETURN_IF_ERROR(r.Url("ollama_url", true, &c.embed.ollama_url));
  LH_RETURN_IF_ERROR(r.String("ollama_model", &c.embed.ollama_model));
  LH_RETURN_IF_ERROR(r.Int("ollama_dim", 0, 4096, &c.embed.ollama_dim));
  LH_RETURN_IF_ERROR(r.Int("timeout_s", 1, 3600, &c.embed.timeout_s));
  if (!c.embed.openai_url.empty() && c.embed.openai_model.empty()) {
    return Status::InvalidArgument("[embed] openai_url needs openai_model");
  }
  if (!c.embed.ollama_url.empty() && c.embed.ollama_model.empty()) {
    return Status::InvalidArgument("[embed] ollama_url needs ollama_model");
  }
  return Status::Ok();
}

Status ParseAuth(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.String("token_file", &c.auth.token_file));
  return r.Bool("allow_insecure_remote", &c.auth.allow_insecure_remote);
}

Status ParseLog(SectionReader& r, Config& c) {
  return r.OneOf("level", {"trace", "debug", "info", "warn", "error", "off"}, &c.log.level);
}

Status ParseHttp(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Int("read_timeout_s", 1, 3600, &c.http.read_timeout_s));
  LH_RETURN_IF_ERROR(r.Int("write_timeout_s", 1, 3600, &c.http.write_timeout_s));
  LH_RETURN_IF_ERROR(r.Int("keep_alive_timeout_s", 1, 3600, &c.http.keep_alive_timeout_s));
  LH_RETURN_IF_ERROR(r.Int("threads", 1, 1024, &c.http.threads));
  LH_RETURN_IF_ERROR(r.Int("header_timeout_s", 1, 3600, &c.http.header_timeout_s));
  LH_RETURN_IF_ERROR(r.Int("min_body_bytes_per_s", 0, 1 << 30, &c.http.min_body_bytes_per_s));
  LH_RETURN_IF_ERROR(r.Int("max_connections", 1, 100000, &c.http.max_connections));
  return r.Int("max_connections_per_client", 1, 100000, &c.http.max_connections_per_client);
}

Status ParseStoraged(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Listen("listen", &c.storaged.listen));
  LH_RETURN_IF_ERROR(r.OneOf("backend", {"local", "s3"}, &c.storaged.backend));
  LH_RETURN_IF_ERROR(r.String("root", &c.storaged.root));
  int64_t max = static_cast<int64_t>(c.storaged.max_object_bytes);
  LH_RETURN_IF_ERROR(r.Integer("max_object_bytes", 1, int64_t{1} << 50, &max));
  c.storaged.max_object_bytes = static_cast<uint64_t>(max);
  return Status::Ok();
}

Status ParseS3(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Url("endpoint", true, &c.s3.endpoint));
  LH_RETURN_IF_ERROR(r.String("bucket", &c.s3.bucket));
  LH_RETURN_IF_ERROR(r.String("region", &c.s3.region));
  LH_RETURN_IF_ERROR(r.Bool("path_style", &c.s3.path_style));
  LH_RETURN_IF_ERROR(r.String("access_key_id", &c.s3.access_key_id));
  LH_RETURN_IF_ERROR(r.String("secret_access_key", &c.s3.secret_access_key));
  LH_RETURN_IF_ERROR(r.String("ca_file", &c.s3.ca_file));
  LH_RETURN_IF_ERROR(r.Bool("verify_tls", &c.s3.verify_tls));
  int64_t part = static_cast<int64_t>(c.s3.part_bytes);
  LH_RETURN_IF_ERROR(r.Integer("part_bytes", int64_t{5} << 20, int64_t{5} << 30, &part));
  c.s3.part_bytes = static_cast<uint64_t>(part);
  return Status::Ok();
}

Status ParseCatalogd(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Listen("listen", &c.catalogd.listen));
  LH_RETURN_IF_ERROR(r.OneOf("storage", {"storaged", "direct"}, &c.catalogd.storage));
  LH_RETURN_IF_ERROR(r.String("scratch", &c.catalogd.scratch));
  int64_t max = static_cast<int64_t>(c.catalogd.max_ingest_bytes);
  LH_RETURN_IF_ERROR(r.Integer("max_ingest_bytes", 1, int64_t{1} << 50, &max));
  c.catalogd.max_ingest_bytes = static_cast<uint64_t>(max);
  int64_t compact = static_cast<int64_t>(c.catalogd.compact_file_bytes);
  LH_RETURN_IF_ERROR(r.Integer("compact_file_bytes", 1 << 20, int64_t{1} << 40, &compact));
  c.catalogd.compact_file_bytes = static_cast<uint64_t>(compact);
  int64_t small = static_cast<int64_t>(c.catalogd.auto_compact_small_files);
  LH_RETURN_IF_ERROR(r.Integer("auto_compact_small_files", 0, 100000, &small));
  c.catalogd.auto_compact_small_files = static_cast<uint64_t>(small);
  LH_RETURN_IF_ERROR(r.Url("vectord_url", true, &c.catalogd.vectord_url));
  return r.Url("storaged_url", false, &c.catalogd.storaged_url);
}

Status ParseQueryd(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Listen("listen", &c.queryd.listen));
  LH_RETURN_IF_ERROR(r.OneOf("storage", {"storaged", "direct"}, &c.queryd.storage));
  LH_RETURN_IF_ERROR(r.Url("catalogd_url", false, &c.queryd.catalogd_url));
  LH_RETURN_IF_ERROR(r.String("scratch", &c.queryd.scratch));
  LH_RETURN_IF_ERROR(r.Int("timeout_ms", 1, 24 * 3600 * 1000, &c.queryd.timeout_ms));
  LH_RETURN_IF_ERROR(r.String("memory_limit", &c.queryd.memory_limit));
  LH_RETURN_IF_ERROR(r.Int("threads", 1, 256, &c.queryd.threads));
  LH_RETURN_IF_ERROR(r.Int("connections", 1, 256, &c.queryd.connections));
  LH_RETURN_IF_ERROR(r.Integer("max_rows", 1, int64_t{1} << 40, &c.queryd.max_rows));
  int64_t cache_bytes = static_cast<int64_t>(c.queryd.cache_bytes);
  LH_RETURN_IF_ERROR(r.Integer("cache_bytes", int64_t{1} << 20, int64_t{1} << 50, &cache_bytes));
  c.queryd.cache_bytes = static_cast<uint64_t>(cache_bytes);
  LH_RETURN_IF_ERROR(r.Url("vectord_url", true, &c.queryd.vectord_url));
  LH_RETURN_IF_ERROR(r.Bool("release_idle_memory", &c.queryd.release_idle_memory));
  return r.Url("storaged_url", false, &c.queryd.storaged_url);
}

Status ParseVectord(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Listen("listen", &c.vectord.listen));
  LH_RETURN_IF_ERROR(r.OneOf("storage", {"storaged", "direct"}, &c.vectord.storage));
  LH_RETURN_IF_ERROR(r.OneOf("role", {"auto", "writer", "reader"}, &c.vectord.role));
  LH_RETURN_IF_ERROR(r.Int("reload_interval_ms", 100, 3600 * 1000, &c.vectord.reload_interval_ms));
  LH_RETURN_IF_ERROR(r.Int("compact_deltas", 1, 1000000, &c.vectord.compact_deltas));
  LH_RETURN_IF_ERROR(r.Url("queryd_url", true, &c.vectord.queryd_url));
  return r.Url("storaged_url", true, &c.vectord.storaged_url);
}

Status ParseGateway(SectionReader& r, Config& c) {
  LH_RETURN_IF_ERROR(r.Listen("listen", &c.gateway.listen));
  LH_RETURN_IF_ERROR(r.Url("storaged_url", false, &c.gateway.storaged_url));
  LH_RETURN_IF_ERROR(r.Url("catalogd_url", false, &c.gateway.catalogd_url));
  LH_RETURN_IF_ERROR(r.Url("queryd_url", false, &c.gateway.queryd_url));
  return r.Url("vectord_url", false, &c.gateway.vectord_url);
}

struct Section {
  std::string_view name;
  SectionParser parse;
};
constexpr Section kSections[] = {
    {"auth", ParseAuth},         {"embed", ParseEmbed},       {"log", ParseLog},
    {"http", ParseHttp},         {"storaged", ParseStoraged}, {"s3", ParseS3},
    {"catalogd", ParseCatalogd}, {"queryd", ParseQueryd},     {"vectord", ParseVectord},
    {"gateway", ParseGateway},
};

}  // namespace

std::string ListenAddress::ToString() const { return host + ":" + std::to_string(port); }

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("listen address must be host:port, got \"" + std::string(text) +
                                   "\"");
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument("listen port must be 0..65535, got \"" + std::string(port_text) +
                                   "\"");
  }
  ListenAddress address;
  address.host = std::string(text.substr(0, colon));
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  address.port = static_cast<uint16_t>(port);
  return address;
}

Result<Config> ParseConfig(std::string_view text, std::string_view source,
                           std::string_view base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(Where(source, e.source()) + ": " + std::string(e.description()));
  }
  Config config;
  for (const auto& [key, node] : root) {
    const Section* section = nullptr;
    for (const auto& s : kSections) {
      if (s.name == key.str()) section = &s;
    }
    if (section == nullptr) {
      return Status::InvalidArgument(Where(source, node.source()) + ": unknown section [" +
                                     std::string(key.str()) + "]");
    }
    if (!node.is_table()) {
      return Status::InvalidArgument(Where(source, node.source()) + ": " + std::string(key.str()) +
                                     " must be a [section]");
    }
    SectionReader reader(*node.as_table(), std::string(key.str()), source);
    LH_RETURN_IF_ERROR(section->parse(reader, config));
    LH_RETURN_IF_ERROR(reader.Finish());
  }
  config.storaged.root = Resolve(base_dir, config.storaged.root);
  if (config.storaged.backend == "s3" && (config.s3.endpoint.empty() || config.s3.bucket.empty())) {
    return Status::InvalidArgument(std::string(source) +
                                   ": storaged.backend = \"s3\" needs [s3] endpoint and bucket");
  }
  config.s3.ca_file = Resolve(base_dir, config.s3.ca_file);
  if (!config.auth.token_file.empty()) {
    config.auth.token_file = Resolve(base_dir, config.auth.token_file);
  }
  config.catalogd.scratch = Resolve(base_dir, config.catalogd.scratch);
  config.queryd.scratch = Resolve(base_dir, config.queryd.scratch);
  return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, "cannot open config file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string base_dir = std::filesystem::absolute(path).parent_path().string();
  return ParseConfig(buffer.str(), path, base_dir);
}

}  // namespace lakehouse
