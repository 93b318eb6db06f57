// S3 puts: one PUT for a body within a part, else a multipart upload, aborted on any failure.
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>

#include "common/hex.h"
#include "storage/object_key.h"
#include "storage/s3_object_store.h"
#include "storage/s3_transport.h"
#include "storage/s3_xml.h"

namespace lakehouse::storage {
namespace {

constexpr int kMaxParts = 10000;  // S3's limit per multipart upload

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  return HexEncode(std::span<const unsigned char>(digest, len));
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The ETag S3 gives a completed multipart upload: the MD5 of the parts'
// binary MD5s, then "-" and their count.
std::string MultipartETag(const std::vector<std::string>& etags) {
  std::string digests;
  for (const auto& etag : etags) {
    std::string hex = s3::Unquote(etag);
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      digests.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
  }
  return Md5Hex(digests) + "-" + std::to_string(etags.size());
}

}  // namespace

Result<ObjectInfo> S3ObjectStore::PutSingle(std::string_view key, const std::string& body,
                                            PutMode mode) {
  s3::Request request;
  request.method = "PUT";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.body = body;
  if (mode == PutMode::kIfAbsent) request.headers.emplace_back("if-none-match", "*");
  for (int conflicts = 0;; ++conflicts) {
    LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
    if (response.status == 200) {
      ObjectInfo info;
      info.key = request.key;
      info.size = body.size();
      info.etag = s3::Unquote(response.headers["etag"]);
      info.modified_unix_ms = NowMs();
      return info;
    }
    if (response.status == 412 && request.retried_after_ambiguous_failure) {
      // An earlier attempt may have landed before its answer was lost: the
      // object is ours when it holds exactly our bytes (S3's ETag of a
      // single PUT is their MD5).
      auto head = Head(key);
      if (head.ok() && head->etag == Md5Hex(body) && head->size == body.size()) return *head;
    }
    // AWS answers 409 ConditionalRequestConflict while another conditional
    // write to the key is in flight and asks for a retry.
    if (response.status == 409 && mode == PutMode::kIfAbsent && conflicts < 5) {
      s3::SleepBackoff(conflicts, options_.initial_backoff_ms);
      continue;
    }
    return ErrorFor(response, "PUT", key);
  }
}

Result<std::string> S3ObjectStore::StartMultipart(std::string_view key) {
  s3::Request request;
  request.method = "POST";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"uploads", ""}};
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
  if (response.status != 200) return ErrorFor(response, "CreateMultipartUpload", key);
  auto id = s3::FirstText(response.body, "UploadId");
  if (!id || id->empty()) return Status::Internal("s3: CreateMultipartUpload gave no UploadId");
  return *id;
}

Result<std::string> S3ObjectStore::UploadPart(std::string_view key, const std::string& upload_id,
                                              int number, std::string_view bytes) {
  s3::Request request;
  request.method = "PUT";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
  request.body = bytes;
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
  if (response.status != 200) return ErrorFor(response, "UploadPart", key);
  return response.headers["etag"];
}

Result<ObjectInfo> S3ObjectStore::CompleteMultipart(std::string_view key,
                                                    const std::string& upload_id,
                                                    const std::vector<std::string>& etags,
                                                    PutMode mode, uint64_t size) {
  std::string xml = s3::CompleteMultipartBody(etags);
  s3::Request request;
  request.method = "POST";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"uploadId", upload_id}};
  request.body = xml;
  if (mode == PutMode::kIfAbsent) request.headers.emplace_back("if-none-match", "*");
  LH_ASSIGN_OR_RETURN(s3::Response response, transport_->Send(request));
  if (response.status == 200) {
    s3::CompletedUpload completed = s3::ParseCompleteMultipart(response.body);
    if (!completed.failed) {
      ObjectInfo info;
      info.key = request.key;
      info.size = size;
      info.etag = completed.etag;
      info.modified_unix_ms = NowMs();
      return info;
    }
    response.status = 500;
  }
  if ((response.status == 412 || response.status == 404) &&
      request.retried_after_ambiguous_failure) {
    // As in PutSingle: a lost answer to our own completion.
    auto head = Head(key);
    if (head.ok() && head->etag == MultipartETag(etags) && head->size == size) return *head;
  }
  return ErrorFor(response, "CompleteMultipartUpload", key);
}

void S3ObjectStore::AbortMultipart(std::string_view key, const std::string& upload_id) {
  s3::Request request;
  request.method = "DELETE";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"uploadId", upload_id}};
  // Best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) is
  // the backstop for parts an abort could not remove; none of them is ever
  // visible under the key.
  (void)transport_->Send(request);
}

Status S3ObjectStore::CheckAbsentBeforeUpload(std::string_view key, const PutOptions& options,
                                              uint64_t part_bytes) {
  if (options.mode != PutMode::kIfAbsent || !options.content_length ||
      *options.content_length <= part_bytes) {
    return Status::Ok();
  }
  // Not a guarantee (the completion's If-None-Match is), but it spares
  // uploading a large body only to be refused at the end.
  auto head = Head(key);
  if (head.ok())
    return Status::AlreadyExists("object s3://" + options_.bucket + "/" + std::string(key) +
                                 " already exists");
  if (head.status().code() != StatusCode::kNotFound) return head.status();
  return Status::Ok();
}

Result<ObjectInfo> S3ObjectStore::Put(std::string_view key, const BodyProducer& body,
                                      const PutOptions& options) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  const uint64_t max = options_.max_object_bytes;
  if (options.content_length && *options.content_length > max) {
    return Status::TooLarge("object of " + std::to_string(*options.content_length) +
                            " bytes is over the limit of " + std::to_string(max));
  }
  uint64_t part_bytes = options_.part_bytes;
  if (options.content_length) {
    part_bytes = std::max(part_bytes, (*options.content_length + kMaxParts - 1) / kMaxParts);
  }
  LH_RETURN_IF_ERROR(CheckAbsentBeforeUpload(key, options, part_bytes));

  std::string buffer;
  uint64_t total = 0;
  std::string upload_id;
  std::vector<std::string> etags;
  auto abort = [&] {
    if (!upload_id.empty()) AbortMultipart(key, upload_id);
  };
  auto flush_part = [&](std::string_view bytes) -> Status {
    if (etags.size() >= static_cast<size_t>(kMaxParts)) {
      return Status::TooLarge("object is over S3's " + std::to_string(kMaxParts) + " parts of " +
                              std::to_string(part_bytes) + " bytes");
    }
    if (upload_id.empty()) {
      LH_ASSIGN_OR_RETURN(upload_id, StartMultipart(key));
    }
    LH_ASSIGN_OR_RETURN(std::string etag,
                        UploadPart(key, upload_id, static_cast<int>(etags.size() + 1), bytes));
    etags.push_back(std::move(etag));
    return Status::Ok();
  };
  Status produced = body([&](std::string_view chunk) -> Status {
    total += chunk.size();
    if (total > max) {
      return Status::TooLarge("object is over the limit of " + std::to_string(max) + " bytes");
    }
    if (options.content_length && total > *options.content_length) {
      return Status::InvalidArgument("body is longer than its declared " +
                                     std::to_string(*options.content_length) + " bytes");
    }
    buffer.append(chunk);
    // A part goes out only once more bytes follow it, so a body that fits
    // one part is one PUT and the last part is never empty.
    size_t sent = 0;
    while (buffer.size() - sent > part_bytes) {
      LH_RETURN_IF_ERROR(flush_part(std::string_view(buffer).substr(sent, part_bytes)));
      sent += part_bytes;
    }
    if (sent > 0) buffer.erase(0, sent);
    return Status::Ok();
  });
  if (!produced.ok()) {
    abort();
    return produced;
  }
  if (options.content_length && total != *options.content_length) {
    abort();
    return Status::InvalidArgument("body ended after " + std::to_string(total) + " of " +
                                   std::to_string(*options.content_length) + " bytes");
  }
  if (upload_id.empty()) return PutSingle(key, buffer, options.mode);
  Status last = flush_part(buffer);
  if (!last.ok()) {
    abort();
    return last;
  }
  auto info = CompleteMultipart(key, upload_id, etags, options.mode, total);
  if (!info.ok()) abort();
  return info;
}

}  // namespace lakehouse::storage
