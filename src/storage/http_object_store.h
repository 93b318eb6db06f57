// An ObjectStore that talks to storaged over HTTP: the services' storage
// client in split mode. It uses storaged's internal object routes
// (`/v1/internal/objects`, same wire form as docs/api.md's Objects), which allow
// the system keys the public routes refuse; the services and storaged trust
// each other on their network. Errors come from status codes: 404 is
// kNotFound, 412 kAlreadyExists, 413 kTooLarge, a refused connection
// kUnavailable.
#pragma once

#include <memory>
#include <string>

#include "http/client_pool.h"
#include "storage/object_store.h"

namespace lakehouse::storage {

class HttpObjectStore final : public ObjectStore {
 public:
  static Result<std::unique_ptr<HttpObjectStore>> Create(const http::ClientOptions& options);

  Result<ObjectInfo> Put(std::string_view key, const BodyProducer& body,
                         const PutOptions& options) override;
  Result<ObjectInfo> Get(std::string_view key, ObjectSink& sink) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Delete(std::string_view key) override;
  Result<ListPage> List(const ListOptions& options) override;

 private:
  explicit HttpObjectStore(std::unique_ptr<http::ClientPool> pool) : pool_(std::move(pool)) {}

  std::unique_ptr<http::ClientPool> pool_;
};

}  // namespace lakehouse::storage
