// Sends signed S3 requests through pooled curl handles, retrying network failures and 5xx.
#include "storage/s3_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "common/percent_encoding.h"
#include "common/sha256.h"
#include "common/time_format.h"
#include "storage/s3_xml.h"

namespace lakehouse::storage::s3 {
namespace {

constexpr size_t kMaxErrorBody = 64 << 10;

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

// What curl's callbacks share while one request is in flight.
struct Transfer {
  Response* response = nullptr;
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

// The request's headers as curl sends them, signed (SigV4) for `authority`.
Result<curl_slist*> SignedHeaders(const Request& request, const std::string& authority,
                                  const sigv4::Credentials& credentials,
                                  const std::string& region) {
  std::string amz_date = sigv4::AmzDateNow();
  sigv4::Request signing;
  signing.method = request.method;
  signing.canonical_uri = request.path;
  signing.query = request.query;
  LH_ASSIGN_OR_RETURN(signing.payload_sha256, Sha256Hex(request.body));
  signing.headers = request.headers;
  signing.headers.emplace_back("host", authority);
  signing.headers.emplace_back("x-amz-date", amz_date);
  signing.headers.emplace_back("x-amz-content-sha256", signing.payload_sha256);
  if (!credentials.session_token.empty()) {
    signing.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  LH_ASSIGN_OR_RETURN(sigv4::Signature signature,
                      sigv4::Sign(signing, credentials, region, "s3", amz_date));

  curl_slist* header_list = nullptr;
  for (const auto& [name, value] : signing.headers) {
    header_list = curl_slist_append(header_list, (name + ": " + value).c_str());
  }
  header_list =
      curl_slist_append(header_list, ("Authorization: " + signature.authorization).c_str());
  // curl adds these by default; S3 neither needs nor signs them.
  header_list = curl_slist_append(header_list, "Accept:");
  header_list = curl_slist_append(header_list, "Content-Type:");
  return header_list;
}

// Connection settings every request shares: protocols, timeouts, TLS checks.
void SetConnectionOptions(CURL* curl, const S3Options& options) {
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout_s));
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options.verify_tls ? 2L : 0L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
}

// The method, and for PUT and POST the body curl reads from `transfer`.
void SetMethod(CURL* curl, const Request& request, Transfer& transfer) {
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
}

std::once_flag curl_init_once;

}  // namespace

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

void SleepBackoff(int attempt, int initial_ms) {
  thread_local std::mt19937 rng(std::random_device{}());
  int64_t ceiling = std::min<int64_t>(int64_t{initial_ms} << std::min(attempt, 16), 5000);
  // Half fixed, half jitter: retries of many clients spread out, yet each
  // still waits long enough for a throttled store to recover.
  std::uniform_int_distribution<int64_t> jitter(ceiling / 2, std::max<int64_t>(ceiling, 1));
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(rng)));
}

Transport::Transport(S3Options options, std::string scheme, std::string authority)
    : options_(std::move(options)),
      credentials_{options_.access_key_id, options_.secret_access_key, options_.session_token},
      scheme_(std::move(scheme)),
      authority_(std::move(authority)) {}

Transport::~Transport() {
  for (void* handle : handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void Transport::GlobalInit() {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void* Transport::AcquireHandle() {
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

void Transport::ReleaseHandle(void* handle) {
  std::lock_guard lock(handles_mu_);
  handles_.push_back(handle);
}

std::string Transport::Url(const Request& request) const {
  std::string url = scheme_ + "://" + authority_ + request.path;
  std::string query;
  for (const auto& [name, value] : request.query) {
    query += (query.empty() ? "" : "&") + PercentEncode(name) + "=" + PercentEncode(value);
  }
  if (!query.empty()) url += "?" + query;
  return url;
}

Result<Response> Transport::SendOnce(Request& request, ObjectSink* sink, bool* delivered,
                                     bool* retryable) {
  LH_ASSIGN_OR_RETURN(curl_slist * header_list,
                      SignedHeaders(request, authority_, credentials_, options_.region));
  std::string url = Url(request);
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
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  SetConnectionOptions(curl, options_);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  SetMethod(curl, request, transfer);
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

Result<Response> Transport::Send(Request& request, ObjectSink* sink) {
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

}  // namespace lakehouse::storage::s3
