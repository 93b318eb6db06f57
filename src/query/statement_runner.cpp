// Runs one statement: the fence, the prepare, the rewrite for encoding, and a started cursor.
#include <cctype>

#include "query/engine_impl.h"
#include "query/prepared_params.h"
#include "query/query_errors.h"

namespace lakehouse::query {
namespace {

// The columns `prepared` returns, and which the encoder cannot read natively.
ColumnPlan PlanColumns(duckdb_prepared_statement prepared) {
  idx_t column_count = duckdb_prepared_statement_column_count(prepared);
  ColumnPlan plan;
  plan.columns.resize(column_count);
  plan.cast.resize(column_count);
  plan.as_json.resize(column_count);
  for (idx_t c = 0; c < column_count; ++c) {
    LogicalType logical(duckdb_prepared_statement_column_logical_type(prepared, c));
    // The C API hands over a copy the caller must free.
    const char* name = duckdb_prepared_statement_column_name(prepared, c);
    plan.columns[c].name = name != nullptr ? name : "";
    duckdb_free(const_cast<char*>(name));
    plan.columns[c].type = TypeName(logical.get());
    plan.columns[c].value_type = ValueTypeOf(logical.get());
    plan.cast[c] = !IsNativelyFormatted(logical.get());
    plan.as_json[c] = plan.cast[c] && IsNested(duckdb_get_type_id(logical.get()));
    plan.needs_rewrite = plan.needs_rewrite || plan.cast[c];
  }
  return plan;
}

// `sql` wrapped in a query that casts each column `plan` marks: nested
// values to their JSON text, the rest to VARCHAR.
std::string CastingWrapper(std::string sql, const ColumnPlan& plan) {
  while (!sql.empty() && (sql.back() == ';' || isspace(static_cast<unsigned char>(sql.back())))) {
    sql.pop_back();
  }
  std::string select, aliases;
  for (size_t c = 0; c < plan.columns.size(); ++c) {
    std::string alias = "c" + std::to_string(c);
    aliases += (c ? ", " : "") + alias;
    std::string expr = alias;
    if (plan.cast[c]) {
      expr = plan.as_json[c] ? "CAST(to_json(" + alias + ") AS VARCHAR)"
                             : "CAST(" + alias + " AS VARCHAR)";
    }
    select += (c ? ", " : "") + expr;
  }
  return "SELECT " + select + " FROM (" + sql + "\n) AS lakehouse_result(" + aliases + ")";
}

}  // namespace

Result<std::unique_ptr<QueryCursor>> EngineImpl::Execute(const QueryRequest& request) {
  if (request.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return Status::InvalidArgument("sql is empty");
  }
  if (request.limit == 0 || request.limit > options_.max_rows) {
    return Status::InvalidArgument("limit must be 1.." + std::to_string(options_.max_rows));
  }
  auto start = Clock::now();
  LH_ASSIGN_OR_RETURN(size_t slot, AcquireSlot());
  if (request.cancel) {
    duckdb_connection connection = connections_[slot].get();
    request.cancel->Attach([connection] { duckdb_interrupt(connection); });
  }
  BindContext bind;
  bind.as_of = &request.as_of;
  current_bind = &bind;
  auto cursor = Run(slot, request, bind, start);
  current_bind = nullptr;
  if (!cursor.ok() && !bind.cursor_owns_slot) {
    if (request.cancel) request.cancel->Detach();
    Release(slot);
  }
  if (!cursor.ok()) return Scrub(cursor.status());
  return cursor;
}

Result<StatementShape> EngineImpl::Describe(const QueryRequest& request) {
  if (request.sql.find_first_not_of(" \t\r\n;") == std::string::npos) {
    return Status::InvalidArgument("sql is empty");
  }
  LH_ASSIGN_OR_RETURN(size_t slot, AcquireSlot());
  BindContext bind;
  bind.as_of = &request.as_of;
  current_bind = &bind;
  auto shape = Shape(slot, request, bind);
  current_bind = nullptr;
  Release(slot);
  if (!shape.ok()) return Scrub(shape.status());
  return shape;
}

Result<StatementShape> EngineImpl::Shape(size_t slot, const QueryRequest& request,
                                         BindContext& bind) {
  functions_.BeginQuery(connection_ids_[slot],
                        Clock::now() + std::chrono::milliseconds(options_.timeout_ms));
  LH_ASSIGN_OR_RETURN(Prepared prepared, Prepare(slot, request.sql, bind));
  StatementShape shape;
  idx_t count = duckdb_nparams(prepared.get());
  for (idx_t i = 1; i <= count; ++i) {
    LogicalType logical(duckdb_param_logical_type(prepared.get(), i));
    shape.params.push_back(logical ? ValueTypeOf(logical.get()) : ValueType::kUnknown);
  }
  shape.columns = PlanColumns(prepared.get()).columns;
  LH_RETURN_IF_ERROR(CheckAsOf(bind));
  return shape;
}

Status EngineImpl::BindFailure(size_t slot, const BindContext& bind,
                               duckdb_prepared_statement prepared) {
  if (bind.error) return *bind.error;
  std::string message = duckdb_prepare_error(prepared) ? duckdb_prepare_error(prepared) : "";
  if (auto failure = FunctionFailure(slot, message)) return *failure;
  return ErrorFromPrepare(message, options_.memory_limit);
}

Result<Prepared> EngineImpl::Prepare(size_t slot, const std::string& sql, BindContext& bind) {
  duckdb_connection connection = connections_[slot].get();
  // The fence decides on the parse alone; nothing below runs for a refusal.
  LH_ASSIGN_OR_RETURN(FencedSql fenced, fence_->Check(connection, sql));
  bind.names_filename = bind.names_filename || fenced.names_filename;
  Extracted extracted;
  idx_t count = duckdb_extract_statements(connection, fenced.sql.c_str(), extracted.out());
  if (count != 1) {
    const char* error = duckdb_extract_statements_error(extracted.get());
    return Status::InvalidArgument(error ? error : "expected one SQL statement");
  }
  Prepared prepared;
  if (duckdb_prepare_extracted_statement(connection, extracted.get(), 0, prepared.out()) !=
      DuckDBSuccess) {
    return BindFailure(slot, bind, prepared.get());
  }
  // The fence already decided; this holds should the parse and the prepare
  // ever disagree.
  duckdb_statement_type type = duckdb_prepared_statement_type(prepared.get());
  if (type != DUCKDB_STATEMENT_TYPE_SELECT && type != DUCKDB_STATEMENT_TYPE_EXPLAIN) {
    return Status::PermissionDenied(
        "only one read-only statement (SELECT, EXPLAIN) may run; this is " +
        std::string(StatementTypeName(type)));
  }
  return prepared;
}

Result<std::unique_ptr<QueryCursor>> EngineImpl::Run(size_t slot, const QueryRequest& request,
                                                     BindContext& bind, Clock::time_point start) {
  functions_.BeginQuery(connection_ids_[slot],
                        start + std::chrono::milliseconds(options_.timeout_ms));
  LH_ASSIGN_OR_RETURN(Prepared prepared, Prepare(slot, request.sql, bind));
  LH_RETURN_IF_ERROR(BindTextParams(prepared.get(), request));
  ColumnPlan plan = PlanColumns(prepared.get());
  if (plan.needs_rewrite) {
    // The wrapper holds the user's text too, so it passes the fence as well.
    LH_ASSIGN_OR_RETURN(prepared, Prepare(slot, CastingWrapper(request.sql, plan), bind));
    LH_RETURN_IF_ERROR(BindTextParams(prepared.get(), request));
  }
  LH_RETURN_IF_ERROR(CheckAsOf(bind));
  return StartCursor(slot, request, bind, start, std::move(prepared), std::move(plan));
}

Result<std::unique_ptr<QueryCursor>> EngineImpl::StartCursor(size_t slot,
                                                             const QueryRequest& request,
                                                             BindContext& bind,
                                                             Clock::time_point start,
                                                             Prepared prepared, ColumnPlan plan) {
  std::vector<ColumnLayout> layouts(plan.columns.size());
  for (idx_t c = 0; c < plan.columns.size(); ++c) {
    LogicalType logical(duckdb_prepared_statement_column_logical_type(prepared.get(), c));
    layouts[c] = LayoutOf(logical.get(), plan.as_json[c]);
    layouts[c].value = plan.columns[c].value_type;
    plan.columns[c].encoding = layouts[c].encoding;
  }
  uint64_t watch_id = watchdog_.Watch(connections_[slot].get(),
                                      start + std::chrono::milliseconds(options_.timeout_ms));
  auto cursor = std::make_unique<CursorImpl>(
      *this, slot, watch_id, std::move(prepared), std::move(plan.columns), std::move(layouts),
      std::move(bind.versions), std::move(bind.pins), request.limit, start);
  bind.cursor_owns_slot = true;
  cursor->set_cancel(request.cancel);
  LH_RETURN_IF_ERROR(cursor->Start());
  return std::unique_ptr<QueryCursor>(std::move(cursor));
}

}  // namespace lakehouse::query
