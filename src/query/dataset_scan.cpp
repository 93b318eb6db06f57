// lakehouse_live and the dataset scan macros, and the registry of deletion
// sets they read.
#include "query/dataset_scan.h"

#include "query/duckdb_handles.h"

namespace lakehouse::query {

DeletionSets::Registration& DeletionSets::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    Release();
    sets_ = std::exchange(other.sets_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void DeletionSets::Registration::Release() {
  if (sets_ == nullptr) return;
  std::lock_guard lock(sets_->mu_);
  sets_->sets_.erase(id_);
  sets_ = nullptr;
}

DeletionSets::Registration DeletionSets::Register(std::shared_ptr<const DeletionSet> set) {
  Registration registration;
  std::lock_guard lock(mu_);
  registration.sets_ = this;
  registration.id_ = next_id_++;
  sets_.emplace(registration.id_, std::move(set));
  return registration;
}

std::shared_ptr<const DeletionSet> DeletionSets::Find(uint64_t id) const {
  std::lock_guard lock(mu_);
  auto it = sets_.find(id);
  return it == sets_.end() ? nullptr : it->second;
}

Result<std::shared_ptr<const DeletionSet>> LoadDeletionSet(const catalog::Manifest& manifest,
                                                           const DeletionVectorLoader& load) {
  auto set = std::make_shared<DeletionSet>(manifest.files.size());
  for (size_t i = 0; i < manifest.files.size(); ++i) {
    const auto& file = manifest.files[i];
    if (file.deletes.empty()) continue;
    auto rows = std::make_shared<DeletedRows>(file.rows);
    for (const auto& deleted : file.deletes) {
      LH_ASSIGN_OR_RETURN(auto vector, load(deleted.key));
      Status added = vector->file_rows == file.rows
                         ? rows->Add(*vector)
                         : Status::Unprocessable("it is for a file of " +
                                                 std::to_string(vector->file_rows) + " rows");
      if (!added.ok()) {
        return Status::IoError("deletion vector " + deleted.key + " does not fit data file " +
                               file.key + ": " + added.message());
      }
    }
    (*set)[i] = std::move(rows);
  }
  return std::shared_ptr<const DeletionSet>(std::move(set));
}

Result<std::shared_ptr<const DeletionVector>> ReadDeletionVector(storage::ObjectStore& store,
                                                                 const std::string& key) {
  auto bytes = store.GetBytes(key);
  if (!bytes.ok()) {
    return Status::IoError("cannot read deletion vector " + key + ": " + bytes.status().message());
  }
  auto decoded = DecodeDeletionVector(*bytes);
  if (!decoded.ok()) return Status::IoError(key + ": " + decoded.status().message());
  return std::make_shared<const DeletionVector>(std::move(*decoded));
}

Result<std::shared_ptr<const DeletionVector>> DeletionVectorCache::Get(const std::string& key) {
  {
    std::lock_guard lock(mu_);
    if (auto it = vectors_.find(key); it != vectors_.end()) return it->second;
  }
  LH_ASSIGN_OR_RETURN(auto vector, ReadDeletionVector(store_, key));
  std::lock_guard lock(mu_);
  if (vectors_.size() >= max_vectors_) vectors_.clear();
  vectors_.emplace(key, vector);
  return vector;
}

namespace {

// lakehouse_live(set UBIGINT, file_index UBIGINT, row BIGINT) -> BOOLEAN:
// false for a row of a file whose deletion vectors hold it.
void LiveFunction(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  auto* sets = static_cast<DeletionSets*>(duckdb_scalar_function_get_extra_info(info));
  const idx_t n = duckdb_data_chunk_get_size(input);
  auto* out = static_cast<bool*>(duckdb_vector_get_data(output));
  if (n == 0) return;
  const auto* set_ids =
      static_cast<const uint64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 0)));
  const auto* files =
      static_cast<const uint64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 1)));
  const auto* rows =
      static_cast<const int64_t*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(input, 2)));
  // The set is a constant of the scan: one lookup per chunk.
  std::shared_ptr<const DeletionSet> set = sets->Find(set_ids[0]);
  if (!set) {
    duckdb_scalar_function_set_error(info, "lakehouse_live: no such deletion set");
    return;
  }
  const DeletedRows* last = nullptr;
  uint64_t last_file = UINT64_MAX;
  for (idx_t i = 0; i < n; ++i) {
    if (files[i] != last_file) {
      last_file = files[i];
      last = last_file < set->size() ? (*set)[last_file].get() : nullptr;
    }
    out[i] = last == nullptr || !last->contains(static_cast<uint64_t>(rows[i]));
  }
}

Status RegisterLive(duckdb_connection connection, DeletionSets& sets) {
  duckdb_scalar_function function = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(function, "lakehouse_live");
  LogicalType ubigint(duckdb_create_logical_type(DUCKDB_TYPE_UBIGINT));
  LogicalType bigint(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  LogicalType boolean(duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN));
  duckdb_scalar_function_add_parameter(function, ubigint.get());
  duckdb_scalar_function_add_parameter(function, ubigint.get());
  duckdb_scalar_function_add_parameter(function, bigint.get());
  duckdb_scalar_function_set_return_type(function, boolean.get());
  duckdb_scalar_function_set_extra_info(function, &sets, nullptr);
  duckdb_scalar_function_set_function(function, LiveFunction);
  duckdb_state registered = duckdb_register_scalar_function(connection, function);
  duckdb_destroy_scalar_function(&function);
  if (registered != DuckDBSuccess) return Status::Internal("cannot register lakehouse_live");
  return Status::Ok();
}

}  // namespace

Status RegisterDatasetScan(duckdb_connection connection, DeletionSets& sets) {
  LH_RETURN_IF_ERROR(RegisterLive(connection, sets));
  // file_index and file_row_number are virtual columns of the scan: they
  // filter rows without appearing in SELECT *.
  LH_RETURN_IF_ERROR(Exec(connection,
                          "CREATE MACRO lakehouse_scan(files, by_name) AS TABLE "
                          "SELECT * FROM read_parquet(files, union_by_name = by_name)"));
  return Exec(connection,
              "CREATE MACRO lakehouse_scan_live(files, deletion_set, by_name) AS "
              "TABLE SELECT * FROM read_parquet(files, union_by_name = by_name) "
              "WHERE lakehouse_live(deletion_set, file_index, file_row_number)");
}

}  // namespace lakehouse::query
