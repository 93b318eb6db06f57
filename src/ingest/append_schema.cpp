// The append rules: which upload columns fit the dataset's, by position or by name, and widening.
#include "ingest/append_schema.h"

#include <algorithm>

#include "common/sql_quote.h"
#include "query/duckdb_handles.h"

namespace lakehouse::ingest {
namespace {

bool IsInteger(const std::string& t) {
  return t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "UTINYINT" ||
         t == "USMALLINT" || t == "UINTEGER" || t == "UBIGINT" || t == "HUGEINT";
}

int IntegerRank(const std::string& t) {
  if (t == "TINYINT" || t == "UTINYINT") return 1;
  if (t == "SMALLINT" || t == "USMALLINT") return 2;
  if (t == "INTEGER" || t == "UINTEGER") return 3;
  if (t == "BIGINT" || t == "UBIGINT") return 4;
  return 5;
}

// Whether a column of type `from` may be appended to one of type `to`.
bool SafeWidening(const std::string& from, const std::string& to) {
  if (from == to || to == "VARCHAR") return true;
  if (IsInteger(from) && IsInteger(to)) {
    bool from_unsigned = from.front() == 'U';
    bool to_unsigned = to.front() == 'U';
    if (from_unsigned == to_unsigned) return IntegerRank(from) <= IntegerRank(to);
    return from_unsigned && IntegerRank(from) < IntegerRank(to);  // u32 fits i64
  }
  if (IsInteger(from) && to == "DOUBLE") return true;
  if (from == "FLOAT" && to == "DOUBLE") return true;
  if (from == "DATE" && to == "TIMESTAMP") return true;
  return false;
}

// The type a dataset column of type `stored` takes to hold an upload column
// of type `uploaded` too, when schema evolution may widen it: a wider
// integer of the same signedness, or DOUBLE over FLOAT. Never VARCHAR: text
// in a number column is an error to report, not a schema to adopt.
std::optional<std::string> WidenedType(const std::string& stored, const std::string& uploaded) {
  if (SafeWidening(uploaded, stored) && stored != "VARCHAR") return stored;
  if (stored == uploaded) return stored;
  if (IsInteger(stored) && IsInteger(uploaded) && stored.front() == uploaded.front() &&
      IntegerRank(stored) < IntegerRank(uploaded)) {
    return uploaded;
  }
  if (stored == "FLOAT" && uploaded == "DOUBLE") return uploaded;
  return std::nullopt;
}

std::string Names(const std::vector<catalog::Column>& columns) {
  std::string list;
  for (const auto& column : columns) list += (list.empty() ? "" : ", ") + column.name;
  return list;
}

// The columns of `of` that `in` has no column of the same name for.
std::vector<catalog::Column> Unmatched(const std::vector<catalog::Column>& of,
                                       const std::vector<catalog::Column>& in) {
  std::vector<catalog::Column> out;
  for (const auto& column : of) {
    if (std::none_of(in.begin(), in.end(),
                     [&](const catalog::Column& c) { return c.name == column.name; })) {
      out.push_back(column);
    }
  }
  return out;
}

// A plain append with another number of columns: where (a CSV's first
// line), which columns differ by name, and the two ways on.
Status ColumnCountMismatch(const IngestRequest& request, const catalog::Manifest& current,
                           const std::vector<catalog::Column>& upload,
                           std::optional<uint64_t> first_line) {
  std::string message =
      (first_line ? "line " + std::to_string(*first_line) + " of the file has " +
                        std::to_string(upload.size()) + " fields"
                  : "the file has " + std::to_string(upload.size()) + " columns") +
      " (" + Names(upload) + ") but dataset " + request.dataset + " has " +
      std::to_string(current.schema.size()) + " columns (" + Names(current.schema) + ")";
  const auto added = Unmatched(upload, current.schema);
  const auto missing = Unmatched(current.schema, upload);
  if (!added.empty()) message += "; not in the dataset: " + Names(added);
  if (!missing.empty()) message += "; not in the file: " + Names(missing);
  return Status::Unprocessable(message +
                               ". Send schema=evolve to match columns by name (new ones are "
                               "added), or mode=overwrite to replace the schema");
}

// A plain append: the upload's columns are the dataset's, in order. A CSV's
// types are checked by reading it again with the dataset's, so only the
// other formats' types are compared here.
Result<AppendPlan> AppendByPosition(const IngestRequest& request, const catalog::Manifest& current,
                                    const std::vector<catalog::Column>& upload,
                                    std::optional<uint64_t> first_line) {
  const auto& existing = current.schema;
  if (existing.size() != upload.size())
    return ColumnCountMismatch(request, current, upload, first_line);
  std::string projection;
  for (size_t i = 0; i < existing.size(); ++i) {
    if (existing[i].name != upload[i].name) {
      return Status::Unprocessable("column " + std::to_string(i + 1) + " of dataset " +
                                   request.dataset + " is \"" + existing[i].name +
                                   "\"; the file has \"" + upload[i].name + "\"");
    }
    if (request.format != Format::kCsv && !SafeWidening(upload[i].type, existing[i].type)) {
      return Status::Unprocessable("column \"" + upload[i].name + "\" of dataset " +
                                   request.dataset + " is " + existing[i].type + "; the file has " +
                                   upload[i].type +
                                   ", which cannot be appended safely (overwrite instead)");
    }
    projection += (i ? ", " : "") + std::string("CAST(") + SqlIdentifier(upload[i].name) + " AS " +
                  existing[i].type + ") AS " + SqlIdentifier(upload[i].name);
  }
  AppendPlan plan;
  plan.projection = std::move(projection);
  plan.schema = existing;
  plan.read_with_types = request.format == Format::kCsv;
  return plan;
}

// Schema evolution: the dataset's columns first (NULL where the upload lacks
// one), then the upload's new ones.
Result<AppendPlan> AppendByName(const IngestRequest& request, const catalog::Manifest& current,
                                const std::vector<catalog::Column>& upload) {
  std::vector<catalog::Column> evolved;
  std::string projection;
  auto add = [&](const catalog::Column& column, const std::string& value) {
    projection += (projection.empty() ? "" : ", ") + std::string("CAST(") + value + " AS " +
                  column.type + ") AS " + SqlIdentifier(column.name);
    evolved.push_back(column);
  };
  for (const auto& column : current.schema) {
    auto uploaded = std::find_if(upload.begin(), upload.end(),
                                 [&](const catalog::Column& c) { return c.name == column.name; });
    if (uploaded == upload.end()) {
      add(column, "NULL");
      continue;
    }
    auto type = WidenedType(column.type, uploaded->type);
    if (!type) {
      return Status::Unprocessable("column \"" + column.name + "\" of dataset " + request.dataset +
                                   " is " + column.type + "; the file has " + uploaded->type +
                                   ", which schema=evolve does not widen it to (overwrite "
                                   "instead)");
    }
    add({column.name, *type}, SqlIdentifier(column.name));
  }
  for (const auto& column : upload) {
    bool known = std::any_of(current.schema.begin(), current.schema.end(),
                             [&](const catalog::Column& c) { return c.name == column.name; });
    if (!known) add(column, SqlIdentifier(column.name));
  }
  AppendPlan plan;
  if (evolved != current.schema) plan.evolved_from = current;
  plan.projection = std::move(projection);
  plan.schema = std::move(evolved);
  return plan;
}

}  // namespace

Result<AppendPlan> PlanAppend(const IngestRequest& request, const catalog::Manifest& current,
                              const std::vector<catalog::Column>& upload,
                              std::optional<uint64_t> first_line) {
  if (request.evolve_schema) return AppendByName(request, current, upload);
  return AppendByPosition(request, current, upload, first_line);
}

}  // namespace lakehouse::ingest
