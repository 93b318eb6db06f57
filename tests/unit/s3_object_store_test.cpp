// What the S3 backend does beyond the ObjectStore contract (which
// object_store_conformance_test.cpp runs against it): multipart uploads and
// their aborts, ranged reads, retries, typed errors, addressing styles and
// the conditional-write probe, against the S3 peer of tests/s3/peer.mjs.
#include "storage/s3_object_store.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>

#include "testing/s3_peer.h"
#include "testing/service_process.h"
#include "testing/temp_dir.h"

namespace lakehouse::storage {
namespace {

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

class StringSink : public ObjectSink {
 public:
  Status OnInfo(const ObjectInfo& i) override {
    info = i;
    return Status::Ok();
  }
  Status OnData(std::string_view chunk) override {
    bytes.append(chunk);
    return Status::Ok();
  }
  ObjectInfo info;
  std::string bytes;
};

// Streams `bytes` in 64 KiB chunks, then fails with `error` if it is set.
BodyProducer Stream(const std::string& bytes, Status error = Status::Ok()) {
  return [&bytes, error](const ChunkWriter& write) -> Status {
    for (size_t at = 0; at < bytes.size(); at += 64 << 10) {
      LH_RETURN_IF_ERROR(write(std::string_view(bytes).substr(at, 64 << 10)));
    }
    return error;
  };
}

size_t UnfinishedUploads(const testing::S3Peer& peer) {
  std::error_code ec;
  if (!std::filesystem::exists(peer.uploads_dir(), ec)) return 0;
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(peer.uploads_dir()),
                                           std::filesystem::directory_iterator()));
}

class S3ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    peer_ = std::make_unique<testing::S3Peer>(dir_.path() + "/s3");
    if (!peer_->available()) GTEST_SKIP() << "no S3 peer: " << peer_->unavailable_reason();
    store_ = Open(peer_->Options());
  }

  std::unique_ptr<S3ObjectStore> Open(S3Options options) {
    auto store = S3ObjectStore::Create(std::move(options));
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::S3Peer> peer_;
  std::unique_ptr<S3ObjectStore> store_;
};

TEST_F(S3ObjectStoreTest, UnknownLengthBodyGoesUpInPartsAndReadsBackWhole) {
  std::string bytes = RandomBytes((12 << 20) + 12345, 1);
  auto put = store_->Put("big/unknown", Stream(bytes), {});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ(put->size, bytes.size());
  auto head = store_->Head("big/unknown");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, bytes.size());
  EXPECT_EQ(*store_->GetBytes("big/unknown"), bytes);
  EXPECT_EQ(UnfinishedUploads(*peer_), 0u);
}

TEST_F(S3ObjectStoreTest, KnownLengthOverOnePartIsMultipartToo) {
  std::string bytes = RandomBytes((10 << 20) + 1, 2);
  ASSERT_TRUE(store_->PutBytes("big/known", bytes).ok());
  EXPECT_EQ(*store_->GetBytes("big/known"), bytes);
  EXPECT_EQ(UnfinishedUploads(*peer_), 0u);
}

TEST_F(S3ObjectStoreTest, FailedProducerAbortsTheMultipartUpload) {
  ASSERT_TRUE(store_->PutBytes("keep", "old").ok());
  std::string bytes = RandomBytes(11 << 20, 3);
  auto put = store_->Put("keep", Stream(bytes, Status::IoError("disk went away")), {});
  EXPECT_EQ(put.status().code(), StatusCode::kIoError);
  EXPECT_EQ(*store_->GetBytes("keep"), "old");
  auto fresh = store_->Put("fresh", Stream(bytes, Status::IoError("disk went away")), {});
  EXPECT_FALSE(fresh.ok());
  EXPECT_EQ(store_->Head("fresh").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(UnfinishedUploads(*peer_), 0u);
}

TEST_F(S3ObjectStoreTest, PutIfAbsentHoldsForMultipartUploads) {
  ASSERT_TRUE(store_->PutBytes("once", "first").ok());
  std::string bytes = RandomBytes(11 << 20, 4);
  PutOptions options;
  options.mode = PutMode::kIfAbsent;
  // Unknown length: refused by If-None-Match on the completion.
  EXPECT_EQ(store_->Put("once", Stream(bytes), options).status().code(),
            StatusCode::kAlreadyExists);
  // Known length: refused before any part is sent.
  EXPECT_EQ(store_->PutBytes("once", bytes, PutMode::kIfAbsent).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(*store_->GetBytes("once"), "first");
  EXPECT_EQ(UnfinishedUploads(*peer_), 0u);
  ASSERT_TRUE(store_->Put("twice", Stream(bytes), options).ok());
  EXPECT_EQ(*store_->GetBytes("twice"), bytes);
}

TEST_F(S3ObjectStoreTest, RangedGetReturnsTheSliceAndTheWholeSize) {
  std::string bytes = RandomBytes(100000, 5);
  ASSERT_TRUE(store_->PutBytes("ranged", bytes).ok());
  StringSink sink;
  auto info = store_->GetRange("ranged", 1000, 500, sink);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(sink.bytes, bytes.substr(1000, 500));
  EXPECT_EQ(info->size, bytes.size());
  StringSink tail;
  ASSERT_TRUE(store_->GetRange("ranged", 99990, 100, tail).ok());
  EXPECT_EQ(tail.bytes, bytes.substr(99990));
  StringSink missing;
  EXPECT_EQ(store_->GetRange("nope", 0, 10, missing).status().code(), StatusCode::kNotFound);
}

TEST_F(S3ObjectStoreTest, WrongSecretIsAPermissionErrorNamingBucketAndEndpoint) {
  auto options = peer_->Options();
  options.secret_access_key = "not-the-secret";
  auto store = Open(options);
  auto put = store->PutBytes("k", "v");
  EXPECT_EQ(put.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(put.status().message().find(peer_->bucket()), std::string::npos);
  EXPECT_NE(put.status().message().find(peer_->endpoint()), std::string::npos);
  EXPECT_NE(put.status().message().find("SignatureDoesNotMatch"), std::string::npos);
  options.access_key_id = "UNKNOWNKEY";
  EXPECT_EQ(Open(options)->Head("k").status().code(), StatusCode::kPermissionDenied);
}

TEST_F(S3ObjectStoreTest, MissingBucketIsUnavailableNotAMissingObject) {
  auto options = peer_->Options();
  options.bucket = "no-such-bucket";
  auto got = Open(options)->GetBytes("k");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(got.status().message().find("no-such-bucket"), std::string::npos);
}

TEST_F(S3ObjectStoreTest, ServerErrorsAndDroppedConnectionsAreRetried) {
  ASSERT_TRUE(peer_->Control("fail?count=2&status=503"));
  ASSERT_TRUE(store_->PutBytes("retry", "v").ok());
  ASSERT_TRUE(peer_->Control("fail?count=2&status=drop"));
  EXPECT_EQ(*store_->GetBytes("retry"), "v");
  ASSERT_TRUE(peer_->Control("fail?count=2&status=500"));
  EXPECT_TRUE(store_->List({}).ok());
  // More failures than attempts: the error says so.
  ASSERT_TRUE(peer_->Control("fail?count=10&status=503"));
  auto failed = store_->Head("retry");
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  ASSERT_TRUE(peer_->Control("fail?count=0"));
}

TEST_F(S3ObjectStoreTest, ClientErrorsAreNotRetried) {
  ASSERT_TRUE(peer_->Control("fail?count=2&status=400"));
  EXPECT_EQ(store_->Head("k").status().code(), StatusCode::kInvalidArgument);
  // One failure was used; the next request gets the other.
  EXPECT_EQ(store_->Head("k").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Head("k").status().code(), StatusCode::kNotFound);
}

TEST_F(S3ObjectStoreTest, UnreachableEndpointIsUnavailable) {
  auto options = peer_->Options();
  options.endpoint = "http://127.0.0.1:" + std::to_string(testing::FreePort());
  options.max_attempts = 2;
  auto head = Open(options)->Head("k");
  EXPECT_EQ(head.status().code(), StatusCode::kUnavailable);
}

TEST_F(S3ObjectStoreTest, VirtualHostAddressingPutsTheBucketInTheHostName) {
  auto options = peer_->Options();
  options.path_style = false;
  // curl resolves every *.localhost name to loopback.
  options.endpoint = "http://localhost:" + std::to_string(peer_->port());
  auto store = Open(options);
  ASSERT_TRUE(store->PutBytes("vhost/a b", "v").ok());
  EXPECT_EQ(*store->GetBytes("vhost/a b"), "v");
  EXPECT_EQ(*store_->GetBytes("vhost/a b"), "v");  // the same bucket, path style
  auto page = store->List(ListOptions{"vhost/", "", 1000});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "vhost/a b");
  EXPECT_TRUE(store->Delete("vhost/a b").ok());
}

TEST_F(S3ObjectStoreTest, ProbeFindsAStoreThatIgnoresIfNoneMatch) {
  EXPECT_TRUE(store_->ProbeConditionalPut().ok());
  ASSERT_TRUE(peer_->Control("conditional?on=0"));
  Status probe = store_->ProbeConditionalPut();
  EXPECT_EQ(probe.code(), StatusCode::kUnavailable);
  EXPECT_NE(probe.message().find("If-None-Match"), std::string::npos);
  ASSERT_TRUE(peer_->Control("conditional?on=1"));
  // The probe cleans up after itself.
  EXPECT_TRUE(store_->List(ListOptions{"_lakehouse/", "", 1000})->objects.empty());
}

TEST_F(S3ObjectStoreTest, SessionTokenIsSigned) {
  auto options = peer_->Options();
  options.session_token = "token/with+odd=chars";
  auto store = Open(options);
  EXPECT_TRUE(store->PutBytes("t", "v").ok());
}

TEST(S3Options, EnvironmentFillsOnlyWhatConfigLeavesEmpty) {
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  ::setenv("AWS_SESSION_TOKEN", "envtoken", 1);
  ::setenv("AWS_REGION", "eu-west-3", 1);
  S3Options from_env = WithAwsEnvironment({});
  EXPECT_EQ(from_env.access_key_id, "ENVKEY");
  EXPECT_EQ(from_env.secret_access_key, "envsecret");
  EXPECT_EQ(from_env.session_token, "envtoken");
  EXPECT_EQ(from_env.region, "eu-west-3");
  S3Options configured;
  configured.access_key_id = "CFGKEY";
  configured.secret_access_key = "cfgsecret";
  configured.region = "us-west-2";
  S3Options kept = WithAwsEnvironment(configured);
  EXPECT_EQ(kept.access_key_id, "CFGKEY");
  EXPECT_EQ(kept.secret_access_key, "cfgsecret");
  EXPECT_EQ(kept.session_token, "");
  EXPECT_EQ(kept.region, "us-west-2");
  for (const char* name :
       {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION"}) {
    ::unsetenv(name);
  }
}

TEST(S3Options, BadOptionsAreRefusedAtCreate) {
  S3Options options;
  options.endpoint = "http://127.0.0.1:9000";
  options.bucket = "b";
  options.access_key_id = "k";
  options.secret_access_key = "s";
  EXPECT_TRUE(S3ObjectStore::Create(options).ok());
  auto bad = options;
  bad.endpoint = "ftp://x";
  EXPECT_EQ(S3ObjectStore::Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad.endpoint = "http://host:9000/path";
  EXPECT_EQ(S3ObjectStore::Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad = options;
  bad.bucket = "";
  EXPECT_EQ(S3ObjectStore::Create(bad).status().code(), StatusCode::kInvalidArgument);
  bad = options;
  bad.secret_access_key = "";
  bad.access_key_id = "";
  auto no_credentials = S3ObjectStore::Create(bad);
  EXPECT_EQ(no_credentials.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_credentials.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  bad = options;
  bad.part_bytes = 1 << 20;
  EXPECT_EQ(S3ObjectStore::Create(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakehouse::storage
