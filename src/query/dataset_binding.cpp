// Dataset names in a query bound to one version's files each, via DuckDB's replacement scan.
#include <algorithm>
#include <cctype>

#include "query/engine_impl.h"

namespace lakehouse::query {

thread_local BindContext* current_bind = nullptr;

namespace {

std::optional<TableRef> ParseTableRef(std::string_view name) {
  TableRef ref;
  size_t at = name.find('@');
  ref.dataset = std::string(name.substr(0, at));
  if (!catalog::ValidateDatasetName(ref.dataset).ok()) return std::nullopt;
  if (at != std::string_view::npos) {
    std::string_view digits = name.substr(at + 1);
    // A tag starts with a letter; anything else must be a version number.
    if (catalog::ValidateTagName(digits).ok()) {
      ref.tag = std::string(digits);
      return ref;
    }
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    uint64_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    ref.version = v;
  }
  return ref;
}

// A name that reached the replacement scan but is no dataset reference.
Status NoSuchTable(std::string_view name) {
  size_t at = name.find('@');
  std::string_view dataset = name.substr(0, at);
  if (Status valid = catalog::ValidateDatasetName(dataset); !valid.ok()) {
    return Status::NotFound(catalog::DatasetNotFound(dataset).message() + " (" + valid.message() +
                            ")");
  }
  return Status::NotFound("dataset " + std::string(dataset) + " has no version " +
                          std::string(name.substr(at + 1)));
}

bool HasColumn(const catalog::Manifest& manifest, std::string_view name) {
  for (const auto& column : manifest.schema) {
    if (column.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), column.name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return true;
    }
  }
  return false;
}

// Points DuckDB at the table function that reads `scan` (dataset_scan.h).
void SetScanFunction(duckdb_replacement_scan_info info, const ResolvedScan& scan) {
  LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  std::vector<duckdb_value> values;
  for (const auto& p : scan.paths) values.push_back(duckdb_create_varchar(p.c_str()));
  Value list(duckdb_create_list_value(varchar.get(), values.data(), values.size()));
  for (auto& v : values) duckdb_destroy_value(&v);
  if (scan.deletion_set == 0 && !scan.by_name) {
    duckdb_replacement_scan_set_function_name(info, "read_parquet");
    duckdb_replacement_scan_add_parameter(info, list.get());
    return;
  }
  Value by_name(duckdb_create_bool(scan.by_name));
  duckdb_replacement_scan_add_parameter(info, list.get());
  if (scan.deletion_set != 0) {
    Value set(duckdb_create_uint64(scan.deletion_set));
    duckdb_replacement_scan_set_function_name(info, "lakehouse_scan_live");
    duckdb_replacement_scan_add_parameter(info, set.get());
  } else {
    duckdb_replacement_scan_set_function_name(info, "lakehouse_scan");
  }
  duckdb_replacement_scan_add_parameter(info, by_name.get());
}

void ReplacementScan(duckdb_replacement_scan_info info, const char* table_name, void* data) {
  static_cast<EngineImpl*>(data)->Resolve(info, table_name);
}

}  // namespace

void EngineImpl::RegisterReplacementScan() {
  duckdb_add_replacement_scan(database_.get(), ReplacementScan, this, nullptr);
}

void EngineImpl::Resolve(duckdb_replacement_scan_info info, const char* table_name) {
  BindContext* bind = current_bind;
  if (bind == nullptr) return;
  auto fail = [&](const Status& error) {
    if (!bind->error) bind->error = error;
    duckdb_replacement_scan_set_error(info, error.message().c_str());
  };
  auto ref = ParseTableRef(table_name);
  // DuckDB's own answer would suggest one of its system views instead.
  if (!ref) return fail(NoSuchTable(table_name));
  auto it = bind->scans.find(table_name);
  if (it == bind->scans.end()) {
    // A self-join sees the version its first mention saw.
    auto scan = ResolveScan(*ref, *bind);
    if (!scan.ok()) return fail(scan.status());
    it = bind->scans.emplace(table_name, std::move(*scan)).first;
  }
  SetScanFunction(info, it->second);
}

Result<catalog::Manifest> EngineImpl::ResolveVersion(const TableRef& ref, BindContext& bind) {
  std::optional<uint64_t> version = ref.version;
  if (ref.tag) {
    LH_ASSIGN_OR_RETURN(uint64_t tagged, catalog_.GetTag(ref.dataset, *ref.tag));
    version = tagged;
  }
  if (!version && bind.as_of != nullptr) {
    if (auto pin = bind.as_of->find(ref.dataset); pin != bind.as_of->end()) version = pin->second;
  }
  auto manifest =
      version ? catalog_.GetVersion(ref.dataset, *version) : catalog_.GetCurrent(ref.dataset);
  if (manifest.ok() && manifest->operation == catalog::Operation::kDelete) {
    return Status::NotFound("version " + std::to_string(manifest->version) + " of " + ref.dataset +
                            " is a deletion and has no rows");
  }
  if (!manifest.ok() && manifest.status().code() == StatusCode::kNotFound) {
    return version ? manifest.status() : catalog::DatasetNotFound(ref.dataset);
  }
  return manifest;
}

Result<ResolvedScan> EngineImpl::ResolveScan(const TableRef& ref, BindContext& bind) {
  LH_ASSIGN_OR_RETURN(catalog::Manifest manifest, ResolveVersion(ref, bind));
  ResolvedScan scan;
  scan.by_name = manifest.mixed_schema;
  for (const auto& file : manifest.files) {
    LH_ASSIGN_OR_RETURN(auto lease, cache_->Acquire(file.key));
    scan.paths.push_back(lease.path());
    bind.pins.leases.push_back(std::move(lease));
  }
  if (HasDeletes(manifest)) {
    LH_ASSIGN_OR_RETURN(auto set, LoadDeletionSet(manifest, deletion_vectors_->Loader()));
    bind.pins.deletions.push_back(deletion_sets_.Register(std::move(set)));
    scan.deletion_set = bind.pins.deletions.back().id();
  }
  if (bind.names_filename && !HasColumn(manifest, "filename")) {
    // DuckDB would answer `filename` with the data file's server path.
    return Status::PermissionDenied(
        "column filename is refused: " + ref.dataset +
        " has no column of that name, and DuckDB would answer it with a server file path");
  }
  bind.datasets_read.insert(ref.dataset);
  auto [existing, inserted] = bind.versions.emplace(ref.dataset, manifest.version);
  if (!inserted && existing->second != manifest.version) {
    // Two versions of one dataset in one query: the first one bound keeps
    // the plain name, any other is reported as name@N.
    bind.versions[ref.dataset + "@" + std::to_string(manifest.version)] = manifest.version;
  }
  return scan;
}

Status EngineImpl::CheckAsOf(const BindContext& bind) {
  if (bind.as_of == nullptr) return Status::Ok();
  for (const auto& [dataset, version] : *bind.as_of) {
    if (bind.datasets_read.contains(dataset)) continue;
    if (Status valid = catalog::ValidateDatasetName(dataset); !valid.ok()) {
      return Status::InvalidArgument("as_of: " + valid.message());
    }
    auto current = catalog_.GetCurrent(dataset);
    if (!current.ok() && current.status().code() == StatusCode::kNotFound) {
      return Status::NotFound("as_of: " + catalog::DatasetNotFound(dataset).message());
    }
    if (!current.ok()) return current.status();
    return Status::InvalidArgument("as_of pins dataset \"" + dataset + "\" to version " +
                                   std::to_string(version) +
                                   ", but the query does not read it; pin only the datasets "
                                   "the query reads");
  }
  return Status::Ok();
}

}  // namespace lakehouse::query
