// vector_search(), text_search(), hybrid_search() and embed() as DuckDB C API functions, with
// failures recorded per connection.
#include "query/sql_functions.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "query/duckdb_handles.h"

namespace lakehouse::query {
namespace {

constexpr const char* kSearchUnavailable =
    " is not available: this query engine has no vector service "
    "(for queryd, set [queryd] vectord_url)";
constexpr const char* kEmbedUnavailable =
    "embed is not available: this query engine has no embedder";

using ClientContext = Handle<duckdb_client_context, duckdb_destroy_client_context>;

const Status kPastDeadline = Status::Timeout("the query's time limit passed");

// Texts the embedder receives in one call, at most: with texts of up to
// kMaxSqlFunctionTextBytes, what embed() holds at once per DuckDB thread
// stays near this, whatever the size of DuckDB's chunk.
constexpr size_t kEmbedBatchBytes = 4u << 20;

Status TextTooLong(std::string_view function, size_t bytes) {
  return Status::InvalidArgument(std::string(function) + ": a text of " + std::to_string(bytes) +
                                 " bytes is over the bound of " +
                                 std::to_string(kMaxSqlFunctionTextBytes) +
                                 " bytes (1 MiB) per text");
}

std::string SqlQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

idx_t ConnectionOf(duckdb_client_context raw_context) {
  ClientContext context(raw_context);
  return duckdb_client_context_get_connection_id(context.get());
}

// Fails the table function's binding with `status`, kept for the engine.
void BindFail(duckdb_bind_info info, SqlFunctionState& state, idx_t connection,
              const Status& status) {
  state.RecordFailure(connection, status);
  duckdb_bind_set_error(info, status.message().c_str());
}

// What each registered search function is: its mode, and the state it
// shares with the others. Owned by DuckDB's catalog entry.
struct SearchFunctionInfo {
  SqlFunctionState* state;
  SearchMode mode;
};

// vector_search(index, text, k) and its siblings: the hits, found once while binding.
struct SearchBind {
  std::shared_ptr<const std::vector<SearchRow>> rows;
};
struct SearchScan {
  size_t next = 0;
};

std::string TextOf(const Value& value) {
  char* text = duckdb_get_varchar(value.get());
  std::string out = text != nullptr ? text : "";
  duckdb_free(text);
  return out;
}

// A search's `filter := '{...}'`, as compact JSON text; empty when not
// given or NULL. Whether its fields and operators make sense is for the
// search to say (metadata_filter.h): this side knows only that it is JSON.
Result<std::string> SearchFilter(duckdb_bind_info info, std::string_view function) {
  Value value(duckdb_bind_get_named_parameter(info, "filter"));
  if (!value || duckdb_is_null_value(value.get())) return std::string();
  const std::string text = TextOf(value);
  const std::string example = std::string(function) +
                              ": filter must be a JSON object of metadata conditions, such as "
                              "filter := '{\"state\": \"TX\", \"rate\": {\"lte\": 80}}'";
  if (text.size() > kMaxSqlFunctionTextBytes) {
    return Status::InvalidArgument(example + "; this one is over 1 MiB");
  }
  nlohmann::json filter;
  try {
    filter = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument(example + "; this one is not JSON (it breaks at byte " +
                                   std::to_string(e.byte) + ")");
  }
  if (!filter.is_object()) {
    return Status::InvalidArgument(example + "; this one is " + std::string(filter.type_name()));
  }
  return filter.dump();
}

// vector_search keeps the three columns it has always had; text_search and
// hybrid_search add the score and each ranker's place.
void AddSearchColumns(duckdb_bind_info info, SearchMode mode) {
  LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  LogicalType real(duckdb_create_logical_type(DUCKDB_TYPE_FLOAT));
  // JSON is VARCHAR under an alias: s.metadata->>'state' works, and the
  // column still formats as text.
  LogicalType json(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  duckdb_logical_type_set_alias(json.get(), "JSON");
  duckdb_bind_add_result_column(info, "id", varchar.get());
  duckdb_bind_add_result_column(info, "distance", real.get());
  duckdb_bind_add_result_column(info, "metadata", json.get());
  if (mode == SearchMode::kVector) return;
  LogicalType real_double(duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE));
  LogicalType integer(duckdb_create_logical_type(DUCKDB_TYPE_INTEGER));
  duckdb_bind_add_result_column(info, "score", real_double.get());
  duckdb_bind_add_result_column(info, "vector_rank", integer.get());
  duckdb_bind_add_result_column(info, "keyword_rank", integer.get());
}

// The index, text and k, checked; or why not.
struct SearchArguments {
  std::string index;
  std::string text;
  size_t k = 0;
  std::string filter;
};

Result<SearchArguments> ReadSearchArguments(duckdb_bind_info info, std::string_view function) {
  const std::string prefix = std::string(function) + ": ";
  Value parameters[3];
  for (idx_t i = 0; i < 3; ++i) parameters[i] = Value(duckdb_bind_get_parameter(info, i));
  const char* names[3] = {"the index name", "the query text", "k"};
  for (idx_t i = 0; i < 3; ++i) {
    if (!parameters[i] || duckdb_is_null_value(parameters[i].get())) {
      return Status::InvalidArgument(prefix + names[i] + " must not be NULL");
    }
  }
  SearchArguments arguments;
  arguments.index = TextOf(parameters[0]);
  arguments.text = TextOf(parameters[1]);
  const int32_t k = duckdb_get_int32(parameters[2].get());
  if (k < 1 || static_cast<size_t>(k) > kMaxSearchK) {
    return Status::InvalidArgument(prefix + "k must be 1.." + std::to_string(kMaxSearchK) +
                                   ", got " + std::to_string(k));
  }
  arguments.k = static_cast<size_t>(k);
  if (arguments.text.size() > kMaxSqlFunctionTextBytes) {
    return TextTooLong(function, arguments.text.size());
  }
  LH_ASSIGN_OR_RETURN(arguments.filter, SearchFilter(info, function));
  return arguments;
}

void SearchBindFunction(duckdb_bind_info info) {
  const auto& function = *static_cast<SearchFunctionInfo*>(duckdb_bind_get_extra_info(info));
  SqlFunctionState& state = *function.state;
  const std::string_view name = SearchFunctionName(function.mode);
  AddSearchColumns(info, function.mode);

  duckdb_client_context context = nullptr;
  duckdb_table_function_get_client_context(info, &context);
  const idx_t connection = ConnectionOf(context);

  auto arguments = ReadSearchArguments(info, name);
  if (!arguments.ok()) return BindFail(info, state, connection, arguments.status());
  if (!state.functions().search) {
    return BindFail(info, state, connection,
                    Status::InvalidArgument(std::string(name) + kSearchUnavailable));
  }
  if (state.PastDeadline(connection)) return BindFail(info, state, connection, kPastDeadline);
  auto rows = state.Search(connection, function.mode, arguments->index, arguments->text,
                           arguments->k, arguments->filter);
  // The callback bounds its own time; a result after the deadline is not
  // worth binding the rest of the query for.
  if (state.PastDeadline(connection)) return BindFail(info, state, connection, kPastDeadline);
  if (!rows.ok()) return BindFail(info, state, connection, rows.status());
  duckdb_bind_set_cardinality(info, (*rows)->size(), true);
  duckdb_bind_set_bind_data(info, new SearchBind{std::move(*rows)},
                            [](void* data) { delete static_cast<SearchBind*>(data); });
}

void SearchInitFunction(duckdb_init_info info) {
  duckdb_init_set_max_threads(info, 1);
  duckdb_init_set_init_data(info, new SearchScan{},
                            [](void* data) { delete static_cast<SearchScan*>(data); });
}

// Writes `value` at `row` of a column of T, or NULL when it is unset.
template <typename T, typename V>
void SetOptional(duckdb_vector column, idx_t row, const std::optional<V>& value) {
  if (value) {
    static_cast<T*>(duckdb_vector_get_data(column))[row] = static_cast<T>(*value);
    return;
  }
  duckdb_vector_ensure_validity_writable(column);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(column), row);
}

void SearchFunction(duckdb_function_info info, duckdb_data_chunk output) {
  const auto& rows = *static_cast<SearchBind*>(duckdb_function_get_bind_data(info))->rows;
  auto& scan = *static_cast<SearchScan*>(duckdb_function_get_init_data(info));
  const bool ranked = duckdb_data_chunk_get_column_count(output) > 3;
  duckdb_vector ids = duckdb_data_chunk_get_vector(output, 0);
  duckdb_vector distances = duckdb_data_chunk_get_vector(output, 1);
  duckdb_vector metadata = duckdb_data_chunk_get_vector(output, 2);
  idx_t count = 0;
  const idx_t capacity = duckdb_vector_size();
  for (; count < capacity && scan.next < rows.size(); ++count, ++scan.next) {
    const SearchRow& row = rows[scan.next];
    duckdb_vector_assign_string_element_len(ids, count, row.id.data(), row.id.size());
    SetOptional<float>(distances, count, row.distance);
    duckdb_vector_assign_string_element_len(metadata, count, row.metadata.data(),
                                            row.metadata.size());
    if (!ranked) continue;
    static_cast<double*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(output, 3)))[count] =
        row.score;
    SetOptional<int32_t>(duckdb_data_chunk_get_vector(output, 4), count, row.vector_rank);
    SetOptional<int32_t>(duckdb_data_chunk_get_vector(output, 5), count, row.keyword_rank);
  }
  duckdb_data_chunk_set_size(output, count);
}

// embed(text): the connection it runs on, kept from binding so a failure is
// recorded where the engine will look for it.
struct EmbedBind {
  idx_t connection = 0;
};

void EmbedBindFunction(duckdb_bind_info info) {
  duckdb_client_context context = nullptr;
  duckdb_scalar_function_get_client_context(info, &context);
  duckdb_scalar_function_set_bind_data(info, new EmbedBind{ConnectionOf(context)},
                                       [](void* data) { delete static_cast<EmbedBind*>(data); });
  duckdb_scalar_function_set_bind_data_copy(
      info, [](void* data) -> void* { return new EmbedBind(*static_cast<EmbedBind*>(data)); });
}

void EmbedFunction(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  auto& state = *static_cast<SqlFunctionState*>(duckdb_scalar_function_get_extra_info(info));
  const auto* bind = static_cast<EmbedBind*>(duckdb_scalar_function_get_bind_data(info));
  auto fail = [&](const Status& status) {
    if (bind != nullptr) state.RecordFailure(bind->connection, status);
    duckdb_scalar_function_set_error(info, status.message().c_str());
  };
  const idx_t size = duckdb_data_chunk_get_size(input);
  duckdb_vector texts_vector = duckdb_data_chunk_get_vector(input, 0);
  auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(texts_vector));
  uint64_t* valid = duckdb_vector_get_validity(texts_vector);
  std::vector<idx_t> rows;  // the valid rows
  for (idx_t row = 0; row < size; ++row) {
    if (valid != nullptr && !duckdb_validity_row_is_valid(valid, row)) continue;
    const size_t length = duckdb_string_t_length(strings[row]);
    if (length > kMaxSqlFunctionTextBytes) return fail(TextTooLong("embed", length));
    rows.push_back(row);
  }
  if (!rows.empty() && !state.functions().embed) {
    return fail(Status::InvalidArgument(kEmbedUnavailable));
  }
  std::vector<std::vector<float>> vectors;
  // In batches of at most kEmbedBatchBytes, checking the deadline before
  // each: a chunk of long texts neither copies them all at once nor runs
  // on long after the query's time is up.
  for (size_t next_row = 0; next_row < rows.size();) {
    if (bind != nullptr && state.PastDeadline(bind->connection)) return fail(kPastDeadline);
    std::vector<std::string> texts;
    size_t bytes = 0;
    for (; next_row < rows.size(); ++next_row) {
      duckdb_string_t& text = strings[rows[next_row]];
      const size_t length = duckdb_string_t_length(text);
      if (!texts.empty() && bytes + length > kEmbedBatchBytes) break;
      texts.emplace_back(duckdb_string_t_data(&text), length);
      bytes += length;
    }
    auto batch = state.functions().embed(texts);
    if (!batch.ok()) {
      return fail(Status(batch.status().code(), "embed: " + batch.status().message()));
    }
    if (batch->size() != texts.size()) {
      return fail(Status::Internal("embed: the embedder returned " + std::to_string(batch->size()) +
                                   " vectors for " + std::to_string(texts.size()) + " texts"));
    }
    for (auto& v : *batch) vectors.push_back(std::move(v));
  }
  size_t total = 0;
  for (const auto& v : vectors) total += v.size();
  const idx_t base = duckdb_list_vector_get_size(output);
  if (duckdb_list_vector_reserve(output, base + total) != DuckDBSuccess ||
      duckdb_list_vector_set_size(output, base + total) != DuckDBSuccess) {
    return fail(Status::Internal("embed: cannot size the result"));
  }
  auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(output));
  auto* floats = static_cast<float*>(duckdb_vector_get_data(duckdb_list_vector_get_child(output)));
  if (rows.size() < size) duckdb_vector_ensure_validity_writable(output);
  uint64_t* out_valid = duckdb_vector_get_validity(output);
  idx_t offset = base;
  size_t next = 0;  // the next vector, for the next valid row
  for (idx_t row = 0; row < size; ++row) {
    if (next < rows.size() && rows[next] == row) {
      const auto& v = vectors[next++];
      if (!v.empty()) std::memcpy(floats + offset, v.data(), v.size() * sizeof(float));
      entries[row] = {offset, v.size()};
      offset += v.size();
    } else {
      entries[row] = {offset, 0};
      duckdb_validity_set_row_invalid(out_valid, row);
    }
  }
}

Status RegisterSearch(duckdb_connection connection, SqlFunctionState& state, SearchMode mode) {
  const std::string name(SearchFunctionName(mode));
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, name.c_str());
  LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  LogicalType integer(duckdb_create_logical_type(DUCKDB_TYPE_INTEGER));
  duckdb_table_function_add_parameter(function, varchar.get());
  duckdb_table_function_add_parameter(function, varchar.get());
  duckdb_table_function_add_parameter(function, integer.get());
  duckdb_table_function_add_named_parameter(function, "filter", varchar.get());
  duckdb_table_function_set_extra_info(
      function, new SearchFunctionInfo{&state, mode},
      [](void* data) { delete static_cast<SearchFunctionInfo*>(data); });
  duckdb_table_function_set_bind(function, SearchBindFunction);
  duckdb_table_function_set_init(function, SearchInitFunction);
  duckdb_table_function_set_function(function, SearchFunction);
  duckdb_state registered = duckdb_register_table_function(connection, function);
  duckdb_destroy_table_function(&function);
  if (registered != DuckDBSuccess) return Status::Internal("cannot register " + name);
  return Status::Ok();
}

Status RegisterEmbed(duckdb_connection connection, SqlFunctionState& state) {
  duckdb_scalar_function function = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(function, "embed");
  LogicalType varchar(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  LogicalType real(duckdb_create_logical_type(DUCKDB_TYPE_FLOAT));
  LogicalType list(duckdb_create_list_type(real.get()));
  duckdb_scalar_function_add_parameter(function, varchar.get());
  duckdb_scalar_function_set_return_type(function, list.get());
  duckdb_scalar_function_set_extra_info(function, &state, nullptr);
  duckdb_scalar_function_set_bind(function, EmbedBindFunction);
  duckdb_scalar_function_set_function(function, EmbedFunction);
  duckdb_state registered = duckdb_register_scalar_function(connection, function);
  duckdb_destroy_scalar_function(&function);
  if (registered != DuckDBSuccess) return Status::Internal("cannot register embed");
  return Status::Ok();
}

}  // namespace

void SqlFunctionState::BeginQuery(idx_t connection,
                                  std::chrono::steady_clock::time_point deadline) {
  std::lock_guard lock(mu_);
  connections_.erase(connection);
  connections_[connection].deadline = deadline;
}

bool SqlFunctionState::PastDeadline(idx_t connection) {
  std::lock_guard lock(mu_);
  auto it = connections_.find(connection);
  return it != connections_.end() && std::chrono::steady_clock::now() >= it->second.deadline;
}

std::optional<Status> SqlFunctionState::FailureFor(idx_t connection,
                                                   std::string_view duckdb_message) {
  std::lock_guard lock(mu_);
  auto it = connections_.find(connection);
  if (it == connections_.end() || !it->second.failure) return std::nullopt;
  if (duckdb_message.find(it->second.failure->message()) == std::string_view::npos) {
    return std::nullopt;
  }
  return it->second.failure;
}

void SqlFunctionState::RecordFailure(idx_t connection, const Status& status) {
  std::lock_guard lock(mu_);
  auto& failure = connections_[connection].failure;
  if (!failure) failure = status;
}

Result<std::shared_ptr<const std::vector<SearchRow>>> SqlFunctionState::Search(
    idx_t connection, SearchMode mode, const std::string& index, const std::string& text, size_t k,
    const std::string& filter) {
  SearchKey key{mode, index, text, k, filter};
  {
    std::lock_guard lock(mu_);
    auto& searches = connections_[connection].searches;
    if (auto it = searches.find(key); it != searches.end()) return it->second;
  }
  auto found = functions_.search(mode, index, text, k, filter);
  if (!found.ok()) {
    return Status(found.status().code(), std::string(SearchFunctionName(mode)) + "(" +
                                             SqlQuote(index) + "): " + found.status().message());
  }
  if (found->size() > k) found->resize(k);
  if (mode == SearchMode::kKeyword) {
    // One ranking: an item's place in it is its row's.
    for (size_t i = 0; i < found->size(); ++i) {
      auto& rank = (*found)[i].keyword_rank;
      if (!rank) rank = static_cast<int64_t>(i + 1);
    }
  }
  auto rows = std::make_shared<const std::vector<SearchRow>>(std::move(*found));
  std::lock_guard lock(mu_);
  connections_[connection].searches[key] = rows;
  return rows;
}

Status RegisterSqlFunctions(duckdb_connection connection, SqlFunctionState& state) {
  for (SearchMode mode : {SearchMode::kVector, SearchMode::kKeyword, SearchMode::kHybrid}) {
    LH_RETURN_IF_ERROR(RegisterSearch(connection, state, mode));
  }
  return RegisterEmbed(connection, state);
}

std::string_view SearchFunctionName(SearchMode mode) {
  switch (mode) {
    case SearchMode::kVector:
      return "vector_search";
    case SearchMode::kKeyword:
      return "text_search";
    case SearchMode::kHybrid:
      return "hybrid_search";
  }
  return "vector_search";
}

idx_t ConnectionId(duckdb_connection connection) {
  duckdb_client_context context = nullptr;
  duckdb_connection_get_client_context(connection, &context);
  return ConnectionOf(context);
}

}  // namespace lakehouse::query
