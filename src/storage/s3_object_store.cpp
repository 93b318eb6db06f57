// The ObjectStore on S3: options and endpoint checks, reads, listings, deletes and error mapping.
#include "storage/s3_object_store.h"

#include <cctype>
#include <cstdlib>
#include <random>

#include "common/percent_encoding.h"
#include "storage/object_key.h"
#include "storage/s3_transport.h"
#include "storage/s3_xml.h"

namespace lakehouse::storage {
namespace {

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

S3Options WithAwsEnvironment(S3Options options) {
  if (options.access_key_id.empty() && options.secret_access_key.empty()) {
    options.access_key_id = Getenv("AWS_ACCESS_KEY_ID");
    options.secret_access_key = Getenv("AWS_SECRET_ACCESS_KEY");
    if (options.session_token.empty()) options.session_token = Getenv("AWS_SESSION_TOKEN");
  }
  if (options.region.empty()) options.region = Getenv("AWS_REGION");
  if (options.region.empty()) options.region = Getenv("AWS_DEFAULT_REGION");
  if (options.region.empty()) options.region = "us-east-1";
  return options;
}

Result<std::unique_ptr<S3ObjectStore>> S3ObjectStore::Create(S3Options options) {
  options = WithAwsEnvironment(std::move(options));
  if (options.bucket.empty()) return Status::InvalidArgument("s3: bucket is empty");
  for (char c : options.bucket) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      return Status::InvalidArgument("s3: bucket \"" + options.bucket +
                                     "\" may hold only letters, digits, '.', '-' and '_'");
    }
  }
  if (options.access_key_id.empty() || options.secret_access_key.empty()) {
    return Status::InvalidArgument(
        "s3: no credentials for bucket \"" + options.bucket +
        "\": set [s3] access_key_id and secret_access_key, or AWS_ACCESS_KEY_ID and "
        "AWS_SECRET_ACCESS_KEY");
  }
  if (options.part_bytes < (5ull << 20) || options.part_bytes > (5ull << 30)) {
    return Status::InvalidArgument("s3: part_bytes must be between 5 MiB and 5 GiB");
  }
  if (options.max_attempts < 1) return Status::InvalidArgument("s3: max_attempts must be >= 1");
  auto store = std::unique_ptr<S3ObjectStore>(new S3ObjectStore(std::move(options)));
  const std::string& endpoint = store->options_.endpoint;
  std::string rest;
  std::string scheme;
  if (endpoint.starts_with("https://")) {
    scheme = "https";
    rest = endpoint.substr(8);
  } else if (endpoint.starts_with("http://")) {
    scheme = "http";
    rest = endpoint.substr(7);
  } else {
    return Status::InvalidArgument("s3: endpoint must be an http:// or https:// URL, got \"" +
                                   endpoint + "\"");
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos) {
    return Status::InvalidArgument(
        "s3: endpoint must be scheme://host[:port] with no path, got \"" + endpoint + "\"");
  }
  std::string authority = store->options_.path_style ? rest : store->options_.bucket + "." + rest;
  s3::Transport::GlobalInit();
  store->transport_ =
      std::make_unique<s3::Transport>(store->options_, std::move(scheme), std::move(authority));
  return store;
}

S3ObjectStore::S3ObjectStore(S3Options options) : options_(std::move(options)) {}

S3ObjectStore::~S3ObjectStore() = default;

std::string S3ObjectStore::BucketPath() const {
  return options_.path_style ? "/" + options_.bucket : "/";
}

std::string S3ObjectStore::ObjectPath(std::string_view key) const {
  // S3 signs the path as sent, encoded once (no normalising, no double
  // encoding as other AWS services do): every byte but the unreserved ones
  // and '/' becomes %XX.
  std::string encoded = PercentEncodePath(key);
  return options_.path_style ? "/" + options_.bucket + "/" + encoded : "/" + encoded;
}

Status S3ObjectStore::ErrorFor(const s3::Response& response, std::string_view what,
                               std::string_view key) const {
  std::string code = s3::ErrorCode(response.body);
  std::string where = "s3://" + options_.bucket + "/" + std::string(key);
  std::string tail =
      " (HTTP " + std::to_string(response.status) + (code.empty() ? "" : " " + code) + ")";
  switch (response.status) {
    case 404:
      if (code == "NoSuchBucket") {
        return Status::Unavailable("s3: bucket \"" + options_.bucket + "\" does not exist at " +
                                   options_.endpoint + tail);
      }
      return Status::NotFound("no object " + where + tail);
    case 412:
      return Status::AlreadyExists("object " + where + " already exists" + tail);
    case 401:
    case 403:
      return Status::PermissionDenied(
          "s3: " + options_.endpoint + " refused " + std::string(what) + " on bucket \"" +
          options_.bucket + "\"" + tail +
          ": check [s3] access_key_id / secret_access_key (or AWS_ACCESS_KEY_ID / "
          "AWS_SECRET_ACCESS_KEY), region \"" +
          options_.region + "\" and the credentials' permissions on the bucket");
    case 409:
      return Status::Conflict("s3: " + std::string(what) + " " + where + " conflicts with a " +
                              "concurrent change" + tail);
    case 413:
      return Status::TooLarge("s3: " + where + " is too large for the store" + tail);
    case 400:
      if (code == "EntityTooLarge") return Status::TooLarge("s3: " + where + " too large" + tail);
      if (code == "AuthorizationHeaderMalformed" || code == "InvalidAccessKeyId") {
        return Status::PermissionDenied("s3: " + options_.endpoint +
                                        " refused the credentials "
                                        "for bucket \"" +
                                        options_.bucket + "\" (region \"" + options_.region +
                                        "\")" + tail);
      }
      return Status::InvalidArgument("s3: " + std::string(what) + " " + where + " refused" + tail);
    case 416:
      return Status::InvalidArgument("s3: range outside " + where + tail);
    default:
      if (response.status >= 500) {
        return Status::Unavailable("s3: " + options_.endpoint + " failed " + std::string(what) +
                                   " " + where + " after " + std::to_string(options_.max_attempts) +
                                   " attempts" + tail);
      }
      return Status::Internal("s3: unexpected answer to " + std::string(what) + " " + where + tail);
  }
}

Result<ObjectInfo> S3ObjectStore::Head(std::string_view key) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  s3::Request request;
  request.method = "HEAD";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
  if (response.status != 200) return ErrorFor(response, "HEAD", key);
  return s3::InfoFromHeaders(request.key, response.headers);
}

Result<ObjectInfo> S3ObjectStore::GetImpl(std::string_view key, ObjectSink& sink,
                                          const std::string& range_header) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  s3::Request request;
  request.path = ObjectPath(key);
  request.key = std::string(key);
  if (!range_header.empty()) request.headers.emplace_back("range", range_header);
  // The info handed to the sink is kept so the result matches what it saw.
  class Recording : public ObjectSink {
   public:
    explicit Recording(ObjectSink& inner) : inner_(inner) {}
    Status OnInfo(const ObjectInfo& info) override {
      info_ = info;
      return inner_.OnInfo(info);
    }
    Status OnData(std::string_view chunk) override { return inner_.OnData(chunk); }
    ObjectInfo info_;

   private:
    ObjectSink& inner_;
  } recording(sink);
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request, &recording));
  if (response.status != 200 && response.status != 206) return ErrorFor(response, "GET", key);
  return recording.info_;
}

Result<ObjectInfo> S3ObjectStore::Get(std::string_view key, ObjectSink& sink) {
  return GetImpl(key, sink, "");
}

Result<ObjectInfo> S3ObjectStore::GetRange(std::string_view key, uint64_t offset, uint64_t length,
                                           ObjectSink& sink) {
  if (length == 0) return Status::InvalidArgument("s3: an empty range");
  return GetImpl(key, sink,
                 "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
}

Status S3ObjectStore::Delete(std::string_view key) {
  // DELETE succeeds whether or not the key exists; the interface promises
  // kNotFound for a missing one, so ask first.
  LH_ASSIGN_OR_RETURN(ObjectInfo info, Head(key));
  (void)info;
  s3::Request request;
  request.method = "DELETE";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
  if (response.status != 204 && response.status != 200) return ErrorFor(response, "DELETE", key);
  return Status::Ok();
}

Result<ListPage> S3ObjectStore::List(const ListOptions& options) {
  if (options.limit == 0 || options.limit > kMaxListLimit) {
    return Status::InvalidArgument("list limit must be between 1 and " +
                                   std::to_string(kMaxListLimit));
  }
  LH_RETURN_IF_ERROR(ValidatePrefix(options.prefix));
  s3::Request request;
  request.path = BucketPath();
  request.query = {{"list-type", "2"},
                   {"max-keys", std::to_string(options.limit)},
                   // Keys may hold bytes XML 1.0 cannot carry; with this S3
                   // percent-encodes them (and says so in EncodingType).
                   {"encoding-type", "url"}};
  if (!options.prefix.empty()) request.query.emplace_back("prefix", options.prefix);
  if (!options.start_after.empty()) request.query.emplace_back("start-after", options.start_after);
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
  if (response.status != 200) return ErrorFor(response, "LIST", options.prefix);
  return s3::ParseListObjectsV2(response.body);
}

Status S3ObjectStore::ProbeConditionalPut(std::string_view probe_key) {
  // A key of its own per probe, so processes starting together do not see
  // each other's probe as their first write.
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string key = std::string(probe_key) + "-" + std::to_string(rng());
  auto first = PutBytes(key, "probe", PutMode::kIfAbsent);
  if (!first.ok()) return first.status();
  auto second = PutBytes(key, "probe", PutMode::kIfAbsent);
  Status cleanup = Delete(key);
  (void)cleanup;
  if (second.ok()) {
    return Status::Unavailable(
        "s3: " + options_.endpoint + " (bucket \"" + options_.bucket +
        "\") ignores If-None-Match: * on PUT, so two writers could both commit the same "
        "version; use a store that honours conditional writes (AWS S3, MinIO, Cloudflare R2, "
        "Ceph RGW)");
  }
  if (second.status().code() != StatusCode::kAlreadyExists) return second.status();
  return Status::Ok();
}

}  // namespace lakehouse::storage
