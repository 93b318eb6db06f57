// HTTP goes through libcurl (Debian's libcurl4-openssl-dev) rather than
// cpp-httplib, which the rest of the project uses for its own services: this
// client talks to stores on other machines, where curl's certificate checks
// (peer and host name, on by default, against the system CA bundle or
// `ca_file`), connect and stall timeouts, keep-alive across requests and
// `Expect: 100-continue` (a refused upload stops before its body is sent)
// are long-proven; httplib 0.11 would need each of these assembled by hand.
#include "storage/s3_object_store.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include "common/hex.h"
#include "common/percent_encoding.h"
#include "common/sha256.h"
#include "common/time_format.h"
#include "storage/object_key.h"

namespace lakehouse::storage {

struct S3ObjectStore::HttpRequest {
  std::string method = "GET";
  std::string path;                                          // percent-encoded, as sent and signed
  std::vector<std::pair<std::string, std::string>> query;    // decoded
  std::vector<std::pair<std::string, std::string>> headers;  // signed besides the x-amz ones
  std::string_view body;
  std::string key;  // for ObjectInfo and messages
  // Set by Send when an attempt failed in a way that may have taken effect
  // (network error or 5xx), so a 412 on a later attempt may be our own write.
  bool retried_after_ambiguous_failure = false;
};

struct S3ObjectStore::Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;                            // unless streamed to a sink
};

namespace {

constexpr size_t kMaxErrorBody = 64 << 10;
constexpr int kMaxParts = 10000;  // S3's limit per multipart upload

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr);
  return HexEncode(std::span<const unsigned char>(digest, len));
}

std::string Unquote(std::string text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string XmlUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out.push_back(text[i]);
      continue;
    }
    size_t semi = text.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (!entity.empty() && entity[0] == '#') {
      bool hex = entity.size() > 1 && (entity[1] == 'x' || entity[1] == 'X');
      std::string digits(entity.substr(hex ? 2 : 1));
      AppendUtf8(out, static_cast<uint32_t>(std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10)));
    } else {
      out.append(text.substr(i, semi - i + 1));
    }
    i = semi;
  }
  return out;
}

// The raw contents of each <tag>...</tag> in `xml`, in order. S3's answers
// are small and flat enough that this is all the XML reading needed; text
// never holds a raw '<', so a search for the tag cannot match inside a value.
std::vector<std::string_view> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  std::string open = "<" + std::string(tag) + ">";
  std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    size_t start = pos + open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

std::optional<std::string> FirstText(std::string_view xml, std::string_view tag) {
  auto found = Elements(xml, tag);
  if (found.empty()) return std::nullopt;
  return XmlUnescape(found.front());
}

std::string ErrorCode(const std::string& body) { return FirstText(body, "Code").value_or(""); }

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IsRetryableCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

void SleepBackoff(int attempt, int initial_ms) {
  thread_local std::mt19937 rng(std::random_device{}());
  int64_t ceiling = std::min<int64_t>(int64_t{initial_ms} << std::min(attempt, 16), 5000);
  // Half fixed, half jitter: retries of many clients spread out, yet each
  // still waits long enough for a throttled store to recover.
  std::uniform_int_distribution<int64_t> jitter(ceiling / 2, std::max<int64_t>(ceiling, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

ObjectInfo InfoFromHeaders(const std::string& key,
                           const std::map<std::string, std::string>& headers) {
  ObjectInfo info;
  info.key = key;
  auto find = [&](const char* name) -> std::string {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  };
  std::string range = find("content-range");  // "bytes 0-9/1234": the whole size is last
  if (size_t slash = range.rfind('/'); slash != std::string::npos) {
    info.size = std::strtoull(range.c_str() + slash + 1, nullptr, 10);
  } else {
    info.size = std::strtoull(find("content-length").c_str(), nullptr, 10);
  }
  info.etag = Unquote(find("etag"));
  info.modified_unix_ms = ParseHttpDateMs(find("last-modified")).value_or(0);
  return info;
}

struct Transfer {
  S3ObjectStore::Response* response = nullptr;
  ObjectSink* sink = nullptr;
  const std::string* key = nullptr;
  std::string_view upload;
  size_t upload_pos = 0;
  bool delivered = false;  // the sink has seen OnInfo
  Status sink_status;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue, say) starts a new header set.
    t->response->headers.clear();
    size_t space = line.find(' ');
    if (space != std::string_view::npos) {
      t->response->status =
          std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    }
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    t->response->headers[name] = std::string(value);
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = t->response->status;
  if (t->sink != nullptr && status >= 200 && status < 300) {
    if (!t->delivered) {
      t->delivered = true;
      t->sink_status = t->sink->OnInfo(InfoFromHeaders(*t->key, t->response->headers));
      if (!t->sink_status.ok()) return 0;
    }
    t->sink_status = t->sink->OnData(std::string_view(data, n));
    return t->sink_status.ok() ? n : 0;
  }
  if (t->response->body.size() < kMaxErrorBody || (status >= 200 && status < 300)) {
    t->response->body.append(data, n);
  }
  return n;
}

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = std::min(size * count, t->upload.size() - t->upload_pos);
  std::copy_n(t->upload.data() + t->upload_pos, n, buffer);
  t->upload_pos += n;
  return n;
}

// curl rewinds the body when it must send it again on the same request (a
// redirect, or a 100 Continue that never came before the server answered).
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || static_cast<size_t>(offset) > t->upload.size()) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  t->upload_pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

std::once_flag curl_init_once;

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
  if (endpoint.starts_with("https://")) {
    store->scheme_ = "https";
    rest = endpoint.substr(8);
  } else if (endpoint.starts_with("http://")) {
    store->scheme_ = "http";
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
  store->authority_ = store->options_.path_style ? rest : store->options_.bucket + "." + rest;
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return store;
}

S3ObjectStore::S3ObjectStore(S3Options options) : options_(std::move(options)) {
  credentials_ = {options_.access_key_id, options_.secret_access_key, options_.session_token};
}

S3ObjectStore::~S3ObjectStore() {
  for (void* handle : handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* S3ObjectStore::AcquireHandle() {
  {
    std::lock_guard lock(handles_mu_);
    if (!handles_.empty()) {
      void* handle = handles_.back();
      handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void S3ObjectStore::ReleaseHandle(void* handle) {
  std::lock_guard lock(handles_mu_);
  handles_.push_back(handle);
}

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

Result<S3ObjectStore::Response> S3ObjectStore::SendOnce(HttpRequest& request, ObjectSink* sink,
                                                        bool* delivered, bool* retryable) {
  std::string amz_date = sigv4::AmzDateNow();
  sigv4::Request signing;
  signing.method = request.method;
  signing.canonical_uri = request.path;
  signing.query = request.query;
  LH_ASSIGN_OR_RETURN(signing.payload_sha256, Sha256Hex(request.body));
  signing.headers = request.headers;
  signing.headers.emplace_back("host", authority_);
  signing.headers.emplace_back("x-amz-date", amz_date);
  signing.headers.emplace_back("x-amz-content-sha256", signing.payload_sha256);
  if (!credentials_.session_token.empty()) {
    signing.headers.emplace_back("x-amz-security-token", credentials_.session_token);
  }
  LH_ASSIGN_OR_RETURN(sigv4::Signature signature,
                      sigv4::Sign(signing, credentials_, options_.region, "s3", amz_date));

  std::string url = scheme_ + "://" + authority_ + request.path;
  std::string query;
  for (const auto& [name, value] : request.query) {
    query += (query.empty() ? "" : "&") + PercentEncode(name) + "=" + PercentEncode(value);
  }
  if (!query.empty()) url += "?" + query;

  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : signing.headers) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  header_list =
      curl_slist_append(header_list, ("Authorization: " + signature.authorization).c_str());
  // curl adds these by default; S3 neither needs nor signs them.
  header_list = curl_slist_append(header_list, "Accept:");
  header_list = curl_slist_append(header_list, "Content-Type:");

  Response response;
  Transfer transfer;
  transfer.response = &response;
  transfer.sink = sink;
  transfer.key = &request.key;
  transfer.upload = request.body;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  auto* curl = static_cast<CURL*>(AcquireHandle());
  if (curl == nullptr) {
    curl_slist_free_all(header_list);
    return Status::Internal("s3: curl_easy_init failed");
  }
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout_s));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, OnSeek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &transfer);
    if (request.method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  ReleaseHandle(curl);
  curl_slist_free_all(header_list);
  *delivered = transfer.delivered;
  *retryable = false;

  if (!transfer.sink_status.ok()) return transfer.sink_status;
  if (rc != CURLE_OK) {
    std::string detail = error_buffer[0] != 0 ? error_buffer : curl_easy_strerror(rc);
    std::string message = "s3: " + request.method + " " + scheme_ + "://" + authority_ +
                          request.path + " failed: " + detail;
    // TLS verification failures and the like will not fix themselves.
    *retryable = IsRetryableCurlError(rc);
    if (rc == CURLE_OPERATION_TIMEDOUT) return Status::Timeout(message);
    return Status::Unavailable(message);
  }
  if (sink != nullptr && !transfer.delivered && response.status >= 200 && response.status < 300) {
    // An empty object has no body for the write callback to see.
    *delivered = true;
    LH_RETURN_IF_ERROR(sink->OnInfo(InfoFromHeaders(request.key, response.headers)));
  }
  return response;
}

Result<S3ObjectStore::Response> S3ObjectStore::Send(HttpRequest& request, ObjectSink* sink) {
  for (int attempt = 0;; ++attempt) {
    bool delivered = false;
    bool retryable = false;
    auto result = SendOnce(request, sink, &delivered, &retryable);
    bool last = attempt + 1 >= options_.max_attempts || delivered;
    if (result.ok()) {
      if (result->status < 500 || last) return result;
    } else if (!retryable || last) {
      return result.status();
    }
    request.retried_after_ambiguous_failure = true;
    SleepBackoff(attempt, options_.initial_backoff_ms);
  }
}

Status S3ObjectStore::ErrorFor(const Response& response, std::string_view what,
                               std::string_view key) const {
  std::string code = ErrorCode(response.body);
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
  HttpRequest request;
  request.method = "HEAD";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  LH_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFor(response, "HEAD", key);
  return InfoFromHeaders(request.key, response.headers);
}

Result<ObjectInfo> S3ObjectStore::GetImpl(std::string_view key, ObjectSink& sink,
                                          const std::string& range_header) {
  LH_RETURN_IF_ERROR(ValidateKey(key));
  HttpRequest request;
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
  LH_ASSIGN_OR_RETURN(Response response, Send(request, &recording));
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
  HttpRequest request;
  request.method = "DELETE";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  LH_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 204 && response.status != 200) return ErrorFor(response, "DELETE", key);
  return Status::Ok();
}

Result<ListPage> S3ObjectStore::List(const ListOptions& options) {
  if (options.limit == 0 || options.limit > kMaxListLimit) {
    return Status::InvalidArgument("list limit must be between 1 and " +
                                   std::to_string(kMaxListLimit));
  }
  LH_RETURN_IF_ERROR(ValidatePrefix(options.prefix));
  HttpRequest request;
  request.path = BucketPath();
  request.query = {{"list-type", "2"},
                   {"max-keys", std::to_string(options.limit)},
                   // Keys may hold bytes XML 1.0 cannot carry; with this S3
                   // percent-encodes them (and says so in EncodingType).
                   {"encoding-type", "url"}};
  if (!options.prefix.empty()) request.query.emplace_back("prefix", options.prefix);
  if (!options.start_after.empty()) request.query.emplace_back("start-after", options.start_after);
  LH_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFor(response, "LIST", options.prefix);
  bool url_encoded = FirstText(response.body, "EncodingType").value_or("") == "url";
  ListPage page;
  for (std::string_view contents : Elements(response.body, "Contents")) {
    ObjectInfo info;
    std::string key = FirstText(contents, "Key").value_or("");
    if (url_encoded) {
      // S3 encodes a space as '+' here, as in a form.
      auto decoded = PercentDecode(key, true);
      if (!decoded.ok()) return Status::Internal("s3: undecodable key in a listing: " + key);
      key = *decoded;
    }
    info.key = key;
    info.size = std::strtoull(FirstText(contents, "Size").value_or("0").c_str(), nullptr, 10);
    info.etag = Unquote(FirstText(contents, "ETag").value_or(""));
    info.modified_unix_ms =
        ParseRfc3339Ms(FirstText(contents, "LastModified").value_or("")).value_or(0);
    page.objects.push_back(std::move(info));
  }
  if (FirstText(response.body, "IsTruncated").value_or("false") == "true" &&
      !page.objects.empty()) {
    page.next = page.objects.back().key;
  }
  return page;
}

Result<ObjectInfo> S3ObjectStore::PutSingle(std::string_view key, const std::string& body,
                                            PutMode mode) {
  HttpRequest request;
  request.method = "PUT";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.body = body;
  if (mode == PutMode::kIfAbsent) request.headers.emplace_back("if-none-match", "*");
  for (int conflicts = 0;; ++conflicts) {
    LH_ASSIGN_OR_RETURN(Response response, Send(request));
    if (response.status == 200) {
      ObjectInfo info;
      info.key = request.key;
      info.size = body.size();
      info.etag = Unquote(response.headers["etag"]);
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
      SleepBackoff(conflicts, options_.initial_backoff_ms);
      continue;
    }
    return ErrorFor(response, "PUT", key);
  }
}

Result<std::string> S3ObjectStore::StartMultipart(std::string_view key) {
  HttpRequest request;
  request.method = "POST";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"uploads", ""}};
  LH_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFor(response, "CreateMultipartUpload", key);
  auto id = FirstText(response.body, "UploadId");
  if (!id || id->empty()) return Status::Internal("s3: CreateMultipartUpload gave no UploadId");
  return *id;
}

Result<std::string> S3ObjectStore::UploadPart(std::string_view key, const std::string& upload_id,
                                              int number, std::string_view bytes) {
  HttpRequest request;
  request.method = "PUT";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
  request.body = bytes;
  LH_ASSIGN_OR_RETURN(Response response, Send(request));
  if (response.status != 200) return ErrorFor(response, "UploadPart", key);
  return response.headers["etag"];
}

Result<ObjectInfo> S3ObjectStore::CompleteMultipart(std::string_view key,
                                                    const std::string& upload_id,
                                                    const std::vector<std::string>& etags,
                                                    PutMode mode, uint64_t size) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + etags[i] +
           "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  HttpRequest request;
  request.method = "POST";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"uploadId", upload_id}};
  request.body = xml;
  if (mode == PutMode::kIfAbsent) request.headers.emplace_back("if-none-match", "*");
  LH_ASSIGN_OR_RETURN(Response response, Send(request));
  // S3 may answer 200 and still report a failure in the body.
  if (response.status == 200 && response.body.find("<Error>") != std::string::npos) {
    response.status = 500;
  }
  if (response.status == 200) {
    ObjectInfo info;
    info.key = request.key;
    info.size = size;
    info.etag = Unquote(FirstText(response.body, "ETag").value_or(""));
    info.modified_unix_ms = NowMs();
    return info;
  }
  if ((response.status == 412 || response.status == 404) &&
      request.retried_after_ambiguous_failure) {
    // As in PutSingle: a lost answer to our own completion. A multipart
    // ETag is the MD5 of the parts' binary MD5s, then "-" and their count.
    std::string digests;
    for (const auto& etag : etags) {
      std::string hex = Unquote(etag);
      for (size_t i = 0; i + 1 < hex.size(); i += 2) {
        digests.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
      }
    }
    std::string expected = Md5Hex(digests) + "-" + std::to_string(etags.size());
    auto head = Head(key);
    if (head.ok() && head->etag == expected && head->size == size) return *head;
  }
  return ErrorFor(response, "CompleteMultipartUpload", key);
}

void S3ObjectStore::AbortMultipart(std::string_view key, const std::string& upload_id) {
  HttpRequest request;
  request.method = "DELETE";
  request.path = ObjectPath(key);
  request.key = std::string(key);
  request.query = {{"uploadId", upload_id}};
  // Best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) is
  // the backstop for parts an abort could not remove; none of them is ever
  // visible under the key.
  (void)Send(request);
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
  if (options.mode == PutMode::kIfAbsent && options.content_length &&
      *options.content_length > part_bytes) {
    // Not a guarantee (the completion's If-None-Match is), but it spares
    // uploading a large body only to be refused at the end.
    auto head = Head(key);
    if (head.ok())
      return Status::AlreadyExists("object s3://" + options_.bucket + "/" + std::string(key) +
                                   " already exists");
    if (head.status().code() != StatusCode::kNotFound) return head.status();
  }

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
