// BindTextParams: checks the parameter count and binds each value as text or NULL.
#include "query/prepared_params.h"

#include <string>

namespace lakehouse::query {

Status BindTextParams(duckdb_prepared_statement prepared, const QueryRequest& request) {
  idx_t count = duckdb_nparams(prepared);
  if (request.params.size() != count) {
    return Status::InvalidArgument("the query has " + std::to_string(count) +
                                   " parameters ($1, ?) but " +
                                   std::to_string(request.params.size()) + " were given");
  }
  for (idx_t i = 0; i < count; ++i) {
    const auto& param = request.params[i];
    duckdb_state state =
        param ? duckdb_bind_varchar_length(prepared, i + 1, param->data(), param->size())
              : duckdb_bind_null(prepared, i + 1);
    if (state != DuckDBSuccess) {
      return Status::InvalidArgument("cannot bind parameter $" + std::to_string(i + 1));
    }
  }
  return Status::Ok();
}

}  // namespace lakehouse::query
