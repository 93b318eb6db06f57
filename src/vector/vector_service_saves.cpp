// VectorService's writes on their way to the store, and the retries and compactions behind them.
#include "vector/vector_service.h"

#include <spdlog/spdlog.h>

#include <mutex>

#include "vector/index_saver.h"

namespace lakehouse::vector {

Result<WriteOutcome> VectorService::Write(const Entry& entry, lhd1::Change change,
                                          bool missing_ok) {
  if (!entry.saver) {
    LH_RETURN_IF_ERROR(ApplyChange(*entry.index, *entry.origin, std::move(change), missing_ok));
    return WriteOutcome{entry.index->size(), false};
  }
  LH_ASSIGN_OR_RETURN(int64_t number, entry.saver->Record(std::move(change), missing_ok));
  bool persisted = entry.saver->SaveThrough(number);
  return WriteOutcome{entry.index->size(), persisted};
}

bool VectorService::SaveThrough(const Entry& entry, bool retry) {
  if (!entry.saver) return false;
  return entry.saver->SaveThrough(entry.saver->recorded(), retry);
}

std::shared_ptr<IndexSaver> VectorService::NewSaver(const Entry& entry, const StoredState& state) {
  SaverPolicy policy{options_.compact_fraction, options_.compact_min_bytes, options_.compact_deltas,
                     [this] {
                       {
                         std::lock_guard lock(retry_mu_);
                         compact_wanted_ = true;
                       }
                       retry_cv_.notify_all();
                     }};
  return std::make_shared<IndexSaver>(*store_, ObjectKey(entry.index->params().name), entry.index,
                                      entry.origin, std::move(policy), state);
}

// Without it, a write acknowledged with "persisted": false while storage was
// down would stay unsaved until the index's next write, which may never come.
// Compaction runs here too, woken by the save that made it due.
void VectorService::RetryUnsavedUntilStopped(const std::stop_token& stop) {
  while (true) {
    {
      std::unique_lock lock(retry_mu_);
      bool compact =
          retry_cv_.wait_for(lock, stop, options_.retry_interval, [&] { return compact_wanted_; });
      if (stop.stop_requested()) return;
      compact_wanted_ = false;
      if (compact) {
        lock.unlock();
        CompactWhereWanted(stop);
        continue;
      }
    }
    for (const auto& status : List()) {
      if (status.persisted || stop.stop_requested()) continue;
      auto entry = FindEntry(status.params.name);
      if (entry.ok() && SaveThrough(*entry, /*retry=*/true)) {
        spdlog::info("vectord: index {} saved on retry", status.params.name);
      }
    }
  }
}

void VectorService::CompactWhereWanted(const std::stop_token& stop) {
  std::vector<std::pair<std::string, Entry>> entries;
  {
    std::shared_lock lock(mu_);
    for (const auto& [name, entry] : indexes_) entries.emplace_back(name, entry);
  }
  for (const auto& [name, entry] : entries) {
    if (stop.stop_requested()) return;
    if (entry.saver && entry.saver->WantsCompaction() && !entry.saver->Compact()) {
      spdlog::warn("vectord: compaction of index {} failed; its deltas stay", name);
    }
  }
}

}  // namespace lakehouse::vector
