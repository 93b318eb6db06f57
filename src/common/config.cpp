// Reads the TOML config by walking one table of settings, so parsing, defaults and listing agree.
#include "common/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <span>
#include <sstream>
#include <type_traits>
#include <variant>

#include "common/toml_section.h"

namespace lakehouse {
namespace {

std::string Resolve(std::string_view base_dir, const std::string& path) {
  if (path.empty() || base_dir.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// How a setting's TOML value is read and checked.
enum class Kind {
  kText,           // any string
  kPath,           // a string; relative paths are taken from the config file's folder
  kUrl,            // http:// or https://
  kUrlOrEmpty,     // the same, or "" for "none"
  kListen,         // host:port
  kListenOrEmpty,  // the same, or "" for "none"
  kChoice,         // one of Rule::choices
  kBool,
  kInteger,   // between Rule::min and Rule::max
  kName,      // a dataset name's rule: [a-z][a-z0-9_]{0,62}
  kStoreUri,  // "" or a URI of one of kStoreSchemes
};

struct Rule {
  Kind kind;
  int64_t min = 0;
  int64_t max = 0;
  std::span<const std::string_view> choices = {};
};

constexpr Rule Text() { return {Kind::kText}; }
constexpr Rule Path() { return {Kind::kPath}; }
constexpr Rule Url() { return {Kind::kUrl}; }
constexpr Rule UrlOrEmpty() { return {Kind::kUrlOrEmpty}; }
constexpr Rule Listen() { return {Kind::kListen}; }
constexpr Rule ListenOrEmpty() { return {Kind::kListenOrEmpty}; }
constexpr Rule Flag() { return {Kind::kBool}; }
constexpr Rule Integer(int64_t min, int64_t max) { return {Kind::kInteger, min, max}; }
constexpr Rule Name() { return {Kind::kName}; }
constexpr Rule StoreUri() { return {Kind::kStoreUri}; }
constexpr Rule OneOf(std::span<const std::string_view> choices) {
  return {Kind::kChoice, 0, 0, choices};
}

// Where a setting's value lives in a Config.
using Slot = std::variant<std::string*, bool*, int*, int64_t*, uint64_t*>;

struct Setting {
  std::string_view section;
  std::string_view key;
  Rule rule;
  Slot (*slot)(Config&);
};

template <auto kSection, auto kMember>
Slot SlotOf(Config& config) {
  return &(config.*kSection.*kMember);
}

// Refuses to compile a rule that cannot hold the member's type or range.
template <auto kSection, auto kMember>
consteval Setting MakeSetting(std::string_view section, std::string_view key, Rule rule) {
  using T = std::remove_cvref_t<decltype(std::declval<Config&>().*kSection.*kMember)>;
  if constexpr (std::is_same_v<T, std::string>) {
    if (rule.kind == Kind::kBool || rule.kind == Kind::kInteger) throw "a string needs a text rule";
  } else if constexpr (std::is_same_v<T, bool>) {
    if (rule.kind != Kind::kBool) throw "a bool needs Flag()";
  } else {
    static_assert(std::is_integral_v<T>);
    if (rule.kind != Kind::kInteger) throw "an integer needs Integer(min, max)";
    if (rule.min < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
        static_cast<uint64_t>(rule.max) > std::numeric_limits<T>::max()) {
      throw "the range does not fit the member's type";
    }
  }
  return {section, key, rule, &SlotOf<kSection, kMember>};
}

// The key is the member's name, so the two cannot drift apart.
#define LH_SETTING(section, key, rule) \
  MakeSetting<&Config::section, &decltype(Config::section)::key>(#section, #key, rule)
// For the one key that is a C++ keyword ("namespace") and so cannot be a member's name.
#define LH_SETTING_KEYED(section, member, key, rule) \
  MakeSetting<&Config::section, &decltype(Config::section)::member>(#section, key, rule)

constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
constexpr std::string_view kBackends[] = {"local", "s3"};
constexpr std::string_view kStorage[] = {"storaged", "direct"};
constexpr std::string_view kRoles[] = {"auto", "writer", "reader"};

// Every setting, in the order of docs/operations.md. Defaults are the
// members' initialisers in config.h.
constexpr Setting kSettings[] = {
    LH_SETTING(log, level, OneOf(kLevels)),
    LH_SETTING(http, read_timeout_s, Integer(1, 3600)),
    LH_SETTING(http, write_timeout_s, Integer(1, 3600)),
    LH_SETTING(http, keep_alive_timeout_s, Integer(1, 3600)),
    LH_SETTING(http, threads, Integer(1, 1024)),
    LH_SETTING(http, header_timeout_s, Integer(1, 3600)),
    LH_SETTING(http, min_body_bytes_per_s, Integer(0, 1 << 30)),
    LH_SETTING(http, max_connections, Integer(1, 100000)),
    LH_SETTING(http, max_connections_per_client, Integer(1, 100000)),
    LH_SETTING(http, max_header_bytes, Integer(1 << 10, 1 << 20)),
    LH_SETTING(storaged, listen, Listen()),
    LH_SETTING(storaged, backend, OneOf(kBackends)),
    LH_SETTING(storaged, root, Path()),
    LH_SETTING(storaged, max_object_bytes, Integer(1, int64_t{1} << 50)),
    LH_SETTING(s3, endpoint, UrlOrEmpty()),
    LH_SETTING(s3, bucket, Text()),
    LH_SETTING(s3, region, Text()),
    LH_SETTING(s3, path_style, Flag()),
    LH_SETTING(s3, access_key_id, Text()),
    LH_SETTING(s3, secret_access_key, Text()),
    LH_SETTING(s3, ca_file, Path()),
    LH_SETTING(s3, verify_tls, Flag()),
    LH_SETTING(s3, part_bytes, Integer(int64_t{5} << 20, int64_t{5} << 30)),
    LH_SETTING(catalogd, listen, Listen()),
    LH_SETTING(catalogd, storage, OneOf(kStorage)),
    LH_SETTING(catalogd, storaged_url, Url()),
    LH_SETTING(catalogd, scratch, Path()),
    LH_SETTING(catalogd, max_ingest_bytes, Integer(1, int64_t{1} << 50)),
    LH_SETTING(catalogd, compact_file_bytes, Integer(1 << 20, int64_t{1} << 40)),
    LH_SETTING(catalogd, auto_compact_small_files, Integer(0, 100000)),
    LH_SETTING(catalogd, vectord_url, UrlOrEmpty()),
    LH_SETTING(queryd, listen, Listen()),
    LH_SETTING(queryd, storage, OneOf(kStorage)),
    LH_SETTING(queryd, catalogd_url, Url()),
    LH_SETTING(queryd, storaged_url, Url()),
    LH_SETTING(queryd, scratch, Path()),
    LH_SETTING(queryd, timeout_ms, Integer(1, 24 * 3600 * 1000)),
    LH_SETTING(queryd, memory_limit, Text()),
    LH_SETTING(queryd, threads, Integer(1, 256)),
    LH_SETTING(queryd, connections, Integer(1, 256)),
    LH_SETTING(queryd, max_rows, Integer(1, int64_t{1} << 40)),
    LH_SETTING(queryd, cache_bytes, Integer(int64_t{1} << 20, int64_t{1} << 50)),
    LH_SETTING(queryd, vectord_url, UrlOrEmpty()),
    LH_SETTING(queryd, release_idle_memory, Flag()),
    LH_SETTING(pgwire, listen, ListenOrEmpty()),
    LH_SETTING(pgwire, max_connections, Integer(1, 10000)),
    LH_SETTING(pgwire, max_message_bytes, Integer(1 << 12, 1 << 30)),
    LH_SETTING(pgwire, tls_cert, Path()),
    LH_SETTING(pgwire, tls_key, Path()),
    LH_SETTING(pgwire, tls_required, Flag()),
    LH_SETTING(vectord, listen, Listen()),
    LH_SETTING(vectord, storage, OneOf(kStorage)),
    LH_SETTING(vectord, storaged_url, UrlOrEmpty()),
    LH_SETTING(vectord, role, OneOf(kRoles)),
    LH_SETTING(vectord, reload_interval_ms, Integer(100, 3600 * 1000)),
    LH_SETTING(vectord, compact_deltas, Integer(1, 1000000)),
    LH_SETTING(vectord, queryd_url, UrlOrEmpty()),
    LH_SETTING(gateway, listen, Listen()),
    LH_SETTING(gateway, storaged_url, Url()),
    LH_SETTING(gateway, catalogd_url, Url()),
    LH_SETTING(gateway, queryd_url, Url()),
    LH_SETTING(gateway, vectord_url, Url()),
    LH_SETTING(embed, openai_url, UrlOrEmpty()),
    LH_SETTING(embed, openai_model, Text()),
    LH_SETTING(embed, openai_dim, Integer(0, 4096)),
    LH_SETTING(embed, ollama_url, UrlOrEmpty()),
    LH_SETTING(embed, ollama_model, Text()),
    LH_SETTING(embed, ollama_dim, Integer(0, 4096)),
    LH_SETTING(embed, timeout_s, Integer(1, 3600)),
    LH_SETTING(embed, static_model, Path()),
    LH_SETTING(auth, token_file, Path()),
    LH_SETTING(auth, allow_insecure_remote, Flag()),
    LH_SETTING(iceberg, enabled, Flag()),
    LH_SETTING_KEYED(iceberg, namespace_name, "namespace", Name()),
    LH_SETTING(iceberg, location, StoreUri()),
};

#undef LH_SETTING
#undef LH_SETTING_KEYED

// The number of members of an aggregate: the most initialisers it takes.
struct AnyMember {
  template <typename T>
  operator T() const;  // NOLINT: only named in unevaluated checks
};
template <typename T, typename... Seen>
consteval size_t MemberCount() {
  if constexpr (requires { T{Seen{}..., AnyMember{}}; }) {
    return MemberCount<T, Seen..., AnyMember>();
  } else {
    return sizeof...(Seen);
  }
}

constexpr size_t SettingsIn(std::string_view section) {
  size_t n = 0;
  for (const Setting& setting : kSettings) n += setting.section == section ? 1 : 0;
  return n;
}

consteval bool KeysAreUnique() {
  for (size_t i = 0; i < std::size(kSettings); ++i) {
    for (size_t j = i + 1; j < std::size(kSettings); ++j) {
      if (kSettings[i].section == kSettings[j].section && kSettings[i].key == kSettings[j].key) {
        return false;
      }
    }
  }
  return true;
}

// A member added to a section without a row in kSettings fails here.
#define LH_SECTION_COMPLETE(section)                                              \
  static_assert(MemberCount<decltype(Config::section)>() == SettingsIn(#section), \
                "every member of Config::" #section " needs its row in kSettings")
LH_SECTION_COMPLETE(log);
LH_SECTION_COMPLETE(auth);
LH_SECTION_COMPLETE(embed);
LH_SECTION_COMPLETE(http);
LH_SECTION_COMPLETE(storaged);
LH_SECTION_COMPLETE(s3);
LH_SECTION_COMPLETE(catalogd);
LH_SECTION_COMPLETE(queryd);
LH_SECTION_COMPLETE(pgwire);
LH_SECTION_COMPLETE(vectord);
LH_SECTION_COMPLETE(gateway);
LH_SECTION_COMPLETE(iceberg);
#undef LH_SECTION_COMPLETE
static_assert(MemberCount<Config>() == 12, "a new section of Config needs its check above");
static_assert(KeysAreUnique());

bool IsSection(std::string_view name) { return SettingsIn(name) > 0; }

// The same rule as catalog::ValidateDatasetName, which this layer cannot call.
bool IsName(std::string_view text) {
  if (text.empty() || text.size() > 63 || text[0] < 'a' || text[0] > 'z') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// The schemes under which an engine (Spark, Trino, DuckDB...) reads files.
constexpr std::string_view kStoreSchemes[] = {"s3://",   "s3a://",  "gs://",   "abfss://",
                                              "file://", "http://", "https://"};

bool IsStoreUri(std::string_view text) {
  return text.empty() || std::any_of(std::begin(kStoreSchemes), std::end(kStoreSchemes),
                                     [text](std::string_view s) { return text.starts_with(s); });
}

Status ReadText(SectionReader& reader, const Setting& setting, std::string* out) {
  switch (setting.rule.kind) {
    case Kind::kUrl:
      return reader.Url(setting.key, false, out);
    case Kind::kUrlOrEmpty:
      return reader.Url(setting.key, true, out);
    case Kind::kListen:
      return reader.Listen(setting.key, out);
    case Kind::kListenOrEmpty: {
      std::string value = *out;
      LH_RETURN_IF_ERROR(reader.String(setting.key, &value));
      if (!value.empty()) return reader.Listen(setting.key, out);
      *out = value;
      return Status::Ok();
    }
    case Kind::kChoice:
      return reader.OneOf(setting.key, setting.rule.choices, out);
    case Kind::kName:
      return reader.Checked(setting.key, IsName, "a name matching [a-z][a-z0-9_]{0,62}", out);
    case Kind::kStoreUri:
      return reader.Checked(setting.key, IsStoreUri,
                            "empty or a URI starting with s3://, s3a://, gs://, abfss://, "
                            "file://, http:// or https://",
                            out);
    default:
      return reader.String(setting.key, out);
  }
}

template <typename T>
Status ReadInteger(SectionReader& reader, const Setting& setting, T* out) {
  int64_t value = static_cast<int64_t>(*out);
  LH_RETURN_IF_ERROR(reader.Integer(setting.key, setting.rule.min, setting.rule.max, &value));
  *out = static_cast<T>(value);
  return Status::Ok();
}

Status ReadSetting(SectionReader& reader, const Setting& setting, Config& config) {
  return std::visit(
      [&](auto* out) -> Status {
        using T = std::remove_pointer_t<decltype(out)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return ReadText(reader, setting, out);
        } else if constexpr (std::is_same_v<T, bool>) {
          return reader.Bool(setting.key, out);
        } else {
          return ReadInteger(reader, setting, out);
        }
      },
      setting.slot(config));
}

Status ReadSection(SectionReader& reader, std::string_view section, Config& config) {
  for (const Setting& setting : kSettings) {
    if (setting.section == section) LH_RETURN_IF_ERROR(ReadSetting(reader, setting, config));
  }
  return reader.Finish();
}

// Rules that join two settings, which no single row can state.
Status CheckCombinations(const Config& config, std::string_view source) {
  if (!config.embed.openai_url.empty() && config.embed.openai_model.empty()) {
    return Status::InvalidArgument("[embed] openai_url needs openai_model");
  }
  if (!config.embed.ollama_url.empty() && config.embed.ollama_model.empty()) {
    return Status::InvalidArgument("[embed] ollama_url needs ollama_model");
  }
  if (config.pgwire.tls_cert.empty() != config.pgwire.tls_key.empty()) {
    return Status::InvalidArgument(
        std::string(source) + ": [pgwire] tls_cert and tls_key go together: set both or neither");
  }
  if (config.pgwire.tls_required && config.pgwire.tls_cert.empty()) {
    return Status::InvalidArgument(std::string(source) +
                                   ": [pgwire] tls_required needs tls_cert and tls_key");
  }
  if (config.storaged.backend == "s3" && (config.s3.endpoint.empty() || config.s3.bucket.empty())) {
    return Status::InvalidArgument(std::string(source) +
                                   ": storaged.backend = \"s3\" needs [s3] endpoint and bucket");
  }
  return Status::Ok();
}

// A TOML basic string, the "..." form the docs and example files use (toml++
// would print the '...' literal form).
std::string TomlBasicString(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7F) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04X", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string TomlText(const Slot& slot) {
  return std::visit(
      [](auto* value) -> std::string {
        using T = std::remove_pointer_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return TomlBasicString(*value);
        } else if constexpr (std::is_same_v<T, bool>) {
          return *value ? "true" : "false";
        } else {
          return std::to_string(*value);
        }
      },
      slot);
}

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
    const std::string section(key.str());
    if (!IsSection(section)) {
      return Status::InvalidArgument(Where(source, node.source()) + ": unknown section [" +
                                     section + "]");
    }
    if (!node.is_table()) {
      return Status::InvalidArgument(Where(source, node.source()) + ": " + section +
                                     " must be a [section]");
    }
    SectionReader reader(*node.as_table(), section, source);
    LH_RETURN_IF_ERROR(ReadSection(reader, section, config));
  }
  LH_RETURN_IF_ERROR(CheckCombinations(config, source));
  for (const Setting& setting : kSettings) {
    if (setting.rule.kind != Kind::kPath) continue;
    std::string* path = std::get<std::string*>(setting.slot(config));
    *path = Resolve(base_dir, *path);
  }
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

std::vector<SettingValue> ListSettings(const Config& config) {
  // Slots point into a Config; reading through a copy keeps `config` const.
  Config copy = config;
  std::vector<SettingValue> out;
  out.reserve(std::size(kSettings));
  for (const Setting& setting : kSettings) {
    out.push_back({setting.section, setting.key, TomlText(setting.slot(copy))});
  }
  return out;
}

std::string FormatConfig(const Config& config) {
  std::string out;
  std::string_view section;
  for (const SettingValue& setting : ListSettings(config)) {
    if (setting.section != section) {
      section = setting.section;
      out += (out.empty() ? "[" : "\n[") + std::string(section) + "]\n";
    }
    out += std::string(setting.key) + " = " + setting.toml + "\n";
  }
  return out;
}

}  // namespace lakehouse
