// The [s3] section and [storaged] backend = "s3".
#include <gtest/gtest.h>

#include "common/config.h"
#include "storage/configured_store.h"

namespace lakehouse {
namespace {

TEST(S3Config, ParsesEveryKeyAndResolvesTheCaFile) {
  auto config = ParseConfig(R"([storaged]
backend = "s3"
[s3]
endpoint = "https://s3.eu-west-3.amazonaws.com"
bucket = "lake"
region = "eu-west-3"
path_style = false
access_key_id = "AK"
secret_access_key = "SK"
ca_file = "certs/ca.pem"
verify_tls = true
part_bytes = 16777216
)",
                            "lake.toml", "/etc/lakehouse");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->storaged.backend, "s3");
  EXPECT_EQ(config->s3.endpoint, "https://s3.eu-west-3.amazonaws.com");
  EXPECT_EQ(config->s3.bucket, "lake");
  EXPECT_EQ(config->s3.region, "eu-west-3");
  EXPECT_FALSE(config->s3.path_style);
  EXPECT_EQ(config->s3.ca_file, "/etc/lakehouse/certs/ca.pem");
  EXPECT_EQ(config->s3.part_bytes, 16u << 20);
  auto options = storage::S3OptionsFromConfig(config->s3, 123);
  EXPECT_EQ(options.max_object_bytes, 123u);
  EXPECT_EQ(options.access_key_id, "AK");
  EXPECT_FALSE(options.path_style);
}

TEST(S3Config, UnknownKeysAndBadValuesNameFileAndLine) {
  auto unknown = ParseConfig("[s3]\nbucket = \"b\"\nbuckt = \"x\"\n", "lake.toml", "");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("lake.toml:3:9: unknown key \"s3.buckt\""),
            std::string::npos)
      << unknown.status().message();
  auto endpoint = ParseConfig("[s3]\nendpoint = \"s3.amazonaws.com\"\n", "lake.toml", "");
  ASSERT_FALSE(endpoint.ok());
  EXPECT_NE(endpoint.status().message().find("lake.toml:2"), std::string::npos);
  auto part = ParseConfig("[s3]\npart_bytes = 1024\n", "lake.toml", "");
  EXPECT_FALSE(part.ok());
  auto backend = ParseConfig("[storaged]\nbackend = \"gcs\"\n", "lake.toml", "");
  ASSERT_FALSE(backend.ok());
  EXPECT_NE(backend.status().message().find("local, s3"), std::string::npos);
}

TEST(S3Config, S3BackendNeedsEndpointAndBucket) {
  auto config =
      ParseConfig("[storaged]\nbackend = \"s3\"\n[s3]\nbucket = \"b\"\n", "lake.toml", "");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("needs [s3] endpoint and bucket"), std::string::npos);
  // Without backend = "s3" the section is allowed to be partial.
  EXPECT_TRUE(ParseConfig("[s3]\nbucket = \"b\"\n", "lake.toml", "").ok());
}

}  // namespace
}  // namespace lakehouse
