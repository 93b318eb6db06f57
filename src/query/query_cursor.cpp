// A running query's cursor: streams its rows chunk by chunk up to the limit, then frees its slot.
#include <algorithm>

#include "query/engine_impl.h"
#include "query/query_errors.h"

namespace lakehouse::query {

CursorImpl::~CursorImpl() {
  // Before the slot is released: a cancel must not reach the next query on
  // the connection.
  if (cancel_) cancel_->Detach();
  result_.reset();
  engine_.watchdog().Unwatch(watch_id_);
  prepared_.reset();
  engine_.Release(slot_);
}

Status CursorImpl::Start() {
  if (duckdb_execute_prepared_streaming(prepared_.get(), result_.out()) != DuckDBSuccess) {
    return FetchError();
  }
  return Status::Ok();
}

Status CursorImpl::FetchError() {
  const char* message = duckdb_result_error(result_.get());
  std::optional<Status> status = engine_.FunctionFailure(slot_, message ? message : "");
  if (!status) {
    status = ErrorFromResult(duckdb_result_error_type(result_.get()),
                             message ? message : "query failed", engine_.options().memory_limit);
  }
  // The watchdog's interrupt and a SQL function giving up at the deadline
  // read the same to the client.
  if (status->code() == StatusCode::kTimeout && cancel_ && cancel_->cancelled()) {
    return Status::Timeout("query was cancelled");
  }
  if (status->code() == StatusCode::kTimeout) {
    return Status::Timeout("query exceeded its time limit of " +
                           std::to_string(engine_.options().timeout_ms) + " ms");
  }
  return engine_.Scrub(*status);
}

template <typename Emit>
Result<bool> CursorImpl::Next(Emit emit) {
  if (done_) return false;
  DataChunk chunk(duckdb_fetch_chunk(*result_.get()));
  if (!chunk) {
    done_ = true;
    if (duckdb_result_error(result_.get()) != nullptr) return FetchError();
    return false;
  }
  size_t size = duckdb_data_chunk_get_size(chunk.get());
  size_t room = limit_ - rows_;
  size_t take = std::min(size, room);
  emit(chunk.get(), take);
  rows_ += take;
  if (rows_ >= limit_) {
    done_ = true;
    if (size > take) {
      truncated_ = true;
    } else {
      DataChunk more(duckdb_fetch_chunk(*result_.get()));
      truncated_ = more && duckdb_data_chunk_get_size(more.get()) > 0;
    }
  }
  return true;
}

Result<bool> CursorImpl::NextJson(std::string& out) {
  return Next([&](duckdb_data_chunk chunk, size_t rows) {
    encoder_.AppendJson(chunk, rows, first_row_, out);
  });
}

Result<bool> CursorImpl::NextText(TextRows& out) {
  return Next([&](duckdb_data_chunk chunk, size_t rows) { encoder_.AppendText(chunk, rows, out); });
}

Result<bool> CursorImpl::NextCsv(std::string& out) {
  return Next([&](duckdb_data_chunk chunk, size_t rows) { encoder_.AppendCsv(chunk, rows, out); });
}

}  // namespace lakehouse::query
