// EngineSqlReader: runs a query on the in-process engine and parses its JSON rows into one answer.
#include "query/sql_reader.h"

namespace lakehouse::query {

Result<SqlAnswer> EngineSqlReader::Read(const QueryRequest& request) {
  LH_ASSIGN_OR_RETURN(auto cursor, engine_.Execute(request));
  SqlAnswer answer;
  for (const auto& column : cursor->columns()) {
    answer.columns.push_back(column.name);
    answer.types.push_back(column.type);
  }
  // The cursor writes rows as the JSON the API sends; parsing it back keeps
  // one encoding of values for both readers.
  std::string text = "[";
  while (true) {
    LH_ASSIGN_OR_RETURN(bool more, cursor->NextJson(text));
    if (!more) break;
  }
  text += "]";
  answer.rows = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (answer.rows.is_discarded()) return Status::Internal("the query's rows are not valid JSON");
  answer.versions = cursor->versions();
  answer.truncated = cursor->truncated();
  return answer;
}

}  // namespace lakehouse::query
