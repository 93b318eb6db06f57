// Sniffs a CSV upload's dialect with DuckDB and checks the file's records against it.
#include "ingest/csv_probe.h"

#include <optional>
#include <string_view>

#include "common/sql_quote.h"
#include "ingest/csv_options.h"
#include "ingest/failures.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

// A record with a different field count than the first record's. Lines
// are the file's: the ones skipped count too.
Status RaggedRow(const CsvShape& shape, const IngestRequest& request) {
  const uint64_t ragged = shape.ragged->line + request.skip_lines;
  const uint64_t first = shape.first->line + request.skip_lines;
  std::string hint = "every row needs as many fields as the first";
  // Notes above the header are lines of one field, unlike the rows below.
  if (shape.first->fields == 1 && shape.ragged->fields > 1) {
    hint += "; if the lines above line " + std::to_string(ragged) +
            " are notes, not rows, send skip=" + std::to_string(ragged - 1);
  }
  return Status::InvalidArgument(
      "cannot read " + UploadName(request) + " as CSV: line " + std::to_string(ragged) + " has " +
      std::to_string(shape.ragged->fields) + " fields but line " + std::to_string(first) + " has " +
      std::to_string(shape.first->fields) + " (" + hint + ")");
}

// One of the sniffer's characters: "(empty)" stands for none.
std::optional<char> SniffedChar(const char* value) {
  if (value == nullptr || std::string_view(value) == "(empty)" || value[0] == '\0') {
    return std::nullopt;
  }
  return value[0];
}

std::string CharOption(std::optional<char> c) { return SqlString(c ? std::string(1, *c) : ""); }

}  // namespace

// Skipping lines and comments are ruled out for the sniffer: either would
// drop rows silently.
Result<CsvPlan> PlanCsv(duckdb_connection connection, const std::string& path,
                        const IngestRequest& request, const DuckDbFailureFn& failed) {
  std::string sql = "SELECT Delimiter, Quote, \"Escape\", HasHeader, len(Columns) FROM sniff_csv(" +
                    SqlString(path) +
                    ", skip = 0, comment = '', strict_mode = true, null_padding = false";
  if (request.delimiter) sql += ", delim = " + CharOption(request.delimiter);
  if (request.header) sql += std::string(", header = ") + (*request.header ? "true" : "false");
  sql += CsvOptionSql(request) + ")";
  query::QueryResult sniffed;
  if (duckdb_query(connection, sql.c_str(), sniffed.out()) != DuckDBSuccess) {
    return failed(sniffed.get());
  }
  if (duckdb_row_count(sniffed.get()) != 1) return Status::Internal("sniff_csv returned no row");
  CsvPlan plan;
  char* delimiter = duckdb_value_varchar(sniffed.get(), 0, 0);
  char* quote = duckdb_value_varchar(sniffed.get(), 1, 0);
  char* escape = duckdb_value_varchar(sniffed.get(), 2, 0);
  plan.dialect =
      CsvDialect{SniffedChar(delimiter).value_or(','), SniffedChar(quote), SniffedChar(escape)};
  duckdb_free(delimiter);
  duckdb_free(quote);
  duckdb_free(escape);
  plan.header = duckdb_value_boolean(sniffed.get(), 3, 0);
  const int64_t columns = duckdb_value_int64(sniffed.get(), 4, 0);

  // Every reading of the file that a person might intend must agree on the
  // field count of every record, else the first record that breaks ranks is
  // named. The sniffer's alone is not enough: when rows disagree it may settle
  // on one column, or on no quoting, and so find agreement the file lacks.
  std::vector<CsvDialect> readings = {plan.dialect};
  const CsvDialect rfc4180{plan.dialect.delimiter, '"', '"'};
  if (!plan.dialect.quote) readings.push_back(rfc4180);
  if (!request.delimiter && columns == 1) {
    for (char delimiter : PlausibleDelimiters(path)) {
      if (delimiter != plan.dialect.delimiter) readings.push_back({delimiter, '"', '"'});
    }
  }
  CsvShape shape;
  for (size_t i = readings.size(); i-- > 0;) {
    LH_ASSIGN_OR_RETURN(shape, ScanCsvFile(path, readings[i]));
    if (shape.ragged) return RaggedRow(shape, request);
  }
  if (!shape.first) return Status::InvalidArgument(UploadName(request) + " has no rows");
  plan.fields = shape.first->fields;
  plan.first_line = shape.first->line + request.skip_lines;
  plan.data_rows = shape.records - (plan.header ? 1 : 0);
  return plan;
}

// strict_mode: a row with the wrong number of fields is an error, not a
// silently padded row.
std::string CsvReaderSql(const std::string& path, const CsvPlan& plan, const IngestRequest& request,
                         const std::vector<catalog::Column>* types) {
  const CsvDialect& dialect = plan.dialect;
  std::string sql = "read_csv(" + SqlString(path) +
                    ", auto_detect = true, strict_mode = true, null_padding = false" +
                    ", skip = 0, comment = ''" + ", delim = " + CharOption(dialect.delimiter) +
                    ", quote = " + CharOption(dialect.quote) +
                    ", escape = " + CharOption(dialect.escape) +
                    ", header = " + (plan.header ? "true" : "false") + CsvOptionSql(request);
  if (types != nullptr) {
    sql += ", types = {";
    for (size_t i = 0; i < types->size(); ++i) {
      sql += (i ? ", " : "") + SqlString((*types)[i].name) + ": " + SqlString((*types)[i].type);
    }
    sql += "}";
  }
  return sql + ")";
}

}  // namespace lakehouse::ingest
