// Builds and refreshes dataset text indexes in named steps, and reconciles them after erasures.
#include "vector/dataset_indexer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "common/sql_quote.h"
#include "vector/dataset_rows.h"

namespace lakehouse::vector {
namespace {

using nlohmann::json;

constexpr size_t kEmbedBatch = 1'000;

// Metadata is what filters compare: plain values, not nested ones or bytes.
bool IsScalarType(const std::string& type) {
  return type.find('[') == std::string::npos && !type.starts_with("STRUCT") &&
         !type.starts_with("MAP") && !type.starts_with("UNION") && type != "BLOB";
}

// One item per row; with `keep_text` each keeps its text for the full-text part.
Result<std::vector<Item>> EmbedRows(embed::Embedder& embedder, std::vector<DatasetRow>& rows,
                                    size_t first, size_t count, bool keep_text) {
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
    DatasetRow& row = rows[first + i];
    std::optional<std::string> text;
    if (keep_text) text = std::move(texts[i]);  // embedded already: no copy needed
    items.emplace_back(std::move(row.id), std::move(vectors[i]), std::move(row.metadata),
                       std::move(text));
  }
  return items;
}

// Embeds `rows` a batch at a time, telling `progress` after each batch.
Result<std::vector<Item>> EmbedInBatches(embed::Embedder& embedder, std::vector<DatasetRow>& rows,
                                         bool keep_text, const ProgressCallback& progress) {
  std::vector<Item> embedded;
  for (size_t first = 0; first < rows.size(); first += kEmbedBatch) {
    size_t count = std::min(kEmbedBatch, rows.size() - first);
    LH_ASSIGN_OR_RETURN(auto items, EmbedRows(embedder, rows, first, count, keep_text));
    for (auto& item : items) embedded.push_back(std::move(item));
    if (progress) progress({"embedding", first + count, rows.size()});
  }
  return embedded;
}

// The embedder fitted to the texts of `rows`; null when `base` learns nothing
// from a corpus.
std::shared_ptr<embed::Embedder> FitTo(const embed::Embedder& base,
                                       const std::vector<DatasetRow>& rows) {
  std::vector<std::string> texts;
  texts.reserve(rows.size());
  for (const auto& row : rows) texts.push_back(row.text);
  return base.FittedTo(texts);
}

// Embeds `rows` a batch at a time into a new index with `params`, which
// nobody sees until it is installed. A model that tells its dimension only
// by answering sets params.dim from its first batch.
Result<std::unique_ptr<Index>> EmbedIntoIndex(embed::Embedder& embedder,
                                              std::vector<DatasetRow>& rows, IndexParams& params,
                                              const std::string& dataset,
                                              const ProgressCallback& progress) {
  std::unique_ptr<Index> index;
  const size_t total = rows.size();
  for (size_t first = 0; first < total; first += kEmbedBatch) {
    size_t count = std::min(kEmbedBatch, total - first);
    LH_ASSIGN_OR_RETURN(auto items,
                        EmbedRows(embedder, rows, first, count, params.full_text.has_value()));
    if (!index) {
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
      return Status::InvalidArgument("dataset \"" + dataset +
                                     "\" has no rows with text, and model \"" + params.model +
                                     "\" has not told its dimension");
    }
    LH_ASSIGN_OR_RETURN(index, Index::Create(params));
  }
  return index;
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// One BuildOrRefresh, in steps: the dataset's current version and columns,
// what the index already holds, the rows' ids and counts, then either a
// refresh of what changed since the recorded version or a build of it all.
class IndexJob {
 public:
  IndexJob(VectorService& vectors, const embed::EmbedderSet& embedders, query::SqlReader& reader,
           const DatasetIndexRequest& request, const ProgressCallback& progress,
           std::chrono::steady_clock::time_point started)
      : vectors_(vectors),
        embedders_(embedders),
        request_(request),
        progress_(progress),
        started_(started),
        rows_(reader, source_) {}

  Result<DatasetIndexOutcome> Run() {
    LH_RETURN_IF_ERROR(ReadSource());
    LH_RETURN_IF_ERROR(FindExisting());
    LH_RETURN_IF_ERROR(CountRows());
    LH_ASSIGN_OR_RETURN(bool rebuild, NeedsRebuild());
    if (!rebuild) return Refresh();
    return Build();
  }

 private:
  Status ReadSource();
  void ChooseMetadata(const query::SqlAnswer& schema);
  Status FindExisting();
  Status CountRows();
  std::optional<text::Bm25Params> WantedFullText() const;
  Result<bool> NeedsRebuild();
  Result<DatasetIndexOutcome> Refresh();
  Status ReadChanges(std::vector<DatasetRow>& changed, std::vector<std::string>& gone);
  Result<DatasetIndexOutcome> Build();
  void Report(const DatasetIndexProgress& step) const {
    if (progress_) progress_(step);
  }

  VectorService& vectors_;
  const embed::EmbedderSet& embedders_;
  const DatasetIndexRequest& request_;
  const ProgressCallback& progress_;
  const std::chrono::steady_clock::time_point started_;
  DatasetSource source_;   // what the index is to hold
  DatasetRowReader rows_;  // reads through source_
  std::optional<IndexStatus> existing_;
  size_t usable_rows_ = 0;
  DatasetIndexOutcome outcome_;
};

// The dataset's current version and its columns.
Status IndexJob::ReadSource() {
  source_.dataset = request_.dataset;
  source_.id_column = request_.id_column;
  source_.text_column = request_.text_column;
  LH_ASSIGN_OR_RETURN(auto schema,
                      rows_.Run("SELECT * FROM " + SqlIdentifier(request_.dataset) + " LIMIT 0"));
  auto version = schema.versions.find(request_.dataset);
  if (version == schema.versions.end()) {
    return Status::Internal("queryd did not say which version of \"" + request_.dataset +
                            "\" it read");
  }
  source_.version = version->second;
  auto has_column = [&](const std::string& name) {
    return std::find(schema.columns.begin(), schema.columns.end(), name) != schema.columns.end();
  };
  std::string known;
  for (const auto& c : schema.columns) known += (known.empty() ? "" : ", ") + c;
  for (const std::string* column : {&request_.id_column, &request_.text_column}) {
    if (!has_column(*column)) {
      return Status::InvalidArgument("dataset \"" + request_.dataset + "\" has no column \"" +
                                     *column + "\"; its columns: " + known);
    }
  }
  if (!request_.metadata_columns) {
    ChooseMetadata(schema);
    return Status::Ok();
  }
  for (const auto& column : *request_.metadata_columns) {
    if (!has_column(column)) {
      return Status::InvalidArgument("dataset \"" + request_.dataset + "\" has no column \"" +
                                     column +
                                     "\" (in \"metadata_columns\"); its columns: " + known);
    }
    if (column == request_.id_column || column == request_.text_column) {
      return Status::InvalidArgument("\"metadata_columns\" must not hold the id or text column");
    }
  }
  source_.metadata_columns = *request_.metadata_columns;
  return Status::Ok();
}

// Unasked, the metadata is every other column of a scalar type.
void IndexJob::ChooseMetadata(const query::SqlAnswer& schema) {
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const auto& column = schema.columns[i];
    if (column != request_.id_column && column != request_.text_column &&
        IsScalarType(schema.types[i])) {
      source_.metadata_columns.push_back(column);
    }
  }
}

// What exists under the name decides between a build and a refresh.
Status IndexJob::FindExisting() {
  if (auto status = vectors_.Describe(request_.index); status.ok()) {
    existing_ = std::move(*status);
  } else if (status.status().code() != StatusCode::kNotFound) {
    return status.status();
  }
  if (!existing_) return Status::Ok();
  if (!existing_->source) {
    return Status::Conflict("index \"" + request_.index +
                            "\" exists and was not built from a dataset");
  }
  const DatasetSource& was = *existing_->source;
  if (was.dataset != source_.dataset || was.id_column != source_.id_column ||
      was.text_column != source_.text_column) {
    return Status::Conflict("index \"" + request_.index + "\" is built from " + was.dataset + "." +
                            was.id_column + "/" + was.text_column +
                            "; drop it or choose another name");
  }
  if (!request_.model.empty() && request_.model != existing_->params.model) {
    return Status::Conflict("index \"" + request_.index + "\" is built with model \"" +
                            existing_->params.model + "\"; drop it to change the model");
  }
  // A refresh keeps the recorded metadata unless asked for other columns,
  // which changes every item: that is a rebuild.
  if (!request_.metadata_columns) source_.metadata_columns = was.metadata_columns;
  return Status::Ok();
}

// Refuses repeated ids, and counts the rows an index can hold.
Status IndexJob::CountRows() {
  // Repeated ids would make items overwrite each other silently.
  LH_ASSIGN_OR_RETURN(auto repeated, rows_.Run("SELECT CAST(" + SqlIdentifier(source_.id_column) +
                                                   " AS VARCHAR) FROM " +
                                                   VersionRef(source_.dataset, source_.version) +
                                                   " WHERE " + SqlIdentifier(source_.id_column) +
                                                   " IS NOT NULL GROUP BY 1 HAVING count(*) > 1",
                                               1));
  if (!repeated.rows.empty()) {
    return Status::InvalidArgument("column \"" + source_.id_column + "\" of \"" + source_.dataset +
                                   "\" is not unique: " + repeated.rows[0][0].dump() +
                                   " appears more than once");
  }
  LH_ASSIGN_OR_RETURN(
      auto counts,
      rows_.Run("SELECT (SELECT count(*) FROM " + VersionRef(source_.dataset, source_.version) +
                    ") AS all_rows, (SELECT count(*) FROM (" + rows_.Usable(source_.version) +
                    ")) AS usable_rows",
                1));
  const auto all_rows = counts.rows.at(0).at(0).get<size_t>();
  usable_rows_ = counts.rows.at(0).at(1).get<size_t>();
  outcome_.skipped = all_rows - usable_rows_;
  return Status::Ok();
}

// The full-text part the index is to have.
std::optional<text::Bm25Params> IndexJob::WantedFullText() const {
  if (!request_.full_text) {
    return existing_ ? existing_->params.full_text : std::optional(text::Bm25Params{});
  }
  if (!request_.full_text->enabled) return std::nullopt;
  return request_.full_text->params;
}

Result<bool> IndexJob::NeedsRebuild() {
  bool rebuild = !existing_ || request_.rebuild ||
                 (request_.metadata_columns &&
                  *request_.metadata_columns != existing_->source->metadata_columns) ||
                 WantedFullText() != existing_->params.full_text;
  if (existing_ && !rebuild && existing_->source->version != source_.version) {
    // The recorded version may have been vacuumed away: then only a rebuild
    // knows what the index should hold.
    auto probe = rows_.Run(
        "SELECT 1 FROM " + VersionRef(source_.dataset, existing_->source->version) + " LIMIT 0", 1);
    if (!probe.ok()) {
      if (probe.status().code() != StatusCode::kNotFound) return probe.status();
      spdlog::info("vectord: index {}: version {} of {} is gone; rebuilding", request_.index,
                   existing_->source->version, source_.dataset);
      rebuild = true;
    }
  }
  return rebuild;
}

// A refresh: embed what changed since the recorded version, drop what went,
// in one change saved once.
Result<DatasetIndexOutcome> IndexJob::Refresh() {
  outcome_.from_version = existing_->source->version;
  if (outcome_.from_version == source_.version) {
    outcome_.status = *existing_;
    outcome_.elapsed_ms = MillisecondsSince(started_);
    return std::move(outcome_);
  }
  std::vector<DatasetRow> changed;
  std::vector<std::string> gone;
  LH_RETURN_IF_ERROR(ReadChanges(changed, gone));
  LH_ASSIGN_OR_RETURN(auto embedder, vectors_.EmbedderOf(request_.index));
  const bool keep_text = existing_->params.full_text.has_value();
  LH_ASSIGN_OR_RETURN(std::vector<Item> upserts,
                      EmbedInBatches(*embedder, changed, keep_text, progress_));
  outcome_.upserted = upserts.size();
  outcome_.removed = gone.size();
  Report({"saving", 0, 1});
  LH_RETURN_IF_ERROR(vectors_.Apply(request_.index, std::move(upserts), gone, source_).status());
  LH_ASSIGN_OR_RETURN(outcome_.status, vectors_.Describe(request_.index));
  outcome_.elapsed_ms = MillisecondsSince(started_);
  spdlog::info("vectord: index {} refreshed from {}@{} to @{}: {} embedded, {} removed",
               request_.index, source_.dataset, outcome_.from_version, source_.version,
               outcome_.upserted, outcome_.removed);
  return std::move(outcome_);
}

// The rows whose id, text or metadata changed since the recorded version,
// and the ids gone from it.
Status IndexJob::ReadChanges(std::vector<DatasetRow>& changed, std::vector<std::string>& gone) {
  const uint64_t from = outcome_.from_version;
  LH_RETURN_IF_ERROR(rows_.ForEachRow(
      rows_.Usable(source_.version) + " EXCEPT " + rows_.Usable(from), 0, "reading", progress_,
      [&](json& values) { changed.push_back(rows_.ToRow(values)); }));
  return rows_.ForEachRow(
      "SELECT " + std::string(kIdAlias) + " FROM (" + rows_.Usable(from) + ") EXCEPT SELECT " +
          std::string(kIdAlias) + " FROM (" + rows_.Usable(source_.version) + ")",
      0, "reading", {}, [&](json& values) { gone.push_back(values[0].get<std::string>()); });
}

// A build: read every usable row, fit the embedder to the texts, embed and
// add in batches into an index nobody sees until it is installed.
Result<DatasetIndexOutcome> IndexJob::Build() {
  std::string model = request_.model.empty()
                          ? (existing_ ? existing_->params.model : embedders_.default_name())
                          : request_.model;
  LH_ASSIGN_OR_RETURN(auto base, embedders_.Find(model));
  std::vector<DatasetRow> all;
  all.reserve(usable_rows_);
  LH_RETURN_IF_ERROR(rows_.ForEachRow(rows_.Usable(source_.version), usable_rows_, "reading",
                                      progress_,
                                      [&](json& values) { all.push_back(rows_.ToRow(values)); }));
  Report({"fitting", 0, all.size()});
  std::shared_ptr<embed::Embedder> fitted = FitTo(*base, all);
  embed::Embedder& embedder = fitted ? *fitted : *base;
  IndexParams params;
  params.name = request_.index;
  params.metric = Metric::kCosine;
  params.model = model;
  params.dim = static_cast<uint32_t>(embedder.dim());
  params.full_text = WantedFullText();
  const size_t total = all.size();
  LH_ASSIGN_OR_RETURN(std::unique_ptr<Index> index,
                      EmbedIntoIndex(embedder, all, params, source_.dataset, progress_));
  all.clear();
  outcome_.created = !existing_;
  outcome_.rebuilt = existing_.has_value();
  outcome_.upserted = total;
  Report({"saving", 0, 1});
  LH_ASSIGN_OR_RETURN(outcome_.status, vectors_.Install(std::move(index), source_, fitted,
                                                        /*replace=*/existing_.has_value()));
  outcome_.elapsed_ms = MillisecondsSince(started_);
  spdlog::info("vectord: index {} built from {}@{}: {} items, {} rows skipped, {:.0f} ms",
               request_.index, source_.dataset, source_.version, total, outcome_.skipped,
               outcome_.elapsed_ms);
  return std::move(outcome_);
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
  return IndexJob(vectors_, embedders_, *reader_, request, progress, started).Run();
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
      DatasetRowReader rows(*reader_, source);
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
                                  std::nullopt,  // as the index has it
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
