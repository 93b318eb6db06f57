// The catalog answerer: its locked side database, rebuilt from the datasets, and its cursors.
#include "pgwire/catalog_answerer.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "pgwire/catalog_tables.h"
#include "pgwire/pg_types.h"
#include "query/duckdb_handles.h"
#include "query/engine_info.h"
#include "query/prepared_params.h"
#include "query/result_chunks.h"

namespace lakehouse::pgwire {
namespace {

using query::Connection;
using query::Database;
using query::LogicalType;
using query::Prepared;
using query::QueryResult;

// A result held whole, handed out in one chunk.
class HeldCursor final : public query::QueryCursor {
 public:
  HeldCursor(std::vector<query::ResultColumn> columns, query::TextRows rows, bool truncated)
      : formatter_(std::move(columns)), rows_(std::move(rows)), truncated_(truncated) {}
  const std::vector<query::ResultColumn>& columns() const override { return formatter_.columns(); }
  const std::map<std::string, uint64_t>& versions() const override { return versions_; }
  Result<bool> NextJson(std::string&) override { return Unsupported(); }
  Result<bool> NextCsv(std::string&) override { return Unsupported(); }
  Result<bool> NextText(query::TextRows& out) override {
    if (done_) return false;
    done_ = true;
    if (out.columns == 0) out.columns = rows_.columns;
    for (size_t r = 0; r < rows_.rows(); ++r) {
      for (size_t c = 0; c < rows_.columns; ++c) {
        out.text += rows_.cell(r, c);
        out.ends.push_back(static_cast<uint32_t>(out.text.size()));
        out.nulls.push_back(rows_.null(r, c));
      }
    }
    return true;
  }
  const query::ChunkFormatter& formatter() const override { return formatter_; }
  uint64_t row_count() const override { return rows_.rows(); }
  bool truncated() const override { return truncated_; }
  double elapsed_ms() const override { return 0; }

 private:
  static Status Unsupported() {
    return Status::Unprocessable("catalog answers are only sent as PostgreSQL text");
  }
  query::ChunkFormatter formatter_;
  query::TextRows rows_;
  bool truncated_;
  bool done_ = false;
  std::map<std::string, uint64_t> versions_;
};

// DuckDB's text of a value as PostgreSQL writes it: booleans t/f, lists
// as array literals.
std::string PgText(query::ValueType type, std::string text) {
  if (type == query::ValueType::kBoolean) return text == "true" ? "t" : "f";
  if (type == query::ValueType::kList && text.size() >= 2 && text.front() == '[') {
    std::string out = "{";
    for (size_t i = 1; i + 1 < text.size(); ++i) {
      if (text[i] == ' ' && text[i - 1] == ',') continue;
      out.push_back(text[i]);
    }
    return out + "}";
  }
  return text;
}

class AnswererImpl final : public CatalogAnswerer {
 public:
  AnswererImpl(catalog::Catalog& catalog, CatalogAnswererOptions options)
      : catalog_(catalog), options_(std::move(options)) {}

  Status Open() {
    char* error = nullptr;
    if (duckdb_open_ext(nullptr, database_.out(), nullptr, &error) != DuckDBSuccess) {
      std::string message = error ? error : "unknown error";
      duckdb_free(error);
      return Status::Internal("cannot open the catalog database: " + message);
    }
    if (duckdb_connect(database_.get(), connection_.out()) != DuckDBSuccess) {
      return Status::Internal("cannot connect to the catalog database");
    }
    LH_RETURN_IF_ERROR(query::Exec(connection_.get(), FixedCatalogSql(options_.database)));
    // The same lock as the engine's: nothing a statement says can read a
    // file, reach the network, load code or change these settings.
    for (const char* sql :
         {"SET threads = 1", "SET memory_limit = '256MB'",
          "SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
          "SET allow_community_extensions = false", "SET enable_external_access = false",
          "SET lock_configuration = true"}) {
      LH_RETURN_IF_ERROR(query::Exec(connection_.get(), sql));
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<query::QueryCursor>> Execute(const query::QueryRequest& request) override {
    std::lock_guard lock(mu_);
    LH_RETURN_IF_ERROR(Refresh());
    LH_ASSIGN_OR_RETURN(Prepared prepared, Prepare(request.sql));
    LH_RETURN_IF_ERROR(query::BindTextParams(prepared.get(), request));
    QueryResult result;
    if (duckdb_execute_prepared(prepared.get(), result.out()) != DuckDBSuccess) {
      return Failure(duckdb_result_error(result.get()));
    }
    std::vector<query::ResultColumn> columns = Columns(prepared.get());
    query::TextRows rows;
    rows.columns = columns.size();
    size_t limit =
        std::min(request.limit == 0 ? options_.max_rows : request.limit, options_.max_rows);
    idx_t count = duckdb_row_count(result.get());
    for (idx_t r = 0; r < count && r < limit; ++r) {
      for (idx_t c = 0; c < columns.size(); ++c) {
        bool null = duckdb_value_is_null(result.get(), c, r);
        if (!null) {
          char* text = duckdb_value_varchar(result.get(), c, r);
          rows.text += PgText(columns[c].value_type, text != nullptr ? text : "");
          duckdb_free(text);
        }
        rows.ends.push_back(static_cast<uint32_t>(rows.text.size()));
        rows.nulls.push_back(null);
      }
    }
    return std::unique_ptr<query::QueryCursor>(
        std::make_unique<HeldCursor>(std::move(columns), std::move(rows), count > limit));
  }

  Result<query::StatementShape> Describe(const query::QueryRequest& request) override {
    std::lock_guard lock(mu_);
    LH_RETURN_IF_ERROR(Refresh());
    LH_ASSIGN_OR_RETURN(Prepared prepared, Prepare(request.sql));
    query::StatementShape shape;
    for (idx_t i = 1; i <= duckdb_nparams(prepared.get()); ++i) {
      LogicalType logical(duckdb_param_logical_type(prepared.get(), i));
      shape.params.push_back(logical ? query::ValueTypeOf(logical.get())
                                     : query::ValueType::kUnknown);
    }
    shape.columns = Columns(prepared.get());
    return shape;
  }

 private:
  // Rebuilds the dataset rows when a dataset's name or version changed.
  Status Refresh() {
    LH_ASSIGN_OR_RETURN(catalog::DatasetListing listing, catalog_.ListDatasets());
    std::vector<std::pair<std::string, uint64_t>> signature;
    for (const auto& dataset : listing.datasets) {
      signature.emplace_back(dataset.name, dataset.version);
    }
    if (built_ && signature == signature_) return Status::Ok();
    std::vector<CatalogDataset> datasets;
    for (const auto& summary : listing.datasets) {
      auto manifest = catalog_.GetCurrent(summary.name);
      if (!manifest.ok()) continue;  // deleted or damaged since the listing
      CatalogDataset dataset{
          .name = summary.name, .rows = manifest->rows, .bytes = manifest->bytes, .columns = {}};
      LH_ASSIGN_OR_RETURN(dataset.columns, ColumnsOf(manifest->schema));
      datasets.push_back(std::move(dataset));
    }
    LH_RETURN_IF_ERROR(
        query::Exec(connection_.get(), DatasetCatalogSql(options_.database, datasets)));
    dataset_names_.clear();
    for (const auto& dataset : datasets) dataset_names_.insert(dataset.name);
    signature_ = std::move(signature);
    built_ = true;
    return Status::Ok();
  }

  // The columns of a schema with the OIDs pgwire announces them as: DuckDB
  // reads each type name, so the mapping is the one results use.
  Result<std::vector<CatalogColumn>> ColumnsOf(const std::vector<catalog::Column>& schema) {
    std::vector<CatalogColumn> columns;
    for (const auto& column : schema) {
      Prepared prepared;
      std::string sql = "SELECT CAST(NULL AS " + column.type + ")";
      int32_t oid = kOidText;
      if (duckdb_prepare(connection_.get(), sql.c_str(), prepared.out()) == DuckDBSuccess) {
        LogicalType logical(duckdb_prepared_statement_column_logical_type(prepared.get(), 0));
        oid = OidOf(query::ValueTypeOf(logical.get()));
      }
      columns.push_back({.name = column.name, .type_oid = oid});
    }
    return columns;
  }

  Result<Prepared> Prepare(const std::string& sql) {
    std::string rewritten = RewriteCatalogSql(sql);
    query::Extracted extracted;
    idx_t count = duckdb_extract_statements(connection_.get(), rewritten.c_str(), extracted.out());
    if (count != 1) {
      const char* error = duckdb_extract_statements_error(extracted.get());
      return Status::InvalidArgument(error ? error : "expected one SQL statement");
    }
    Prepared prepared;
    if (duckdb_prepare_extracted_statement(connection_.get(), extracted.get(), 0, prepared.out()) !=
        DuckDBSuccess) {
      const char* error = duckdb_prepare_error(prepared.get());
      return Failure(error ? error : "cannot prepare the statement");
    }
    duckdb_statement_type type = duckdb_prepared_statement_type(prepared.get());
    if (type != DUCKDB_STATEMENT_TYPE_SELECT) {
      return Status::PermissionDenied(
          "only a SELECT may read PostgreSQL's catalog (pg_catalog, information_schema)");
    }
    return prepared;
  }

  // DuckDB's failure as the engine reports it; a dataset named beside
  // catalog tables is refused plainly rather than read as a missing table.
  Status Failure(const std::string& message) const {
    const std::string prefix = "Table with name ";
    if (size_t at = message.find(prefix); at != std::string::npos) {
      size_t end = message.find(' ', at + prefix.size());
      std::string name = message.substr(at + prefix.size(), end - at - prefix.size());
      if (dataset_names_.contains(name) || name.find('@') != std::string::npos) {
        return Status::Unprocessable(
            "a statement that reads PostgreSQL's catalog (pg_catalog, information_schema, "
            "pg_* functions) cannot also read datasets; query \"" +
            name + "\" on its own");
      }
    }
    if (message.find("Permission Error") != std::string::npos) {
      return Status::PermissionDenied(message);
    }
    return Status::InvalidArgument(message);
  }

  static std::vector<query::ResultColumn> Columns(duckdb_prepared_statement prepared) {
    std::vector<query::ResultColumn> columns;
    for (idx_t c = 0; c < duckdb_prepared_statement_column_count(prepared); ++c) {
      LogicalType logical(duckdb_prepared_statement_column_logical_type(prepared, c));
      const char* name = duckdb_prepared_statement_column_name(prepared, c);
      query::ResultColumn column;
      column.name = name != nullptr ? name : "";
      duckdb_free(const_cast<char*>(name));
      column.type = query::TypeName(logical.get());
      column.value_type = query::ValueTypeOf(logical.get());
      columns.push_back(std::move(column));
    }
    return columns;
  }

  catalog::Catalog& catalog_;
  const CatalogAnswererOptions options_;
  std::mutex mu_;
  Database database_;
  Connection connection_;
  bool built_ = false;
  std::vector<std::pair<std::string, uint64_t>> signature_;
  std::set<std::string> dataset_names_;
};

}  // namespace

std::string PgVersionString() { return query::SqlVersionString(); }

Result<std::unique_ptr<CatalogAnswerer>> CatalogAnswerer::Open(catalog::Catalog& catalog,
                                                               CatalogAnswererOptions options) {
  auto answerer = std::make_unique<AnswererImpl>(catalog, std::move(options));
  LH_RETURN_IF_ERROR(answerer->Open());
  return std::unique_ptr<CatalogAnswerer>(std::move(answerer));
}

}  // namespace lakehouse::pgwire
