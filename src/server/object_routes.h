// The Objects routes of docs/api.md, translating requests to ObjectStore calls.
//
// Two families over the same handlers:
//  - the public API, `/v1/objects/...`, which users reach (in `serve`, and in
//    storaged behind the gateway): every system key (storage::IsSystemKey:
//    the catalog's manifests, the datasets' data files, vector indexes, the
//    writer claim) is refused with 403 naming its reserved prefix, whatever
//    the method, and a listing never shows one;
//  - the internal API, `/v1/internal/objects/...`, with no such rule: the
//    services' storage client (storage::HttpObjectStore) writes the system's
//    own keys through it. Only storaged serves it; `serve` never registers it
//    and the gateway's route table has no route to it (404), so it is
//    reachable only by whoever reaches storaged's own listener.
//
// Keys are decoded once, from the raw request target, and the reserved
// prefixes are checked on the decoded key, so no escape ("%5Fcatalog",
// "_catalog%2F...") gets around them.
#pragma once

#include <httplib.h>

#include <string_view>

#include "common/status.h"
#include "storage/object_store.h"

namespace lakehouse::server {

enum class ObjectApi { kPublic, kInternal };

inline constexpr std::string_view kPublicObjectsPath = "/v1/objects";
inline constexpr std::string_view kInternalObjectsPath = "/v1/internal/objects";

void RegisterObjectRoutes(httplib::Server& router, storage::ObjectStore& store,
                          uint64_t max_object_bytes, ObjectApi api = ObjectApi::kPublic);

// For a front door that sees a request before its body: OK unless `target`
// (the raw request target of a request on /v1/objects/{key}) names a system
// key, which is kPermissionDenied. A malformed key is left to the route.
Status CheckPublicObjectTarget(std::string_view target);

// A page of `store` under `options` without the system keys, filled up to
// `options.limit` where more user keys exist; whole system spaces are skipped
// with one List call each, never walked. `next` is the last key returned.
Result<storage::ListPage> ListUserObjects(storage::ObjectStore& store,
                                          storage::ListOptions options);

}  // namespace lakehouse::server
