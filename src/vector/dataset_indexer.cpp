#include "vector/dataset_indexer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "common/sql_quote.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

// Rows come in pages so a large dataset never makes one huge answer (or one
// query that runs into queryd's time limit).
constexpr size_t kPageRows = 10'000;
constexpr size_t kEmbedBatch = 1'000;
constexpr std::string_view kIdAlias = "__lakehouse_id";
constexpr std::string_view kTextAlias = "__lakehouse_text";

std::string VersionRef(const std::string& dataset, uint64_t version) {
  return SqlIdentifier(dataset + "@" + std::to_string(version));
}

// Metadata is what filters compare: plain values, not nested ones or bytes.
bool IsScalarType(const std::string& type) {
  return type.find('[') == std::string::npos && !type.starts_with("STRUCT") &&
         !type.starts_with("MAP") && !type.starts_with("UNION") && type != "BLOB";
}

struct Row {
  std::string id;
  std::string text;
  json metadata;
};

class RowReader {
 public:
  RowReader(query::SqlReader& reader, const DatasetSource& source)
      : reader_(reader), source_(source) {}

  Result<query::SqlAnswer> Run(const std::string& sql, size_t limit = kPageRows) {
    query::QueryRequest request;
    request.sql = sql;
    request.limit = limit;
    return reader_.Read(request);
  }

  // The rows an index holds, as a SELECT over one version: id and text cast
  // to text, then the metadata columns.
  std::string Usable(uint64_t version) const {
    std::string id = SqlIdentifier(source_.id_column);
    std::string text = SqlIdentifier(source_.text_column);
    std::string sql = "SELECT CAST(" + id + " AS VARCHAR) AS " + std::string(kIdAlias) + ", CAST(" +
                      text + " AS VARCHAR) AS " + std::string(kTextAlias);
    for (const auto& column : source_.metadata_columns) sql += ", " + SqlIdentifier(column);
    return sql + " FROM " + VersionRef(source_.dataset, version) + " WHERE " + id +
           " IS NOT NULL AND " + text + " IS NOT NULL AND trim(CAST(" + text +
           " AS VARCHAR)) <> ''";
  }

  // Every row of `select` (whose first column is the id, unique), in id
  // order, a page at a time.
  Status ForEachRow(const std::string& select, size_t total, const std::string& phase,
                    const ProgressCallback& progress, const std::function<void(json&)>& visit) {
    std::optional<std::string> after;
    size_t done = 0;
    while (true) {
      std::string sql = "SELECT * FROM (" + select + ") AS rows_";
      if (after) sql += " WHERE " + std::string(kIdAlias) + " > " + SqlString(*after);
      sql += " ORDER BY " + std::string(kIdAlias) + " LIMIT " + std::to_string(kPageRows);
      LH_ASSIGN_OR_RETURN(auto page, Run(sql));
      for (auto& row : page.rows) {
        if (!row.is_array() || row.empty() || !row[0].is_string()) {
          return Status::Internal("queryd sent a row without its id");
        }
        after = row[0].get<std::string>();
        visit(row);
      }
      done += page.rows.size();
      if (progress) progress({phase, done, std::max(total, done)});
      if (page.rows.size() < kPageRows) return Status::Ok();
    }
  }

  Row ToRow(json& values) const {
    Row row{values[0].get<std::string>(), values[1].get<std::string>(), json::object()};
    for (size_t i = 0; i < source_.metadata_columns.size() && i + 2 < values.size(); ++i) {
      row.metadata[source_.metadata_columns[i]] = std::move(values[i + 2]);
    }
    return row;
  }

 private:
  query::SqlReader& reader_;
  const DatasetSource& source_;
};

Result<std::vector<Item>> EmbedRows(embed::Embedder& embedder, std::vector<Row>& rows, size_t first,
                                    size_t count) {
  std::vector<std::string> texts;
  texts.reserve(count);
  for (size_t i = first; i < first + count; ++i) texts.push_back(std::move(rows[i].text));
  LH_ASSIGN_OR_RETURN(auto vectors, embedder.Embed(texts));
  if (vectors.size() != count) {
    return Status::Unavailable("model \"" + embedder.name() + "\" returned " +
                               std::to_string(vectors.size()) + " vectors for " +
                               std::to_string(count) + " texts");
  }
  std::vector<Item> items;
  items.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    items.push_back({std::move(rows[first + i].id), std::move(vectors[i]),
                     std::move(rows[first + i].metadata)});
  }
  return items;
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

Result<DatasetIndexOutcome> DatasetIndexer::BuildOrRefresh(const DatasetIndexRequest& request,
                                                           const ProgressCallback& progress) {
  auto started = std::chrono::steady_clock::now();
  if (reader_ == nullptr) {
    return Status::Unavailable(
        "this vectord cannot read datasets: set [vectord] queryd_url to build dataset indexes");
  }
  if (request.id_column.empty() || request.text_column.empty()) {
    return Status::InvalidArgument("\"id_column\" and \"text_column\" are required");
  }
  // A read-only vectord would refuse the result: refuse before the work.
  LH_RETURN_IF_ERROR(vectors_.CheckWritable());
  IndexParams name_check;
  name_check.name = request.index;
  name_check.dim = 1;
  LH_RETURN_IF_ERROR(ValidateParams(name_check));
  if (request.id_column == request.text_column) {
    return Status::InvalidArgument("\"id_column\" and \"text_column\" must differ");
  }
  std::lock_guard turn(mu_);

  // The dataset's current version and its columns.
  DatasetSource source;
  source.dataset = request.dataset;
  source.id_column = request.id_column;
  source.text_column = request.text_column;
  RowReader rows(*reader_, source);
  LH_ASSIGN_OR_RETURN(auto schema,
                      rows.Run("SELECT * FROM " + SqlIdentifier(request.dataset) + " LIMIT 0"));
  auto version = schema.versions.find(request.dataset);
  if (version == schema.versions.end()) {
    return Status::Internal("queryd did not say which version of \"" + request.dataset +
                            "\" it read");
  }
  source.version = version->second;
  auto has_column = [&](const std::string& name) {
    return std::find(schema.columns.begin(), schema.columns.end(), name) != schema.columns.end();
  };
  std::string known;
  for (const auto& c : schema.columns) known += (known.empty() ? "" : ", ") + c;
  for (const std::string* column : {&request.id_column, &request.text_column}) {
    if (!has_column(*column)) {
      return Status::InvalidArgument("dataset \"" + request.dataset + "\" has no column \"" +
                                     *column + "\"; its columns: " + known);
    }
  }
  if (request.metadata_columns) {
    for (const auto& column : *request.metadata_columns) {
      if (!has_column(column)) {
        return Status::InvalidArgument("dataset \"" + request.dataset + "\" has no column \"" +
                                       column +
                                       "\" (in \"metadata_columns\"); its columns: " + known);
      }
      if (column == request.id_column || column == request.text_column) {
        return Status::InvalidArgument("\"metadata_columns\" must not hold the id or text column");
      }
    }
    source.metadata_columns = *request.metadata_columns;
  } else {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      const auto& column = schema.columns[i];
      if (column != request.id_column && column != request.text_column &&
          IsScalarType(schema.types[i])) {
        source.metadata_columns.push_back(column);
      }
    }
  }

  // What exists under the name decides between a build and a refresh.
  std::optional<IndexStatus> existing;
  if (auto status = vectors_.Describe(request.index); status.ok()) {
    existing = std::move(*status);
  } else if (status.status().code() != StatusCode::kNotFound) {
    return status.status();
  }
  if (existing) {
    if (!existing->source) {
      return Status::Conflict("index \"" + request.index +
                              "\" exists and was not built from a dataset");
    }
    const DatasetSource& was = *existing->source;
    if (was.dataset != source.dataset || was.id_column != source.id_column ||
        was.text_column != source.text_column) {
      return Status::Conflict("index \"" + request.index + "\" is built from " + was.dataset + "." +
                              was.id_column + "/" + was.text_column +
                              "; drop it or choose another name");
    }
    if (!request.model.empty() && request.model != existing->params.model) {
      return Status::Conflict("index \"" + request.index + "\" is built with model \"" +
                              existing->params.model + "\"; drop it to change the model");
    }
    // A refresh keeps the recorded metadata unless asked for other columns,
    // which changes every item: that is a rebuild.
    if (!request.metadata_columns) source.metadata_columns = was.metadata_columns;
  }

  // Repeated ids would make items overwrite each other silently.
  LH_ASSIGN_OR_RETURN(
      auto repeated,
      rows.Run("SELECT CAST(" + SqlIdentifier(source.id_column) + " AS VARCHAR) FROM " +
                   VersionRef(source.dataset, source.version) + " WHERE " +
                   SqlIdentifier(source.id_column) + " IS NOT NULL GROUP BY 1 HAVING count(*) > 1",
               1));
  if (!repeated.rows.empty()) {
    return Status::InvalidArgument("column \"" + source.id_column + "\" of \"" + source.dataset +
                                   "\" is not unique: " + repeated.rows[0][0].dump() +
                                   " appears more than once");
  }
  LH_ASSIGN_OR_RETURN(auto counts, rows.Run("SELECT (SELECT count(*) FROM " +
                                                VersionRef(source.dataset, source.version) +
                                                ") AS all_rows, (SELECT count(*) FROM (" +
                                                rows.Usable(source.version) + ")) AS usable_rows",
                                            1));
  const auto all_rows = counts.rows.at(0).at(0).get<size_t>();
  const auto usable_rows = counts.rows.at(0).at(1).get<size_t>();

  DatasetIndexOutcome outcome;
  outcome.skipped = all_rows - usable_rows;

  bool rebuild =
      !existing || request.rebuild ||
      (request.metadata_columns && *request.metadata_columns != existing->source->metadata_columns);
  if (existing && !rebuild && existing->source->version != source.version) {
    // The recorded version may have been vacuumed away: then only a rebuild
    // knows what the index should hold.
    auto probe = rows.Run(
        "SELECT 1 FROM " + VersionRef(source.dataset, existing->source->version) + " LIMIT 0", 1);
    if (!probe.ok()) {
      if (probe.status().code() != StatusCode::kNotFound) return probe.status();
      spdlog::info("vectord: index {}: version {} of {} is gone; rebuilding", request.index,
                   existing->source->version, source.dataset);
      rebuild = true;
    }
  }

  if (!rebuild) {
    // A refresh: embed what changed since the recorded version, drop what went.
    outcome.from_version = existing->source->version;
    if (outcome.from_version == source.version) {
      outcome.status = *existing;
      outcome.elapsed_ms = MillisecondsSince(started);
      return outcome;
    }
    std::vector<Row> changed;
    LH_RETURN_IF_ERROR(rows.ForEachRow(
        rows.Usable(source.version) + " EXCEPT " + rows.Usable(outcome.from_version), 0, "reading",
        progress, [&](json& values) { changed.push_back(rows.ToRow(values)); }));
    std::vector<std::string> gone;
    LH_RETURN_IF_ERROR(rows.ForEachRow(
        "SELECT " + std::string(kIdAlias) + " FROM (" + rows.Usable(outcome.from_version) +
            ") EXCEPT SELECT " + std::string(kIdAlias) + " FROM (" + rows.Usable(source.version) +
            ")",
        0, "reading", {}, [&](json& values) { gone.push_back(values[0].get<std::string>()); }));
    LH_ASSIGN_OR_RETURN(auto embedder, vectors_.EmbedderOf(request.index));
    std::vector<Item> upserts;
    for (size_t first = 0; first < changed.size(); first += kEmbedBatch) {
      size_t count = std::min(kEmbedBatch, changed.size() - first);
      LH_ASSIGN_OR_RETURN(auto items, EmbedRows(*embedder, changed, first, count));
      for (auto& item : items) upserts.push_back(std::move(item));
      if (progress) progress({"embedding", first + count, changed.size()});
    }
    outcome.upserted = upserts.size();
    outcome.removed = gone.size();
    if (progress) progress({"saving", 0, 1});
    LH_RETURN_IF_ERROR(vectors_.Apply(request.index, std::move(upserts), gone, source).status());
    LH_ASSIGN_OR_RETURN(outcome.status, vectors_.Describe(request.index));
    outcome.elapsed_ms = MillisecondsSince(started);
    spdlog::info("vectord: index {} refreshed from {}@{} to @{}: {} embedded, {} removed",
                 request.index, source.dataset, outcome.from_version, source.version,
                 outcome.upserted, outcome.removed);
    return outcome;
  }

  // A build: read every usable row, fit the embedder to the texts, embed and
  // add in batches into an index nobody sees until it is installed.
  std::string model = request.model.empty()
                          ? (existing ? existing->params.model : embedders_.default_name())
                          : request.model;
  LH_ASSIGN_OR_RETURN(auto base, embedders_.Find(model));
  std::vector<Row> all;
  all.reserve(usable_rows);
  LH_RETURN_IF_ERROR(rows.ForEachRow(rows.Usable(source.version), usable_rows, "reading", progress,
                                     [&](json& values) { all.push_back(rows.ToRow(values)); }));
  if (progress) progress({"fitting", 0, all.size()});
  std::shared_ptr<embed::Embedder> fitted;
  {
    std::vector<std::string> texts;
    texts.reserve(all.size());
    for (const auto& row : all) texts.push_back(row.text);
    fitted = base->FittedTo(texts);
  }
  embed::Embedder& embedder = fitted ? *fitted : *base;
  IndexParams params;
  params.name = request.index;
  params.metric = Metric::kCosine;
  params.model = model;
  params.dim = static_cast<uint32_t>(embedder.dim());
  std::unique_ptr<Index> index;
  const size_t total = all.size();
  for (size_t first = 0; first < total; first += kEmbedBatch) {
    size_t count = std::min(kEmbedBatch, total - first);
    LH_ASSIGN_OR_RETURN(auto items, EmbedRows(embedder, all, first, count));
    if (!index) {
      // A model server tells its dimension by answering.
      if (params.dim == 0) params.dim = static_cast<uint32_t>(items.front().vector.size());
      LH_ASSIGN_OR_RETURN(index, Index::Create(params));
    }
    if (Status added = index->Add(std::move(items)); !added.ok()) {
      return Status(added.code(),
                    "row batch from " + std::to_string(first) + ": " + added.message());
    }
    if (progress) progress({"embedding", first + count, total});
  }
  if (!index) {
    if (params.dim == 0) {
      return Status::InvalidArgument("dataset \"" + source.dataset +
                                     "\" has no rows with text, and model \"" + model +
                                     "\" has not told its dimension");
    }
    LH_ASSIGN_OR_RETURN(index, Index::Create(params));
  }
  all.clear();
  outcome.created = !existing;
  outcome.upserted = total;
  if (progress) progress({"saving", 0, 1});
  LH_ASSIGN_OR_RETURN(outcome.status, vectors_.Install(std::move(index), source, fitted,
                                                       /*replace=*/existing.has_value()));
  outcome.elapsed_ms = MillisecondsSince(started);
  spdlog::info("vectord: index {} built from {}@{}: {} items, {} rows skipped, {:.0f} ms",
               request.index, source.dataset, source.version, total, outcome.skipped,
               outcome.elapsed_ms);
  return outcome;
}

Result<std::vector<ReconcileOutcome>> DatasetIndexer::Reconcile(const std::string& dataset) {
  if (reader_ == nullptr) {
    return Status::Unavailable(
        "this vectord cannot read datasets: set [vectord] queryd_url to reconcile its indexes");
  }
  std::vector<ReconcileOutcome> outcomes;
  for (const IndexStatus& status : vectors_.List()) {
    if (!status.source || status.source->dataset != dataset) continue;
    LH_RETURN_IF_ERROR(vectors_.CheckWritable());
    ReconcileOutcome outcome{status.params.name, 0, false};
    const DatasetSource& source = *status.source;
    std::set<std::string> kept;
    Status read;
    {
      std::lock_guard turn(mu_);
      RowReader rows(*reader_, source);
      read = rows.ForEachRow(
          "SELECT " + std::string(kIdAlias) + " FROM (" + rows.Usable(source.version) + ")", 0,
          "reading", {}, [&](json& values) { kept.insert(values[0].get<std::string>()); });
      if (read.ok()) {
        LH_ASSIGN_OR_RETURN(auto index, vectors_.Find(outcome.index));
        LH_ASSIGN_OR_RETURN(auto image, index->Snapshot());
        std::vector<std::string> gone;
        for (const auto& entry : image.entries) {
          if (!kept.contains(entry.id)) gone.push_back(entry.id);
        }
        outcome.removed = gone.size();
        if (!gone.empty()) {
          LH_RETURN_IF_ERROR(vectors_.Apply(outcome.index, {}, gone, source).status());
          LH_RETURN_IF_ERROR(vectors_.Compact(outcome.index));
        }
      }
    }
    if (!read.ok()) {
      if (read.code() != StatusCode::kNotFound) return read;
      DatasetIndexRequest rebuild{dataset,
                                  outcome.index,
                                  source.id_column,
                                  source.text_column,
                                  status.params.model,
                                  source.metadata_columns,
                                  true};
      LH_RETURN_IF_ERROR(BuildOrRefresh(rebuild).status());
      outcome.rebuilt = true;
    }
    spdlog::info("vectord: index {} reconciled with {}@{}: {} removed{}", outcome.index, dataset,
                 source.version, outcome.removed, outcome.rebuilt ? " (rebuilt)" : "");
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace lakehouse::vector
