// ClientPool: checks the base URL, lends idle keep-alive clients, names transport failures.
#include "http/client_pool.h"

namespace lakehouse::http {
namespace {
constexpr size_t kMaxIdleClients = 32;
}

Result<std::unique_ptr<ClientPool>> ClientPool::Create(const ClientOptions& options) {
  const std::string& url = options.base_url;
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::InvalidArgument("service URL must start with http:// or https://, got \"" + url +
                                   "\"");
  }
  ClientOptions normalized = options;
  while (normalized.base_url.ends_with('/')) normalized.base_url.pop_back();
  httplib::Client probe(normalized.base_url);
  if (!probe.is_valid()) return Status::InvalidArgument("invalid service URL \"" + url + "\"");
  return std::unique_ptr<ClientPool>(new ClientPool(std::move(normalized)));
}

ClientPool::Lease::~Lease() {
  if (client_ && pool_ != nullptr) pool_->Release(std::move(client_));
}

ClientPool::Lease ClientPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(client));
    }
  }
  auto client = std::make_unique<httplib::Client>(options_.base_url);
  client->set_keep_alive(true);
  // Paths are already percent-encoded by us; a second pass would corrupt them.
  client->set_url_encode(false);
  client->set_tcp_nodelay(true);
  client->set_connection_timeout(options_.connect_timeout_ms / 1000,
                                 (options_.connect_timeout_ms % 1000) * 1000);
  client->set_read_timeout(options_.timeout_s, 0);
  client->set_write_timeout(options_.timeout_s, 0);
  return Lease(this, std::move(client));
}

void ClientPool::Release(std::unique_ptr<httplib::Client> client) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleClients) idle_.push_back(std::move(client));
}

Status ClientPool::TransportError(httplib::Error error) const {
  std::string what = error == httplib::Error::Connection ? "connection refused or host unreachable"
                     : error == httplib::Error::ConnectionTimeout ? "connection timed out"
                     : error == httplib::Error::Read              ? "connection lost while reading"
                     : error == httplib::Error::Write             ? "connection lost while writing"
                                                                  : httplib::to_string(error);
  std::string message = options_.service + " at " + options_.base_url + " is unavailable: " + what;
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::SSLConnection:
    case httplib::Error::Read:
    case httplib::Error::Write:
    case httplib::Error::SSLServerVerification:
      return Status::Unavailable(message);
    default:
      return Status::IoError(message);
  }
}

}  // namespace lakehouse::http
