// An ObjectStore on an S3-compatible object store (AWS S3, MinIO, Ceph RGW,
// Cloudflare R2, ...), keeping every promise of object_store.h:
//
//  - Atomic puts: a body up to `part_bytes` is buffered and sent as one
//    signed PUT; a longer or unknown-length body goes up as a multipart
//    upload of `part_bytes` parts that is aborted on any failure, so nothing
//    appears under the key unless the whole body arrived. Buffering a part
//    also lets a failed request be retried and its payload be signed.
//  - Put-if-absent is `If-None-Match: *` on the PUT (or on
//    CompleteMultipartUpload): 412 is kAlreadyExists. A store that ignores the
//    header would let two writers both win; ProbeConditionalPut() finds out.
//  - Errors come from status codes (and S3's machine-readable error Code, never
//    its Message): 404 kNotFound, 412 kAlreadyExists, 403 kPermissionDenied
//    naming the bucket and endpoint, 5xx and network failures kUnavailable
//    after retries with exponential backoff. 4xx are never retried.
//  - S3 deletes are idempotent; Delete asks HEAD first so a missing key is
//    kNotFound as the interface promises.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/object_store.h"

namespace lakehouse::storage {

namespace s3 {
class Transport;
struct Response;
}  // namespace s3

struct S3Options {
  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000"; no path.
  std::string endpoint;
  std::string bucket;
  std::string region;  // empty: AWS_REGION, AWS_DEFAULT_REGION, then us-east-1
  // Path style puts the bucket in the path (MinIO, most self-hosted stores);
  // virtual-host style in the host name (AWS's default).
  bool path_style = true;
  // Empty: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string ca_file;     // PEM bundle for a private CA; empty: the system's
  bool verify_tls = true;  // false only for a test store with a self-signed cert
  uint64_t max_object_bytes = 5ull << 40;
  uint64_t part_bytes = 8ull << 20;  // S3 wants at least 5 MiB but for the last part
  int max_attempts = 4;              // per request, the first included
  int initial_backoff_ms = 100;      // doubled per retry, with jitter, capped at 5 s
  int connect_timeout_ms = 5000;
  int stall_timeout_s = 60;  // a transfer slower than 1 KiB/s for this long fails
};

// Fills what `options` leaves empty from the standard AWS environment
// variables; configured values win.
S3Options WithAwsEnvironment(S3Options options);

class S3ObjectStore final : public ObjectStore {
 public:
  // Checks the options; makes no request (see ProbeConditionalPut).
  static Result<std::unique_ptr<S3ObjectStore>> Create(S3Options options);
  ~S3ObjectStore() override;

  Result<ObjectInfo> Put(std::string_view key, const BodyProducer& body,
                         const PutOptions& options) override;
  Result<ObjectInfo> Get(std::string_view key, ObjectSink& sink) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;

  // Bytes [offset, offset + length) of the object (fewer at its end); the
  // info's size is the whole object's. For readers that want a file's footer
  // or one column chunk without the rest.
  Result<ObjectInfo> GetRange(std::string_view key, uint64_t offset, uint64_t length,
                              ObjectSink& sink);

  // Writes `probe_key` with put-if-absent twice and expects the second to be
  // refused, then deletes it. kUnavailable when the store accepted both: it
  // ignores If-None-Match, so a catalog on it could lose commits.
  Status ProbeConditionalPut(std::string_view probe_key = "_lakehouse/probe/put-if-absent");

  const S3Options& options() const { return options_; }

 private:
  explicit S3ObjectStore(S3Options options);

  Status ErrorFor(const s3::Response& response, std::string_view what, std::string_view key) const;

  // s3_upload.cpp: a body that fits one part is one PUT, a longer one a
  // multipart upload.
  Status CheckAbsentBeforeUpload(std::string_view key, const PutOptions& options,
                                 uint64_t part_bytes);
  Result<ObjectInfo> PutSingle(std::string_view key, const std::string& body, PutMode mode);
  Result<std::string> StartMultipart(std::string_view key);
  Result<std::string> UploadPart(std::string_view key, const std::string& upload_id, int number,
                                 std::string_view bytes);
  Result<ObjectInfo> CompleteMultipart(std::string_view key, const std::string& upload_id,
                                       const std::vector<std::string>& etags, PutMode mode,
                                       uint64_t size);
  void AbortMultipart(std::string_view key, const std::string& upload_id);
  Result<ObjectInfo> GetImpl(std::string_view key, ObjectSink& sink,
                             const std::string& range_header);

  std::string ObjectPath(std::string_view key) const;  // "/bucket/key" or "/key", encoded
  std::string BucketPath() const;

  S3Options options_;
  std::unique_ptr<s3::Transport> transport_;  // set by Create
};

}  // namespace lakehouse::storage
