// A real S3 protocol peer for a test: tests/s3/peer.mjs (s3rver behind a
// front that verifies SigV4 and honours If-None-Match) in a node process on
// a free loopback port, with its objects under a directory of the test's.
#pragma once

#include <sys/types.h>

#include <string>

#include "storage/s3_object_store.h"

namespace lakehouse::testing {

class S3Peer {
 public:
  // Starts the peer and waits until it answers. When node or the s3rver
  // install (scripts/bootstrap.sh) is missing, available() is false and
  // unavailable_reason() says what to do; nothing is started.
  explicit S3Peer(const std::string& data_dir, std::string bucket = "lakehouse-test");
  ~S3Peer();
  S3Peer(const S3Peer&) = delete;
  S3Peer& operator=(const S3Peer&) = delete;

  bool available() const { return pid_ > 0; }
  const std::string& unavailable_reason() const { return reason_; }

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& bucket() const { return bucket_; }
  const std::string& data_dir() const { return data_dir_; }
  // Where s3rver keeps unfinished multipart uploads of the bucket.
  std::string uploads_dir() const { return data_dir_ + "/" + bucket_ + "/._S3rver_uploads"; }

  // Path-style options with the peer's credentials.
  storage::S3Options Options() const;

  // A test-only control of the peer: "fail?count=2&status=503",
  // "fail?count=1&status=drop", "conditional?on=0". True when it answered.
  bool Control(const std::string& what) const;

  static constexpr char kAccessKey[] = "LAKEHOUSETESTKEY";
  static constexpr char kSecretKey[] = "lakehouse/test+secret";

 private:
  std::string data_dir_;
  std::string bucket_;
  std::string reason_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace lakehouse::testing
