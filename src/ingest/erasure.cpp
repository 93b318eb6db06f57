// EraseRows and RecoverErasures: plan, write, record, fence, rewrite, delete.
#include "ingest/erasure.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

#include "catalog/manifest_codec.h"
#include "common/logging.h"
#include "common/sql_quote.h"
#include "common/time_format.h"
#include "ingest/random_id.h"
#include "query/deletion_vector.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

using nlohmann::json;

constexpr std::string_view kErasuresPrefix = "_erasures/";
constexpr int kMaxAttempts = 5;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NewErasureId() {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%013lld", static_cast<long long>(NowMs()));
  return std::string(digits) + "-" + RandomId().substr(0, 12);
}

std::string ErrorMessage(duckdb_result* result) {
  std::string message = duckdb_result_error(result) ? duckdb_result_error(result) : "failed";
  if (size_t line = message.find("\nLINE "); line != std::string::npos) message.resize(line);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  return message;
}

// Every data file the kept versions list, once, with the union of the
// deletion vectors listed for it.
struct StoredFile {
  catalog::DataFile file;        // rows, bytes and key; deletes: every vector any version lists
  std::vector<uint64_t> erased;  // positions the predicate holds for, ascending
};

std::vector<StoredFile> FilesOf(const std::vector<catalog::Manifest>& versions) {
  std::vector<StoredFile> files;
  std::map<std::string, size_t> index;
  for (const auto& version : versions) {
    for (const auto& file : version.files) {
      auto [it, added] = index.emplace(file.key, files.size());
      if (added) {
        files.push_back({file, {}});
        files.back().file.deletes.clear();
      }
      auto& deletes = files[it->second].file.deletes;
      for (const auto& d : file.deletes) {
        if (std::find(deletes.begin(), deletes.end(), d) == deletes.end()) deletes.push_back(d);
      }
    }
  }
  return files;
}

// Fills in `erased` for every file, reading them all as one table by
// column name (the versions' schemas may differ).
Status FindErased(const RowChangeContext& context, const EraseRequest& request,
                  std::vector<StoredFile>& files) {
  std::string list;
  std::vector<query::DataFileCache::Lease> leases;
  for (const auto& stored : files) {
    LH_ASSIGN_OR_RETURN(auto lease, context.files.Acquire(stored.file.key));
    list += (list.empty() ? "" : ", ") + SqlString(lease.path());
    leases.push_back(std::move(lease));
  }
  // A newline before the parenthesis: a trailing comment cannot hide it.
  const std::string sql = "SELECT t.file_index, t.file_row_number FROM read_parquet([" + list +
                          "], union_by_name = true) t WHERE (" + request.where +
                          "\n) ORDER BY 1, 2";
  query::QueryResult result;
  if (duckdb_query(context.connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    if (duckdb_result_error_type(result.get()) == DUCKDB_ERROR_OUT_OF_MEMORY) {
      return Status::ResourceExhausted("erasure of " + request.dataset + " ran out of memory");
    }
    return Status::InvalidArgument("the predicate cannot be applied to " + request.dataset + ": " +
                                   ErrorMessage(result.get()));
  }
  while (true) {
    query::DataChunk chunk(duckdb_fetch_chunk(*result.get()));
    if (!chunk) break;
    const idx_t n = duckdb_data_chunk_get_size(chunk.get());
    if (n == 0) break;
    auto* file_index = static_cast<uint64_t*>(
        duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), 0)));
    auto* row =
        static_cast<int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk.get(), 1)));
    for (idx_t i = 0; i < n; ++i) {
      if (file_index[i] >= files.size()) return Status::Internal("a matched row of no file");
      files[file_index[i]].erased.push_back(static_cast<uint64_t>(row[i]));
    }
  }
  return Status::Ok();
}

// Writes the rows of `stored` that are not erased, in their order, and
// stores them under a fresh key.
Result<catalog::DataFile> RewriteFile(const RowChangeContext& context, const std::string& dataset,
                                      const StoredFile& stored, const std::string& path,
                                      std::vector<std::string>* written) {
  auto erased = std::make_shared<query::DeletedRows>(stored.file.rows);
  LH_RETURN_IF_ERROR(erased->Add({stored.file.rows, stored.erased}));
  auto set = std::make_shared<const query::DeletionSet>(query::DeletionSet{erased});
  auto registration = context.deletion_sets.Register(set);
  LH_ASSIGN_OR_RETURN(auto lease, context.files.Acquire(stored.file.key));
  const std::string sql = "COPY (SELECT * FROM read_parquet([" + SqlString(lease.path()) +
                          "]) t WHERE lakehouse_live(" + std::to_string(registration.id()) +
                          ", t.file_index, t.file_row_number)) TO " + SqlString(path) +
                          " (FORMAT parquet, COMPRESSION zstd)";
  query::QueryResult result;
  if (duckdb_query(context.connection, sql.c_str(), result.out()) != DuckDBSuccess) {
    return Status::Internal("erasure could not rewrite " + stored.file.key + ": " +
                            ErrorMessage(result.get()));
  }
  const uint64_t kept = stored.file.rows - stored.erased.size();
  if (static_cast<uint64_t>(duckdb_rows_changed(result.get())) != kept) {
    return Status::Internal("erasure rewrote " + stored.file.key + " with " +
                            std::to_string(duckdb_rows_changed(result.get())) + " rows, not " +
                            std::to_string(kept));
  }
  catalog::DataFile file{catalog::DataFilePrefix(dataset) + RandomId() + ".parquet", kept, 0, {}};
  LH_ASSIGN_OR_RETURN(auto object,
                      context.store.PutFile(file.key, path, storage::PutMode::kIfAbsent));
  written->push_back(file.key);
  file.bytes = object.size;
  return file;
}

// A deletion vector of `stored` renumbered to the rows its rewrite keeps;
// nullopt when every position it held was erased.
Result<std::optional<catalog::DeleteFile>> RenumberDeletes(const RowChangeContext& context,
                                                           const std::string& dataset,
                                                           const StoredFile& stored,
                                                           const catalog::DeleteFile& old,
                                                           std::vector<std::string>* written) {
  LH_ASSIGN_OR_RETURN(auto vector, context.deletion_vectors.Get(old.key));
  query::DeletionVector renumbered{stored.file.rows - stored.erased.size(), {}};
  for (uint64_t position : vector->positions) {
    auto before = std::lower_bound(stored.erased.begin(), stored.erased.end(), position);
    if (before != stored.erased.end() && *before == position) continue;
    renumbered.positions.push_back(position -
                                   static_cast<uint64_t>(before - stored.erased.begin()));
  }
  if (renumbered.positions.empty()) return std::optional<catalog::DeleteFile>();
  LH_ASSIGN_OR_RETURN(std::string bytes, query::EncodeDeletionVector(renumbered));
  catalog::DeleteFile file{catalog::DataFilePrefix(dataset) + RandomId() + ".lhdv",
                           renumbered.positions.size(), bytes.size()};
  LH_RETURN_IF_ERROR(context.store.PutBytes(file.key, bytes, storage::PutMode::kIfAbsent).status());
  written->push_back(file.key);
  return std::optional<catalog::DeleteFile>(std::move(file));
}

// Step 1: the replacement of every file with an erased row.
Status WriteReplacements(const RowChangeContext& context, const std::string& dataset,
                         const std::vector<StoredFile>& files, const std::string& work_prefix,
                         ErasureRecord& record, std::vector<std::string>* written) {
  for (size_t i = 0; i < files.size(); ++i) {
    const StoredFile& stored = files[i];
    if (stored.erased.empty()) continue;
    record.rows_erased += stored.erased.size();
    ++record.files_rewritten;
    // A file left without rows is still written: it carries its columns.
    LH_ASSIGN_OR_RETURN(record.rewrites.files[stored.file.key],
                        RewriteFile(context, dataset, stored,
                                    work_prefix + std::to_string(i) + ".parquet", written));
    for (const auto& old : stored.file.deletes) {
      LH_ASSIGN_OR_RETURN(record.rewrites.deletes[old.key],
                          RenumberDeletes(context, dataset, stored, old, written));
    }
  }
  return Status::Ok();
}

Status PutRecord(storage::ObjectStore& store, const ErasureRecord& record, storage::PutMode mode) {
  return store
      .PutBytes(ErasureKey(record.dataset, record.id), ErasureToJson(record, true).dump(2), mode)
      .status();
}

std::vector<std::string> NewKeys(const catalog::FileRewrites& rewrites) {
  std::vector<std::string> keys;
  for (const auto& [old, file] : rewrites.files) keys.push_back(file.key);
  for (const auto& [old, file] : rewrites.deletes) {
    if (file) keys.push_back(file->key);
  }
  return keys;
}

// Whether the record's erase version is committed: the point of no return.
Result<bool> Committed(const RowChangeContext& context, const ErasureRecord& record) {
  if (!record.version) return true;
  auto version = context.catalog.GetVersion(record.dataset, *record.version);
  if (!version.ok()) {
    if (version.status().code() == StatusCode::kNotFound) return false;
    return version.status();
  }
  return std::find(version->erasures.begin(), version->erasures.end(), record.id) !=
             version->erasures.end() &&
         version->operation == catalog::Operation::kErase;
}

// Undoes an erasure that did not reach its point of no return.
Status Undo(const RowChangeContext& context, const ErasureRecord& record) {
  RemoveObjects(context.store, NewKeys(record.rewrites));
  Status removed = context.store.Delete(ErasureKey(record.dataset, record.id));
  if (!removed.ok() && removed.code() != StatusCode::kNotFound) return removed;
  return Status::Ok();
}

// Steps 4 to 6.
Status Finish(const RowChangeContext& context, ErasureRecord& record) {
  LH_ASSIGN_OR_RETURN(auto first, context.catalog.RewriteFiles(record.dataset, record.rewrites));
  std::vector<std::string> old;
  for (const auto& [key, file] : record.rewrites.files) old.push_back(key);
  for (const auto& [key, file] : record.rewrites.deletes) old.push_back(key);
  for (const auto& key : old) {
    Status deleted = context.store.Delete(key);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted;
    context.files.Forget(key);
  }
  LH_ASSIGN_OR_RETURN(auto second, context.catalog.RewriteFiles(record.dataset, record.rewrites));
  std::set<uint64_t> versions(record.versions_rewritten.begin(), record.versions_rewritten.end());
  versions.insert(first.begin(), first.end());
  versions.insert(second.begin(), second.end());
  record.versions_rewritten.assign(versions.begin(), versions.end());
  record.state = "done";
  record.finished_unix_ms = NowMs();
  return PutRecord(context.store, record, storage::PutMode::kOverwrite);
}

// Steps 2 and 3 for a plan computed from `versions`; kConflict when another
// writer committed first (then nothing of this attempt is left).
Status Commit(const RowChangeContext& context, const std::vector<catalog::Manifest>& versions,
              ErasureRecord& record) {
  const catalog::Manifest& head = versions.back();
  const bool live = head.operation != catalog::Operation::kDelete;
  catalog::Manifest erased = head;
  if (live) {
    record.version = head.version + 1;
    LH_RETURN_IF_ERROR(catalog::ApplyRewrites(record.rewrites, erased).status());
    record.rows_erased_current = head.rows - erased.rows;
  }
  LH_RETURN_IF_ERROR(PutRecord(context.store, record, storage::PutMode::kIfAbsent));
  if (!live) return Status::Ok();
  catalog::CommitRequest commit;
  commit.dataset = record.dataset;
  commit.mode = catalog::WriteMode::kReplace;
  commit.schema = head.schema;
  commit.files = erased.files;
  commit.expected_version = head.version;
  commit.operation = catalog::Operation::kErase;
  commit.counts.deleted = record.rows_erased_current;
  commit.mixed_schema = head.mixed_schema;
  commit.erasure = record.id;
  auto committed = context.catalog.Commit(commit);
  if (committed.ok()) return Status::Ok();
  // The commit may have landed though its answer was lost.
  auto landed = Committed(context, record);
  if (landed.ok() && *landed) return Status::Ok();
  LH_RETURN_IF_ERROR(Undo(context, record));
  return committed.status();
}

}  // namespace

std::string ErasureKey(std::string_view dataset, std::string_view id) {
  return std::string(kErasuresPrefix) + std::string(dataset) + "/" + std::string(id) + ".json";
}

json ErasureToJson(const ErasureRecord& r, bool with_keys) {
  json out = {
      {"id", r.id},
      {"dataset", r.dataset},
      {"where", r.where},
      {"state", r.state},
      {"started", FormatRfc3339Ms(r.started_unix_ms)},
      {"finished", r.finished_unix_ms ? json(FormatRfc3339Ms(r.finished_unix_ms)) : json(nullptr)},
      {"version", r.version ? json(*r.version) : json(nullptr)},
      {"rows_erased", r.rows_erased},
      {"rows_erased_current", r.rows_erased_current},
      {"versions_rewritten", r.versions_rewritten},
      {"files_rewritten", r.files_rewritten}};
  if (with_keys) out["rewrites"] = catalog::FileRewritesToJson(r.rewrites);
  return out;
}

Result<ErasureRecord> ErasureFromJson(const json& j) {
  ErasureRecord r;
  try {
    r.id = j.at("id").get<std::string>();
    r.dataset = j.at("dataset").get<std::string>();
    r.where = j.at("where").get<std::string>();
    r.state = j.at("state").get<std::string>();
    r.started_unix_ms = ParseRfc3339Ms(j.at("started").get<std::string>()).value_or(0);
    if (!j.at("finished").is_null()) {
      r.finished_unix_ms = ParseRfc3339Ms(j.at("finished").get<std::string>()).value_or(0);
    }
    if (!j.at("version").is_null()) r.version = j.at("version").get<uint64_t>();
    r.rows_erased = j.at("rows_erased").get<uint64_t>();
    r.rows_erased_current = j.at("rows_erased_current").get<uint64_t>();
    r.versions_rewritten = j.at("versions_rewritten").get<std::vector<uint64_t>>();
    r.files_rewritten = j.at("files_rewritten").get<uint64_t>();
  } catch (const json::exception& e) {
    return Status::IoError(std::string("malformed erasure record: ") + e.what());
  }
  if (r.state != "pending" && r.state != "done") {
    return Status::IoError("malformed erasure record: state \"" + r.state + "\"");
  }
  if (auto it = j.find("rewrites"); it != j.end()) {
    LH_ASSIGN_OR_RETURN(r.rewrites, catalog::FileRewritesFromJson(*it));
  }
  return r;
}

Result<ErasureRecord> EraseRows(const RowChangeContext& context, const EraseRequest& request,
                                const std::string& work_dir) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    LH_ASSIGN_OR_RETURN(auto versions, context.catalog.ListVersions(request.dataset));
    if (versions.empty()) return catalog::DatasetNotFound(request.dataset);
    std::vector<StoredFile> files = FilesOf(versions);
    LH_RETURN_IF_ERROR(FindErased(context, request, files));
    ErasureRecord record;
    record.id = NewErasureId();
    record.dataset = request.dataset;
    record.where = request.where;
    record.state = "pending";
    record.started_unix_ms = NowMs();
    record.rewrites.erasure = record.id;
    std::vector<std::string> written;
    Status wrote =
        WriteReplacements(context, request.dataset, files,
                          work_dir + "/erased-" + std::to_string(attempt) + "-", record, &written);
    if (!wrote.ok()) {
      RemoveObjects(context.store, written);
      return wrote;
    }
    if (record.rows_erased == 0) return record;
    Status committed = Commit(context, versions, record);
    if (committed.ok()) {
      LH_RETURN_IF_ERROR(Finish(context, record));
      spdlog::info("erase {}: {} rows from {} files; version {}, versions {} rewritten",
                   request.dataset, record.rows_erased, record.files_rewritten,
                   record.version ? std::to_string(*record.version) : "-",
                   record.versions_rewritten.size());
      return record;
    }
    if (committed.code() != StatusCode::kConflict) return committed;
    // Another writer committed first: plan again from its version.
  }
  return Status::Conflict("the dataset " + request.dataset +
                          " changed during each of its erasures; try again");
}

Result<std::vector<ErasureRecord>> ListErasures(storage::ObjectStore& store,
                                                std::string_view dataset) {
  storage::ListOptions options;
  options.prefix = std::string(kErasuresPrefix) + std::string(dataset) + "/";
  options.limit = storage::kMaxListLimit;
  std::vector<ErasureRecord> records;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, store.List(options));
    for (const auto& object : page.objects) {
      auto bytes = store.GetBytes(object.key);
      if (!bytes.ok()) {
        if (bytes.status().code() == StatusCode::kNotFound) continue;  // undone meanwhile
        return bytes.status();
      }
      auto parsed = json::parse(*bytes, nullptr, false);
      auto record = ErasureFromJson(parsed);
      if (!record.ok()) {
        return Status::IoError("erasure record " + object.key +
                               " is damaged: " + record.status().message());
      }
      records.push_back(std::move(*record));
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  return records;
}

Status RecoverErasures(const RowChangeContext& context) {
  storage::ListOptions options;
  options.prefix = std::string(kErasuresPrefix);
  options.limit = storage::kMaxListLimit;
  std::set<std::string> datasets;
  while (true) {
    LH_ASSIGN_OR_RETURN(auto page, context.store.List(options));
    for (const auto& object : page.objects) {
      std::string_view rest = std::string_view(object.key).substr(kErasuresPrefix.size());
      datasets.insert(std::string(rest.substr(0, rest.find('/'))));
    }
    if (!page.next) break;
    options.start_after = *page.next;
  }
  for (const auto& dataset : datasets) {
    LH_ASSIGN_OR_RETURN(auto records, ListErasures(context.store, dataset));
    for (auto& record : records) {
      if (record.state != "pending") continue;
      LH_ASSIGN_OR_RETURN(bool committed, Committed(context, record));
      spdlog::warn("erase {}: erasure {} was interrupted; {}", dataset, record.id,
                   committed ? "finishing it" : "undoing it");
      LH_RETURN_IF_ERROR(committed ? Finish(context, record) : Undo(context, record));
    }
  }
  return Status::Ok();
}

}  // namespace lakehouse::ingest
