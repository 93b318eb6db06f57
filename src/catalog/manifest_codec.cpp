// JSON encoding and checked decoding of manifests, commit requests, listings, tags and rewrites.
#include "catalog/manifest_codec.h"

#include <algorithm>
#include <initializer_list>

#include "common/time_format.h"

namespace lakehouse::catalog {
namespace {

using nlohmann::json;

json SchemaToJson(const std::vector<Column>& schema) {
  json out = json::array();
  for (const auto& c : schema) out.push_back({{"name", c.name}, {"type", c.type}});
  return out;
}

json FilesToJson(const std::vector<DataFile>& files) {
  json out = json::array();
  for (const auto& f : files) {
    json file = {{"key", f.key}, {"rows", f.rows}, {"bytes", f.bytes}};
    if (!f.deletes.empty()) {
      json deletes = json::array();
      for (const auto& d : f.deletes) {
        deletes.push_back({{"key", d.key}, {"rows", d.rows}, {"bytes", d.bytes}});
      }
      file["deletes"] = std::move(deletes);
    }
    out.push_back(std::move(file));
  }
  return out;
}

json CountsToJson(const ChangeCounts& counts) {
  return {{"inserted", counts.inserted}, {"updated", counts.updated}, {"deleted", counts.deleted}};
}

json SourceToJson(const std::optional<Source>& source) {
  if (!source) return nullptr;
  return {{"file_name", source->file_name}, {"bytes", source->bytes}, {"sha256", source->sha256}};
}

// Field readers that fail with a Status instead of throwing.
Status Malformed(const std::string& what) { return Status::IoError("malformed manifest: " + what); }

template <typename T>
Status Read(const json& object, const char* field, T* out) {
  auto it = object.find(field);
  if (it == object.end()) return Malformed(std::string("missing \"") + field + "\"");
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    return Malformed(std::string("bad \"") + field + "\"");
  }
  return Status::Ok();
}

Result<std::vector<Column>> SchemaFromJson(const json& value) {
  if (!value.is_array()) return Malformed("schema is not an array");
  std::vector<Column> schema;
  for (const auto& c : value) {
    if (!c.is_object()) return Malformed("schema column is not an object");
    Column column;
    LH_RETURN_IF_ERROR(Read(c, "name", &column.name));
    LH_RETURN_IF_ERROR(Read(c, "type", &column.type));
    schema.push_back(std::move(column));
  }
  return schema;
}

Result<std::vector<DataFile>> FilesFromJson(const json& value) {
  if (!value.is_array()) return Malformed("files is not an array");
  std::vector<DataFile> files;
  for (const auto& f : value) {
    if (!f.is_object()) return Malformed("file is not an object");
    DataFile file;
    LH_RETURN_IF_ERROR(Read(f, "key", &file.key));
    LH_RETURN_IF_ERROR(Read(f, "rows", &file.rows));
    LH_RETURN_IF_ERROR(Read(f, "bytes", &file.bytes));
    if (auto it = f.find("deletes"); it != f.end()) {
      if (!it->is_array()) return Malformed("deletes is not an array");
      for (const auto& d : *it) {
        if (!d.is_object()) return Malformed("delete file is not an object");
        DeleteFile deleted;
        LH_RETURN_IF_ERROR(Read(d, "key", &deleted.key));
        LH_RETURN_IF_ERROR(Read(d, "rows", &deleted.rows));
        LH_RETURN_IF_ERROR(Read(d, "bytes", &deleted.bytes));
        file.deletes.push_back(std::move(deleted));
      }
      if (file.deleted_rows() > file.rows) return Malformed("more rows deleted than a file has");
    }
    files.push_back(std::move(file));
  }
  return files;
}

// Absent in manifests written before versions counted their changes.
Result<ChangeCounts> CountsFromJson(const json& object) {
  ChangeCounts counts;
  auto it = object.find("counts");
  if (it == object.end() || it->is_null()) return counts;
  if (!it->is_object()) return Malformed("counts is not an object");
  LH_RETURN_IF_ERROR(Read(*it, "inserted", &counts.inserted));
  LH_RETURN_IF_ERROR(Read(*it, "updated", &counts.updated));
  LH_RETURN_IF_ERROR(Read(*it, "deleted", &counts.deleted));
  return counts;
}

Result<std::optional<uint64_t>> OptionalCount(const json& object, const char* field) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::optional<uint64_t>();
  if (!it->is_number_unsigned()) return Malformed(std::string("bad \"") + field + "\"");
  return std::optional<uint64_t>(it->get<uint64_t>());
}

// Absent in manifests written before erasures.
Result<std::vector<std::string>> StringsFromJson(const json& object, const char* field) {
  std::vector<std::string> out;
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) return Malformed(std::string("bad \"") + field + "\"");
  for (const auto& item : *it) {
    if (!item.is_string()) return Malformed(std::string("bad \"") + field + "\"");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::optional<Source>> SourceFromJson(const json& object) {
  auto it = object.find("source");
  if (it == object.end() || it->is_null()) return std::optional<Source>();
  if (!it->is_object()) return Malformed("source is not an object");
  Source source;
  LH_RETURN_IF_ERROR(Read(*it, "file_name", &source.file_name));
  LH_RETURN_IF_ERROR(Read(*it, "bytes", &source.bytes));
  LH_RETURN_IF_ERROR(Read(*it, "sha256", &source.sha256));
  return std::optional<Source>(std::move(source));
}

// A commit request is refused whole if any object in it has a field the
// codec does not read (a misspelt "rowz" would otherwise be dropped). Stored
// manifests are not checked so: a newer writer's fields must not make them
// unreadable.
Status OnlyFields(const json& object, std::initializer_list<std::string_view> allowed,
                  const std::string& where) {
  if (!object.is_object()) return Status::Ok();  // the decoder names the wrong type
  for (const auto& [key, value] : object.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string list;
    for (std::string_view a : allowed) {
      if (!list.empty()) list += ", ";
      list += a;
    }
    return Status::InvalidArgument(where + ": unknown field \"" + key +
                                   "\"; accepted fields: " + list);
  }
  return Status::Ok();
}

Status OnlyFieldsInArray(const json& array, std::initializer_list<std::string_view> allowed,
                         const std::string& where) {
  if (!array.is_array()) return Status::Ok();
  for (size_t i = 0; i < array.size(); ++i) {
    LH_RETURN_IF_ERROR(OnlyFields(array[i], allowed, where + "[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}

Status CheckCommitRequestFields(const json& j) {
  LH_RETURN_IF_ERROR(OnlyFieldsInArray(j.value("schema", json()), {"name", "type"}, "schema"));
  const json files = j.value("files", json());
  LH_RETURN_IF_ERROR(OnlyFieldsInArray(files, {"key", "rows", "bytes", "deletes"}, "files"));
  for (size_t i = 0; files.is_array() && i < files.size(); ++i) {
    if (!files[i].is_object()) continue;
    LH_RETURN_IF_ERROR(OnlyFieldsInArray(files[i].value("deletes", json()),
                                         {"key", "rows", "bytes"},
                                         "files[" + std::to_string(i) + "].deletes"));
  }
  LH_RETURN_IF_ERROR(
      OnlyFields(j.value("source", json()), {"file_name", "bytes", "sha256"}, "source"));
  return OnlyFields(j.value("counts", json()), {"inserted", "updated", "deleted"}, "counts");
}

}  // namespace

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kCreate:
      return "create";
    case Operation::kAppend:
      return "append";
    case Operation::kOverwrite:
      return "overwrite";
    case Operation::kDelete:
      return "delete";
    case Operation::kUpsert:
      return "upsert";
    case Operation::kDeleteRows:
      return "delete_rows";
    case Operation::kRestore:
      return "restore";
    case Operation::kCompact:
      return "compact";
    case Operation::kErase:
      return "erase";
  }
  return "create";
}

uint64_t DataFile::live_rows() const { return rows - std::min(rows, deleted_rows()); }

uint64_t DataFile::deleted_rows() const {
  uint64_t rows = 0;
  for (const auto& d : deletes) rows += d.rows;
  return rows;
}

std::optional<Operation> ParseOperation(std::string_view name) {
  for (Operation op : {Operation::kCreate, Operation::kAppend, Operation::kOverwrite,
                       Operation::kDelete, Operation::kUpsert, Operation::kDeleteRows,
                       Operation::kRestore, Operation::kCompact, Operation::kErase}) {
    if (OperationName(op) == name) return op;
  }
  return std::nullopt;
}

json ManifestToJson(const Manifest& m) {
  return {{"format", 1},
          {"dataset", m.dataset},
          {"version", m.version},
          {"parent", m.parent ? json(*m.parent) : json(nullptr)},
          {"operation", OperationName(m.operation)},
          {"schema", SchemaToJson(m.schema)},
          {"files", FilesToJson(m.files)},
          {"rows", m.rows},
          {"bytes", m.bytes},
          {"source", SourceToJson(m.source)},
          {"created", FormatRfc3339Ms(m.created_unix_ms)},
          {"counts", CountsToJson(m.counts)},
          {"restored_from", m.restored_from ? json(*m.restored_from) : json(nullptr)},
          {"mixed_schema", m.mixed_schema},
          {"erasures", m.erasures}};
}

Result<Manifest> ManifestFromJson(const json& j) {
  if (!j.is_object()) return Malformed("not an object");
  Manifest m;
  LH_RETURN_IF_ERROR(Read(j, "dataset", &m.dataset));
  LH_RETURN_IF_ERROR(Read(j, "version", &m.version));
  if (auto it = j.find("parent"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return Malformed("bad \"parent\"");
    m.parent = it->get<uint64_t>();
  }
  std::string operation;
  LH_RETURN_IF_ERROR(Read(j, "operation", &operation));
  auto op = ParseOperation(operation);
  if (!op) return Malformed("unknown operation \"" + operation + "\"");
  m.operation = *op;
  if (!j.contains("schema") || !j.contains("files")) return Malformed("missing schema or files");
  LH_ASSIGN_OR_RETURN(m.schema, SchemaFromJson(j["schema"]));
  LH_ASSIGN_OR_RETURN(m.files, FilesFromJson(j["files"]));
  LH_RETURN_IF_ERROR(Read(j, "rows", &m.rows));
  LH_RETURN_IF_ERROR(Read(j, "bytes", &m.bytes));
  LH_ASSIGN_OR_RETURN(m.source, SourceFromJson(j));
  std::string created;
  LH_RETURN_IF_ERROR(Read(j, "created", &created));
  m.created_unix_ms = ParseRfc3339Ms(created).value_or(0);
  LH_ASSIGN_OR_RETURN(m.counts, CountsFromJson(j));
  LH_ASSIGN_OR_RETURN(m.restored_from, OptionalCount(j, "restored_from"));
  if (auto it = j.find("mixed_schema"); it != j.end()) {
    if (!it->is_boolean()) return Malformed("bad \"mixed_schema\"");
    m.mixed_schema = it->get<bool>();
  }
  LH_ASSIGN_OR_RETURN(m.erasures, StringsFromJson(j, "erasures"));
  return m;
}

Result<Manifest> ParseManifest(std::string_view text) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return Malformed("not JSON");
  return ManifestFromJson(j);
}

namespace {
const char* ModeName(WriteMode mode) {
  switch (mode) {
    case WriteMode::kAppend:
      return "append";
    case WriteMode::kOverwrite:
      return "overwrite";
    case WriteMode::kReplace:
      return "replace";
  }
  return "append";
}
}  // namespace

json CommitRequestToJson(const CommitRequest& r) {
  return {{"dataset", r.dataset},
          {"mode", ModeName(r.mode)},
          {"operation", OperationName(r.operation)},
          {"counts", CountsToJson(r.counts)},
          {"restored_from", r.restored_from ? json(*r.restored_from) : json(nullptr)},
          {"mixed_schema", r.mixed_schema},
          {"erasure", r.erasure ? json(*r.erasure) : json(nullptr)},
          {"schema", SchemaToJson(r.schema)},
          {"files", FilesToJson(r.files)},
          {"source", SourceToJson(r.source)},
          {"expected_version", r.expected_version ? json(*r.expected_version) : json(nullptr)}};
}

Result<CommitRequest> CommitRequestFromJson(const json& j) {
  auto invalid = [](const Status& s) { return Status::InvalidArgument(s.message()); };
  if (!j.is_object()) return Status::InvalidArgument("commit request must be a JSON object");
  LH_RETURN_IF_ERROR(CheckCommitRequestFields(j));
  CommitRequest r;
  if (Status s = Read(j, "dataset", &r.dataset); !s.ok()) return invalid(s);
  std::string mode;
  if (Status s = Read(j, "mode", &mode); !s.ok()) return invalid(s);
  if (mode == "append") {
    r.mode = WriteMode::kAppend;
  } else if (mode == "overwrite") {
    r.mode = WriteMode::kOverwrite;
  } else if (mode == "replace") {
    r.mode = WriteMode::kReplace;
  } else {
    return Status::InvalidArgument("mode must be append, overwrite or replace");
  }
  if (auto it = j.find("operation"); it != j.end() && !it->is_null()) {
    auto op = it->is_string() ? ParseOperation(it->get<std::string>()) : std::nullopt;
    if (!op) return Status::InvalidArgument("bad operation");
    r.operation = *op;
  }
  auto counts = CountsFromJson(j);
  if (!counts.ok()) return invalid(counts.status());
  r.counts = *counts;
  auto restored = OptionalCount(j, "restored_from");
  if (!restored.ok()) return invalid(restored.status());
  r.restored_from = *restored;
  if (auto it = j.find("mixed_schema"); it != j.end() && it->is_boolean()) {
    r.mixed_schema = it->get<bool>();
  }
  if (auto it = j.find("erasure"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return Status::InvalidArgument("bad erasure");
    r.erasure = it->get<std::string>();
  }
  if (!j.contains("schema") || !j.contains("files")) {
    return Status::InvalidArgument("commit request needs schema and files");
  }
  auto schema = SchemaFromJson(j["schema"]);
  if (!schema.ok()) return invalid(schema.status());
  r.schema = std::move(*schema);
  auto files = FilesFromJson(j["files"]);
  if (!files.ok()) return invalid(files.status());
  r.files = std::move(*files);
  auto source = SourceFromJson(j);
  if (!source.ok()) return invalid(source.status());
  r.source = std::move(*source);
  if (auto it = j.find("expected_version"); it != j.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return Status::InvalidArgument("bad expected_version");
    r.expected_version = it->get<uint64_t>();
  }
  return r;
}

json SummaryToJson(const DatasetSummary& s) {
  return {{"name", s.name},
          {"version", s.version},
          {"rows", s.rows},
          {"bytes", s.bytes},
          {"updated", FormatRfc3339Ms(s.updated_unix_ms)}};
}

Result<DatasetSummary> SummaryFromJson(const json& j) {
  DatasetSummary s;
  LH_RETURN_IF_ERROR(Read(j, "name", &s.name));
  LH_RETURN_IF_ERROR(Read(j, "version", &s.version));
  LH_RETURN_IF_ERROR(Read(j, "rows", &s.rows));
  LH_RETURN_IF_ERROR(Read(j, "bytes", &s.bytes));
  std::string updated;
  LH_RETURN_IF_ERROR(Read(j, "updated", &updated));
  s.updated_unix_ms = ParseRfc3339Ms(updated).value_or(0);
  return s;
}

json ListingToJson(const DatasetListing& listing) {
  json datasets = json::array();
  for (const auto& d : listing.datasets) datasets.push_back(SummaryToJson(d));
  json damaged = json::array();
  for (const auto& d : listing.damaged) damaged.push_back({{"key", d.key}, {"error", d.error}});
  return {{"datasets", std::move(datasets)}, {"damaged", std::move(damaged)}};
}

Result<DatasetListing> ListingFromJson(const json& j) {
  if (!j.is_object()) return Status::IoError("a dataset listing must be a JSON object");
  DatasetListing listing;
  for (const auto& item : j.value("datasets", json::array())) {
    LH_ASSIGN_OR_RETURN(auto summary, SummaryFromJson(item));
    listing.datasets.push_back(std::move(summary));
  }
  // Older catalogds answer without "damaged".
  for (const auto& item : j.value("damaged", json::array())) {
    DamagedManifest damaged;
    LH_RETURN_IF_ERROR(Read(item, "key", &damaged.key));
    LH_RETURN_IF_ERROR(Read(item, "error", &damaged.error));
    listing.damaged.push_back(std::move(damaged));
  }
  return listing;
}

json TagToJson(const Tag& tag) {
  return {{"tag", tag.tag},
          {"version", tag.version},
          {"created", FormatRfc3339Ms(tag.created_unix_ms)}};
}

Result<Tag> TagFromJson(const json& j) {
  auto malformed = [](const std::string& what) {
    return Status::IoError("malformed tag: " + what);
  };
  if (!j.is_object()) return malformed("not a JSON object");
  auto tag = j.find("tag");
  auto version = j.find("version");
  auto created = j.find("created");
  if (tag == j.end() || !tag->is_string()) return malformed("bad \"tag\"");
  if (version == j.end() || !version->is_number_unsigned()) return malformed("bad \"version\"");
  if (created == j.end() || !created->is_string()) return malformed("bad \"created\"");
  Tag out{tag->get<std::string>(), version->get<uint64_t>(),
          ParseRfc3339Ms(created->get<std::string>()).value_or(0)};
  if (Status s = ValidateTagName(out.tag); !s.ok()) return malformed(s.message());
  return out;
}

json FileRewritesToJson(const FileRewrites& rewrites) {
  json files = json::array();
  for (const auto& [key, file] : rewrites.files) {
    files.push_back({{"old", key}, {"new", FilesToJson({file})[0]}});
  }
  json deletes = json::array();
  for (const auto& [key, file] : rewrites.deletes) {
    deletes.push_back(
        {{"old", key},
         {"new", file ? json{{"key", file->key}, {"rows", file->rows}, {"bytes", file->bytes}}
                      : json(nullptr)}});
  }
  return {{"erasure", rewrites.erasure}, {"files", files}, {"deletes", deletes}};
}

Result<FileRewrites> FileRewritesFromJson(const json& j) {
  if (!j.is_object()) return Malformed("file rewrites are not an object");
  FileRewrites rewrites;
  LH_RETURN_IF_ERROR(Read(j, "erasure", &rewrites.erasure));
  auto files = j.find("files");
  auto deletes = j.find("deletes");
  if (files == j.end() || !files->is_array() || deletes == j.end() || !deletes->is_array()) {
    return Malformed("file rewrites need files and deletes");
  }
  for (const auto& item : *files) {
    std::string old_key;
    LH_RETURN_IF_ERROR(Read(item, "old", &old_key));
    auto it = item.find("new");
    if (it == item.end()) return Malformed("a file rewrite needs \"new\"");
    LH_ASSIGN_OR_RETURN(auto parsed, FilesFromJson(json::array({*it})));
    rewrites.files[old_key] = std::move(parsed[0]);
  }
  for (const auto& item : *deletes) {
    std::string old_key;
    LH_RETURN_IF_ERROR(Read(item, "old", &old_key));
    std::optional<DeleteFile> replacement;
    if (auto it = item.find("new"); it != item.end() && !it->is_null()) {
      DeleteFile file;
      LH_RETURN_IF_ERROR(Read(*it, "key", &file.key));
      LH_RETURN_IF_ERROR(Read(*it, "rows", &file.rows));
      LH_RETURN_IF_ERROR(Read(*it, "bytes", &file.bytes));
      replacement = std::move(file);
    }
    rewrites.deletes[old_key] = std::move(replacement);
  }
  return rewrites;
}

}  // namespace lakehouse::catalog
