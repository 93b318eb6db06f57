// Takes, reads and releases the writer claim object that lets one process write `_vectors/`.
#include "vector/writer_claim.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

namespace lakehouse::vector {
namespace {

constexpr std::string_view kWriterKey = VectorService::kWriterKey;

std::string NewClaimToken() {
  std::mt19937_64 rng{std::random_device{}()};
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buffer;
}

struct Claim {
  std::string writer;
  std::string token;
  std::string host;
  int64_t pid = 0;
};

std::string HostName() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

// The holder ran on this host and its process is gone (a crash or kill -9):
// its claim protects nobody. pid reuse can only make this answer "alive".
bool HolderIsDeadHere(const Claim& claim) {
  if (claim.host.empty() || claim.host != HostName() || claim.pid <= 0) return false;
  return ::kill(static_cast<pid_t>(claim.pid), 0) != 0 && errno == ESRCH;
}

// A claim object that does not parse still holds the role (someone wrote
// it); it is described as unknown.
Claim ParseClaim(const std::string& bytes) {
  auto json = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  Claim claim;
  claim.writer = "an unknown process";
  if (json.is_object()) {
    if (json.contains("writer") && json["writer"].is_string()) claim.writer = json["writer"];
    if (json.contains("token") && json["token"].is_string()) claim.token = json["token"];
    if (json.contains("host") && json["host"].is_string()) claim.host = json["host"];
    if (json.contains("pid") && json["pid"].is_number_integer()) claim.pid = json["pid"];
  }
  return claim;
}

// The claim as stored, if there is one.
Result<std::optional<Claim>> ReadClaim(storage::ObjectStore& store) {
  auto bytes = store.GetBytes(kWriterKey);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<Claim>();
    return bytes.status();
  }
  return std::optional<Claim>(ParseClaim(*bytes));
}

}  // namespace

Status TakeWriterClaim(storage::ObjectStore& store, VectorRole role, const std::string& writer_id,
                       WriterClaim& claim) {
  claim.writer = writer_id.empty() ? "pid " + std::to_string(::getpid()) : writer_id;
  if (role == VectorRole::kReader) {
    LH_ASSIGN_OR_RETURN(auto held, ReadClaim(store));
    claim.read_only = true;
    claim.writer = held ? held->writer : "none (no vectord holds " + std::string(kWriterKey) + ")";
    spdlog::info("vectord: read-only by configuration; the writer is {}", claim.writer);
    return Status::Ok();
  }
  claim.token = NewClaimToken();
  nlohmann::json body = {{"writer", claim.writer},
                         {"token", claim.token},
                         {"host", HostName()},
                         {"pid", ::getpid()},
                         {"since_unix_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()}};
  // A few rounds: the holder may release between our put and our read.
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto put = store.PutBytes(kWriterKey, body.dump(), storage::PutMode::kIfAbsent);
    if (put.ok()) {
      spdlog::info("vectord: this process ({}) writes _vectors/", claim.writer);
      return Status::Ok();
    }
    if (put.status().code() != StatusCode::kAlreadyExists) return put.status();
    LH_ASSIGN_OR_RETURN(auto held, ReadClaim(store));
    if (!held) continue;
    if ((!writer_id.empty() && held->writer == writer_id) || HolderIsDeadHere(*held)) {
      // Our own claim, or one of a dead process on this host, left by a
      // crash: take it back.
      LH_RETURN_IF_ERROR(store.PutBytes(kWriterKey, body.dump()).status());
      spdlog::warn("vectord: took back the writer claim of {} left by an earlier run",
                   held->writer);
      return Status::Ok();
    }
    claim.token.clear();
    if (role == VectorRole::kWriter) {
      return Status::Conflict("vectord role = \"writer\", but " + held->writer + " holds " +
                              std::string(kWriterKey) +
                              "; stop it, or delete that object if it is gone");
    }
    claim.read_only = true;
    claim.writer = held->writer;
    spdlog::info("vectord: read-only; {} writes _vectors/ (it holds {})", claim.writer, kWriterKey);
    return Status::Ok();
  }
  return Status::Unavailable("the vectord writer claim " + std::string(kWriterKey) +
                             " keeps changing; try again");
}

void ReleaseWriterClaim(storage::ObjectStore& store, const WriterClaim& claim) {
  if (claim.read_only || claim.token.empty()) return;
  // Only our own claim: a process that lost it (taken back by a restarted
  // writer of the same id) must not delete the new holder's.
  auto bytes = store.GetBytes(kWriterKey);
  if (!bytes.ok() || ParseClaim(*bytes).token != claim.token) return;
  Status deleted = store.Delete(kWriterKey);
  if (!deleted.ok()) {
    spdlog::warn("vectord: could not release the writer claim: {}", deleted.ToString());
  }
}

}  // namespace lakehouse::vector
