// The query fence (sql_fence.h): DuckDB's parse tree of a statement, walked
// for every function call and table reference in it.
#include "query/sql_fence.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "catalog/catalog.h"
#include "query/duckdb_handles.h"
#include "query/sql_fence_functions.h"
#include "query/sql_text.h"

namespace lakehouse::query {
namespace {

using nlohmann::json;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// EXPLAIN [ANALYZE] [(options)] <statement>, split. Options may hold only
// words and commas: a quoted option could hide where the statement starts.
struct Explain {
  bool analyze = false;
  std::string options;
  std::string_view statement;
};

Result<std::optional<Explain>> SplitExplain(std::string_view sql) {
  size_t i = 0;
  if (!SkipSpace(sql, i) || Word(sql, i) != "EXPLAIN") return std::optional<Explain>();
  Explain explain;
  size_t before = i;
  if (!SkipSpace(sql, i)) return Status::InvalidArgument("unterminated comment");
  std::string word = Word(sql, i);
  if (word == "ANALYZE" || word == "ANALYSE") {
    explain.analyze = true;
    before = i;
    if (!SkipSpace(sql, i)) return Status::InvalidArgument("unterminated comment");
  } else {
    i = before;
    SkipSpace(sql, i);
  }
  if (i < sql.size() && sql[i] == '(') {
    size_t close = sql.find(')', i);
    if (close == std::string_view::npos) return Status::InvalidArgument("EXPLAIN ( is not closed");
    std::string_view options = sql.substr(i, close + 1 - i);
    for (char c : options.substr(1, options.size() - 2)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ',' &&
          !std::isspace(static_cast<unsigned char>(c))) {
        return Status::PermissionDenied(
            "EXPLAIN options may hold only words and commas, e.g. EXPLAIN (FORMAT json)");
      }
    }
    explain.options = std::string(options);
    i = close + 1;
  }
  explain.statement = sql.substr(i);
  return std::optional<Explain>(explain);
}

// DuckDB's parse tree of `sql`, as json_serialize_sql writes it.
Result<json> ParseTree(duckdb_connection connection, std::string_view sql) {
  Prepared prepared;
  if (duckdb_prepare(connection, "SELECT json_serialize_sql($1::VARCHAR)", prepared.out()) !=
      DuckDBSuccess) {
    return Status::Internal("cannot prepare the parse of a query");
  }
  std::string text(sql);
  QueryResult result;
  if (duckdb_bind_varchar_length(prepared.get(), 1, text.data(), text.size()) != DuckDBSuccess ||
      duckdb_execute_prepared(prepared.get(), result.out()) != DuckDBSuccess) {
    const char* error = duckdb_result_error(result.get());
    return Status::Internal(std::string("cannot parse the query: ") + (error ? error : ""));
  }
  char* serialized = duckdb_value_varchar(result.get(), 0, 0);
  if (serialized == nullptr) return Status::Internal("the parse of the query is empty");
  json tree = json::parse(serialized, nullptr, false);
  duckdb_free(serialized);
  if (tree.is_discarded()) return Status::Internal("the parse of the query is not JSON");
  return tree;
}

std::string Text(const json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsIdentifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// A name DuckDB's own replacement scans would read as a file (they run
// before the engine's), such as a tag "final.csv". Tags are lowercase.
bool EndsLikeAFile(std::string_view name) {
  for (std::string_view extension :
       {".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", ".gz", ".zst"}) {
    if (name.ends_with(extension)) return true;
  }
  return false;
}

// An identifier, or one with @<digits> (a dataset version) or @<tag> after it.
bool IsPlainTableName(std::string_view name) {
  size_t at = name.find('@');
  if (at == std::string_view::npos) return IsIdentifier(name);
  std::string_view digits = name.substr(at + 1);
  if (!IsIdentifier(name.substr(0, at)) || digits.empty()) return false;
  if (catalog::ValidateTagName(digits).ok()) return !EndsLikeAFile(digits);
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// By name alone, whatever schema or catalog qualifies it: every function of
// a name is decided together, and queries cannot create functions, so
// main.f, system.main.f and f are the same decision. (The parser itself
// writes main.list_value for [1, 2].)
Status CheckFunction(const json& node) {
  const std::string name = Lower(Text(node, "function_name"));
  if (IsAllowedFunction(name)) return Status::Ok();
  if (auto reason = DenialReason(name)) {
    return Status::PermissionDenied("function " + name + " is not allowed in queries: it " +
                                    std::string(*reason));
  }
  return Status::PermissionDenied("function " + name +
                                  " is not allowed in queries: it is not among the functions "
                                  "that only compute from their arguments");
}

Status CheckTable(const json& node, const std::set<std::string>& catalog_names) {
  const std::string name = Text(node, "table_name");
  const std::string schema = Text(node, "schema_name");
  const std::string catalog = Text(node, "catalog_name");
  if (!schema.empty() || !catalog.empty()) {
    return Status::PermissionDenied("table reference " + (catalog.empty() ? "" : catalog + ".") +
                                    (schema.empty() ? "" : schema + ".") + name +
                                    " is refused: datasets are named without a schema");
  }
  if (!IsPlainTableName(name)) {
    return Status::PermissionDenied(
        "table reference '" + name +
        "' is refused: queries read data only through dataset names (name, \"name@version\" or "
        "\"name@tag\"), never files, paths, globs or URLs");
  }
  if (catalog_names.count(Lower(name))) {
    return Status::PermissionDenied("table reference " + name +
                                    " is refused: it names one of DuckDB's own views, not a "
                                    "dataset");
  }
  return Status::Ok();
}

bool NamesFilename(const json& node) {
  auto it = node.find("column_names");
  if (it == node.end() || !it->is_array()) return false;
  for (const auto& part : *it) {
    if (part.is_string() && Lower(part.get<std::string>()) == "filename") return true;
  }
  return false;
}

// Every node of the tree, without recursion: a deeply nested expression must
// not overflow the stack.
Status Walk(const json& tree, const std::set<std::string>& catalog_names, bool& names_filename) {
  std::vector<const json*> pending = {&tree};
  while (!pending.empty()) {
    const json& node = *pending.back();
    pending.pop_back();
    if (node.is_object()) {
      if (node.contains("function_name")) LH_RETURN_IF_ERROR(CheckFunction(node));
      const std::string type = Text(node, "type");
      if (type == "BASE_TABLE") LH_RETURN_IF_ERROR(CheckTable(node, catalog_names));
      if (type == "SHOW_REF" && node.value("query", json()).is_null()) {
        return Status::PermissionDenied(
            "SHOW of DuckDB's catalog is refused: datasets are not in it (GET /v1/datasets lists "
            "them)");
      }
      if (Text(node, "class") == "COLUMN_REF" && NamesFilename(node)) names_filename = true;
    }
    if (node.is_structured()) {
      for (const auto& child : node) pending.push_back(&child);
    }
  }
  return Status::Ok();
}

// The query nodes json_serialize_sql writes for a SELECT (a set operation,
// a CTE or a recursive CTE around one included).
bool IsQueryNode(const json& node) {
  static const std::set<std::string> kQueryNodes = {"SELECT_NODE", "SET_OPERATION_NODE", "CTE_NODE",
                                                    "RECURSIVE_CTE_NODE"};
  return kQueryNodes.count(Text(node, "type")) > 0;
}

// A refusal naming the first statement of `sql` that does not only read.
Status NotAQuery(std::string_view sql) {
  const std::vector<std::string> keywords = StatementKeywords(sql);
  std::string kind = "a statement that is not a query";
  for (size_t i = 0; i < keywords.size(); ++i) {
    if (IsReadKeyword(keywords[i])) continue;
    kind = KindOf(keywords[i]);
    if (keywords.size() > 1) {
      kind +=
          " (statement " + std::to_string(i + 1) + " of " + std::to_string(keywords.size()) + ")";
    }
    break;
  }
  return Status::PermissionDenied(
      "only one read-only statement (SELECT, EXPLAIN) may run; this is " + kind);
}

// The parser's message with where it broke in the user's text (`sql` starts
// `offset` bytes into it), and, for a dataset version written without its
// double quotes, how to write it.
Status ParseError(const json& tree, std::string_view sql, size_t offset) {
  std::string message = Text(tree, "error_message");
  std::optional<size_t> position;
  const std::string at = Text(tree, "position");
  if (!at.empty() && at.find_first_not_of("0123456789") == std::string::npos && at.size() < 10) {
    position = std::stoul(at);
  }
  std::string_view text(sql.data() - offset, sql.size() + offset);
  if (position) message += " (" + LineAndColumn(text, *position + offset) + ")";
  if (auto version = FindUnquotedVersion(sql, position)) {
    message += "; write \"" + version->text + "\" in double quotes to read " +
               (version->is_tag ? "the version tag " + version->version + " names"
                                : "version " + version->version);
  }
  return Status::InvalidArgument(message);
}

}  // namespace

Result<SqlFence> SqlFence::Open(duckdb_connection connection) {
  QueryResult result;
  if (duckdb_query(connection,
                   "SELECT DISTINCT lower(view_name) FROM duckdb_views() UNION "
                   "SELECT DISTINCT lower(table_name) FROM duckdb_tables()",
                   result.out()) != DuckDBSuccess) {
    return Status::Internal(std::string("cannot list DuckDB's views: ") +
                            duckdb_result_error(result.get()));
  }
  std::set<std::string> names;
  for (idx_t row = 0; row < duckdb_row_count(result.get()); ++row) {
    char* name = duckdb_value_varchar(result.get(), 0, row);
    if (name != nullptr) names.insert(name);
    duckdb_free(name);
  }
  return SqlFence(std::move(names));
}

Status SqlFence::CheckTree(duckdb_connection connection, std::string_view sql, size_t offset,
                           FencedSql& out) const {
  LH_ASSIGN_OR_RETURN(json tree, ParseTree(connection, sql));
  if (tree.value("error", true)) {
    // Whatever the parser accepted but json_serialize_sql would not write
    // out is not a query: refused, whichever of its error types it is.
    if (Text(tree, "error_type") != "parser") return NotAQuery(sql);
    return ParseError(tree, sql, offset);
  }
  const json& statements = tree["statements"];
  if (statements.empty()) return Status::InvalidArgument("no SQL statement found");
  for (const auto& statement : statements) {
    if (!IsQueryNode(statement.value("node", json()))) return NotAQuery(sql);
  }
  if (statements.size() > 1) {
    return Status::InvalidArgument("one statement per query, found " +
                                   std::to_string(statements.size()));
  }
  return Walk(statements, catalog_names_, out.names_filename);
}

namespace {
constexpr std::string_view kPredicateTable = "lakehouse_rows";

bool IsEmpty(const json& node, const char* key) {
  auto it = node.find(key);
  return it == node.end() || it->is_null() || (it->is_structured() && it->empty());
}

// The predicate spliced into `SELECT * FROM t WHERE (...)` must still be
// that query and nothing more: a `)` in it could otherwise close the
// parenthesis and go on with a UNION, a GROUP BY or an ORDER BY.
Status CheckPredicateShape(const json& statements) {
  Status not_a_predicate = Status::InvalidArgument(
      "the predicate must be one boolean expression over the dataset's columns");
  if (statements.size() != 1) return not_a_predicate;
  const json& node = statements[0].value("node", json());
  if (Text(node, "type") != "SELECT_NODE" || !IsEmpty(node, "modifiers") ||
      !IsEmpty(node.value("cte_map", json::object()), "map") ||
      !IsEmpty(node, "group_expressions") || !IsEmpty(node, "group_sets") ||
      !IsEmpty(node, "having") || !IsEmpty(node, "qualify") || !IsEmpty(node, "sample") ||
      IsEmpty(node, "where_clause")) {
    return not_a_predicate;
  }
  const json& from = node.value("from_table", json());
  const json& select = node.value("select_list", json());
  if (Text(from, "type") != "BASE_TABLE" || Text(from, "table_name") != kPredicateTable ||
      !select.is_array() || select.size() != 1 || Text(select[0], "class") != "STAR") {
    return not_a_predicate;
  }
  std::vector<const json*> pending = {&node["where_clause"]};
  while (!pending.empty()) {
    const json& at = *pending.back();
    pending.pop_back();
    if (at.is_object() && Text(at, "class") == "SUBQUERY") {
      return Status::PermissionDenied(
          "the predicate may not hold a subquery: it filters the dataset's own rows by their "
          "columns");
    }
    if (at.is_structured()) {
      for (const auto& child : at) pending.push_back(&child);
    }
  }
  return Status::Ok();
}
}  // namespace

Status SqlFence::CheckPredicate(duckdb_connection connection, std::string_view predicate) const {
  if (predicate.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument("the predicate is empty");
  }
  // A newline before the closing parenthesis: a trailing `--` comment in the
  // predicate cannot hide it.
  const std::string sql =
      "SELECT * FROM " + std::string(kPredicateTable) + " WHERE (" + std::string(predicate) + "\n)";
  LH_ASSIGN_OR_RETURN(json tree, ParseTree(connection, sql));
  if (tree.value("error", true)) {
    return Status::InvalidArgument("the predicate does not parse: " + Text(tree, "error_message"));
  }
  LH_RETURN_IF_ERROR(CheckPredicateShape(tree["statements"]));
  bool names_filename = false;
  return Walk(tree["statements"], catalog_names_, names_filename);
}

Result<FencedSql> SqlFence::Check(duckdb_connection connection, std::string_view sql) const {
  FencedSql out;
  LH_ASSIGN_OR_RETURN(auto explain, SplitExplain(sql));
  if (!explain) {
    LH_RETURN_IF_ERROR(CheckTree(connection, sql, 0, out));
    out.sql = std::string(sql);
    return out;
  }
  Status inner = CheckTree(connection, explain->statement,
                           static_cast<size_t>(explain->statement.data() - sql.data()), out);
  if (!inner.ok()) {
    return Status(inner.code(), "EXPLAIN" + std::string(explain->analyze ? " ANALYZE" : "") +
                                    " of a statement the fence refuses: " + inner.message());
  }
  out.sql = "EXPLAIN " + std::string(explain->analyze ? "ANALYZE " : "") + explain->options + "\n" +
            std::string(explain->statement);
  return out;
}

}  // namespace lakehouse::query
