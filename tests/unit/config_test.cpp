#include "common/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace lakehouse {
namespace {

TEST(ConfigTest, EmptyTextGivesDefaults) {
  auto config = ParseConfig("", "empty.toml", "");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->storaged.listen, "127.0.0.1:8081");
  EXPECT_EQ(config->storaged.backend, "local");
  EXPECT_EQ(config->vectord.storaged_url, "");
  EXPECT_EQ(config->log.level, "info");
}

TEST(ConfigTest, ReadsEverySectionOfTheContract) {
  auto config = ParseConfig(R"(
[log]
level = "debug"
[storaged]
listen = "127.0.0.1:9001"
backend = "local"
root = "objects"
max_object_bytes = 1048576
[catalogd]
listen = "127.0.0.1:9002"
storaged_url = "http://127.0.0.1:9001"
[queryd]
catalogd_url = "http://127.0.0.1:9002"
[vectord]
storaged_url = ""
[gateway]
vectord_url = "http://127.0.0.1:9004"
[http]
threads = 4
)",
                            "all.toml", "/srv/lake");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->log.level, "debug");
  EXPECT_EQ(config->storaged.listen, "127.0.0.1:9001");
  EXPECT_EQ(config->storaged.root, "/srv/lake/objects");
  EXPECT_EQ(config->storaged.max_object_bytes, 1048576u);
  EXPECT_EQ(config->catalogd.storaged_url, "http://127.0.0.1:9001");
  EXPECT_EQ(config->gateway.vectord_url, "http://127.0.0.1:9004");
  EXPECT_EQ(config->http.threads, 4);
}

TEST(ConfigTest, AbsoluteRootIsKept) {
  auto config = ParseConfig("[storaged]\nroot = \"/data/objects\"\n", "c.toml", "/etc");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->storaged.root, "/data/objects");
}

void ExpectError(const std::string& text, const std::string& fragment) {
  auto config = ParseConfig(text, "bad.toml", "");
  ASSERT_FALSE(config.ok()) << text;
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(fragment), std::string::npos)
      << config.status().message();
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  ExpectError("[storaged]\nlisten = \"127.0.0.1:1\"\nrooot = \"x\"\n",
              "unknown key \"storaged.rooot\"");
  ExpectError("[storaged]\nlisten = \"127.0.0.1:1\"\nrooot = \"x\"\n", "bad.toml:3:");
}

TEST(ConfigTest, UnknownSectionIsAnError) { ExpectError("[storage]\nroot = \"x\"\n", "[storage]"); }

TEST(ConfigTest, WrongTypesAndRangesAreErrors) {
  ExpectError("[storaged]\nmax_object_bytes = \"big\"\n", "must be an integer, got string");
  ExpectError("[storaged]\nmax_object_bytes = 0\n", "between 1 and");
  ExpectError("[storaged]\nbackend = \"ftp\"\n", "must be one of");
  ExpectError("[storaged]\nlisten = \"nohost\"\n", "host:port");
  ExpectError("[storaged]\nlisten = \"127.0.0.1:99999\"\n", "0..65535");
  ExpectError("[catalogd]\nstoraged_url = \"ftp://x\"\n", "http://");
  ExpectError("[log]\nlevel = \"loud\"\n", "must be one of");
  ExpectError("[http]\nthreads = 0\n", "between 1 and 1024");
  ExpectError("storaged = 3\n", "must be a [section]");
}

TEST(ConfigTest, SyntaxErrorNamesTheLine) { ExpectError("[log]\nlevel = \n", "bad.toml:2:"); }

TEST(ConfigTest, ListenAddressParsing) {
  auto a = ParseListenAddress("0.0.0.0:80");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 80);
  auto v6 = ParseListenAddress("[::1]:8080");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_FALSE(ParseListenAddress(":80").ok());
  EXPECT_FALSE(ParseListenAddress("host:").ok());
  EXPECT_FALSE(ParseListenAddress("host:8x").ok());
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto config = LoadConfigFile("/nonexistent/lakehouse.toml");
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lakehouse

namespace lakehouse {
namespace {

TEST(ConfigTest, AuthAndEmbedSections) {
  auto config = ParseConfig(R"(
[auth]
token_file = "tokens"
allow_insecure_remote = true
[embed]
openai_url = "http://127.0.0.1:8000/v1"
openai_model = "nomic-embed-text"
openai_dim = 768
timeout_s = 5
)",
                            "full.toml", "/etc/lakehouse");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->auth.token_file, "/etc/lakehouse/tokens");
  EXPECT_TRUE(config->auth.allow_insecure_remote);
  EXPECT_EQ(config->embed.openai_model, "nomic-embed-text");
  EXPECT_EQ(config->embed.openai_dim, 768);
  EXPECT_TRUE(config->embed.ollama_url.empty());
  for (const auto& [text, error] : std::vector<std::pair<std::string, std::string>>{
           {"[auth]\nallow_insecure_remote = \"yes\"\n", "bad.toml:2"},
           {"[embed]\nollama_url = \"http://x:1\"\n", "ollama_url needs ollama_model"},
           {"[embed]\nopenai_url = \"ftp://x\"\n", "must be an http:// or https:// URL"},
           {"[embed]\nopenai_dim = 5000\n", "between 0 and 4096"}}) {
    auto bad = ParseConfig(text, "bad.toml", "");
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_NE(bad.status().message().find(error), std::string::npos) << bad.status().message();
  }
}

}  // namespace
}  // namespace lakehouse

namespace lakehouse {
namespace {

TEST(ConfigTest, ServicesSideBySideOnDirectStorage) {
  auto defaults = ParseConfig("", "empty.toml", "");
  ASSERT_TRUE(defaults.ok());
  // Old configs keep reaching storage through storaged.
  EXPECT_EQ(defaults->catalogd.storage, "storaged");
  EXPECT_EQ(defaults->queryd.storage, "storaged");
  EXPECT_EQ(defaults->vectord.storage, "storaged");
  EXPECT_EQ(defaults->vectord.role, "auto");
  EXPECT_EQ(defaults->vectord.reload_interval_ms, 2000);

  auto config = ParseConfig(R"(
[storaged]
backend = "s3"
[s3]
endpoint = "http://minio:9000"
bucket = "lake"
[catalogd]
storage = "direct"
[queryd]
storage = "direct"
[vectord]
storage = "direct"
role = "reader"
reload_interval_ms = 500
)",
                            "side.toml", "/srv");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->catalogd.storage, "direct");
  EXPECT_EQ(config->queryd.storage, "direct");
  EXPECT_EQ(config->vectord.storage, "direct");
  EXPECT_EQ(config->vectord.role, "reader");
  EXPECT_EQ(config->vectord.reload_interval_ms, 500);

  auto bad = [](const std::string& text, const std::string& expected) {
    auto parsed = ParseConfig(text, "bad.toml", "");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.status().message().find(expected), std::string::npos)
        << parsed.status().message();
  };
  bad("[queryd]\nstorage = \"s3\"\n", "bad.toml:2:");
  bad("[queryd]\nstorage = \"s3\"\n", "queryd.storage must be one of direct, storaged");
  bad("[vectord]\nrole = \"leader\"\n", "vectord.role must be one of");
  bad("[vectord]\nreload_interval_ms = 5\n", "vectord.reload_interval_ms must be between");
  bad("[vectord]\nwriter = true\n", "bad.toml:2:10: unknown key \"vectord.writer\"");
}

TEST(ConfigTest, QuerydReleasesIdleMemoryUnlessToldNot) {
  auto defaults = ParseConfig("", "empty.toml", "");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->queryd.release_idle_memory);
  auto off = ParseConfig("[queryd]\nrelease_idle_memory = false\n", "off.toml", "");
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  EXPECT_FALSE(off->queryd.release_idle_memory);
  auto bad = ParseConfig("[queryd]\nrelease_idle_memory = \"yes\"\n", "bad.toml", "");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("release_idle_memory"), std::string::npos)
      << bad.status().ToString();
}

}  // namespace
}  // namespace lakehouse

namespace lakehouse {
namespace {

TEST(ConfigTest, MaxHeaderBytesIsReadFromTheFile) {
  auto defaults = ParseConfig("", "empty.toml", "");
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->http.max_header_bytes, 65536);
  auto config = ParseConfig("[http]\nmax_header_bytes = 16384\n", "c.toml", "");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->http.max_header_bytes, 16384);
  ExpectError("[http]\nmax_header_bytes = 10\n", "http.max_header_bytes must be between 1024 and");
  ExpectError("[http]\nmax_header_bytes = 10\n", "bad.toml:2:");
  ExpectError("[http]\nmax_header_bytes = \"8k\"\n", "http.max_header_bytes must be an integer");
}

TEST(ConfigTest, UnknownKeyInEveryKnownSectionIsAnError) {
  for (std::string section : {"log", "http", "storaged", "s3", "catalogd", "queryd", "vectord",
                              "gateway", "embed", "auth", "iceberg"}) {
    ExpectError("[" + section + "]\nno_such_key = 1\n",
                "unknown key \"" + section + ".no_such_key\"");
  }
}

TEST(ConfigTest, IcebergDefaultsServeTheLakehouseNamespace) {
  auto config = ParseConfig("", "empty.toml", "");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->iceberg.enabled);
  EXPECT_EQ(config->iceberg.namespace_name, "lakehouse");
  EXPECT_EQ(config->iceberg.location, "");
}

TEST(ConfigTest, IcebergSectionIsRead) {
  auto config = ParseConfig(R"([iceberg]
enabled = false
namespace = "sales_2026"
location = "s3a://bucket/lake/"
)",
                            "ice.toml", "/srv");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->iceberg.enabled);
  EXPECT_EQ(config->iceberg.namespace_name, "sales_2026");
  EXPECT_EQ(config->iceberg.location, "s3a://bucket/lake/");
}

TEST(ConfigTest, IcebergLocationTakesEveryEngineScheme) {
  for (std::string uri : {"s3://b", "s3a://b/p", "gs://b", "abfss://c@a.dfs.core.windows.net/p",
                          "file:///srv/lake/objects", "http://minio:9000/b", "https://h/b"}) {
    auto config = ParseConfig("[iceberg]\nlocation = \"" + uri + "\"\n", "ice.toml", "");
    ASSERT_TRUE(config.ok()) << uri << ": " << config.status().ToString();
    EXPECT_EQ(config->iceberg.location, uri);
  }
}

TEST(ConfigTest, IcebergBadValuesNameTheKey) {
  ExpectError("[iceberg]\nnamespace = \"Lake\"\n", "iceberg.namespace must be a name");
  ExpectError("[iceberg]\nnamespace = \"\"\n", "iceberg.namespace");
  ExpectError("[iceberg]\nnamespace = \"a.b\"\n", "[a-z][a-z0-9_]{0,62}");
  ExpectError("[iceberg]\nlocation = \"/srv/lake\"\n", "iceberg.location must be empty or");
  ExpectError("[iceberg]\nlocation = \"ftp://h/b\"\n", "ftp://h/b");
  ExpectError("[iceberg]\nenabled = \"yes\"\n", "iceberg.enabled");
}

// The defaults pass their own rules, and what FormatConfig writes reads back
// to the same values.
TEST(ConfigTest, FormattedConfigReadsBackToTheSameSettings) {
  const Config defaults;
  auto reread = ParseConfig(FormatConfig(defaults), "formatted.toml", "");
  ASSERT_TRUE(reread.ok()) << reread.status().ToString() << "\n" << FormatConfig(defaults);
  auto before = ListSettings(defaults);
  auto after = ListSettings(*reread);
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_EQ(before[i].toml, after[i].toml) << before[i].key;

  auto changed = ParseConfig(
      R"([http]
max_header_bytes = 4096
[s3]
region = "a \"b\"\tc\\d"
)",
      "c.toml", "");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  auto again = ParseConfig(FormatConfig(*changed), "formatted.toml", "");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->http.max_header_bytes, 4096);
  EXPECT_EQ(again->s3.region, "a \"b\"\tc\\d");
}

// docs/operations.md's settings table: every row of the code, with the
// code's default, and no row the code does not read.
std::map<std::string, std::string> DocumentedDefaults() {
  std::ifstream in(std::string(LAKEHOUSE_DOCS_DIR) + "/operations.md");
  EXPECT_TRUE(in) << "cannot open docs/operations.md";
  std::map<std::string, std::string> out;
  std::string line;
  while (std::getline(in, line) && line != "| section | key | default | meaning |") {
  }
  std::getline(in, line);  // |---|...
  std::string section;
  auto strip = [](std::string cell) {
    std::erase(cell, '`');
    size_t begin = cell.find_first_not_of(' ');
    size_t end = cell.find_last_not_of(' ');
    return begin == std::string::npos ? std::string() : cell.substr(begin, end - begin + 1);
  };
  while (std::getline(in, line) && line.starts_with("|")) {
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; cells.size() < 3 && std::getline(row, cell, '|');)
      cells.push_back(strip(cell));
    if (cells.size() < 3) continue;
    if (!cells[0].empty()) section = cells[0].substr(1, cells[0].size() - 2);  // "[log]"
    std::string value = cells[2].substr(0, cells[2].find(" ("));  // "5368709120 (5 GiB)"
    std::stringstream keys(cells[1]);
    for (std::string key; std::getline(keys, key, ',');) {
      EXPECT_TRUE(out.emplace(section + "." + strip(key), value).second) << "twice: " << key;
    }
  }
  return out;
}

TEST(ConfigTest, OperationsDocListsEverySettingWithItsDefault) {
  std::map<std::string, std::string> documented = DocumentedDefaults();
  for (const SettingValue& setting : ListSettings(Config{})) {
    const std::string name = std::string(setting.section) + "." + std::string(setting.key);
    auto it = documented.find(name);
    if (it == documented.end()) {
      ADD_FAILURE() << name << " is not in docs/operations.md";
      continue;
    }
    EXPECT_EQ(it->second, setting.toml) << name << ": docs/operations.md disagrees with the code";
    documented.erase(it);
  }
  for (const auto& [name, value] : documented) {
    ADD_FAILURE() << "docs/operations.md lists " << name << ", which the code does not read";
  }
}

}  // namespace
}  // namespace lakehouse
