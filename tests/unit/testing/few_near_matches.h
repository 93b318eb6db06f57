// An index where a metadata filter inside the search and a WHERE after it
// differ: many items pass the filter, few of them are among the nearest.
#pragma once

#include <string>
#include <vector>

#include "embed/embedder_set.h"
#include "vector/vector_service.h"

namespace lakehouse::testing {

// "staff_resume" in `service`, searched by the default embedder: 130 items
// s0..s129 with metadata {"state"}. The 30 nearest to "python data engineer"
// (s0..s29) hold two in TX; the other 100, forklift operators, are all TX.
// Answers the matching dataset's CSV (id,state), to join with in SQL.
inline std::string AddFewNearMatchesIndex(vector::VectorService& service,
                                          const embed::EmbedderSet& embedders) {
  vector::IndexParams params;
  params.name = "staff_resume";
  params.model = embedders.default_name();
  if (!service.Create(params).ok()) return "";
  std::vector<std::string> texts;
  std::vector<vector::Item> items;
  std::string csv = "id,state\n";
  for (int i = 0; i < 130; ++i) {
    const bool near = i < 30;
    const std::string state = near ? (i < 2 ? "TX" : "CA") : "TX";
    texts.push_back(near ? "python data engineer, pipelines " + std::to_string(i)
                         : "forklift operator, warehouse night shift " + std::to_string(i));
    csv += "s" + std::to_string(i) + "," + state + "\n";
    items.push_back({"s" + std::to_string(i), {}, {{"state", state}}});
  }
  auto vectors = embedders.Find("").value()->Embed(texts).value();
  for (size_t i = 0; i < items.size(); ++i) items[i].vector = vectors[i];
  if (!service.Add("staff_resume", std::move(items)).ok()) return "";
  return csv;
}

// The query the README shows, on that index, with its filter inside the
// search or as a WHERE after it: how many rows it answers (all of them TX).
inline std::string FilteredSearchSql() {
  return "SELECT count(*) FROM vector_search('staff_resume', 'python data engineer', 20, "
         "filter := '{\"state\": \"TX\"}') s JOIN staff c ON c.id = s.id WHERE c.state = 'TX'";
}
inline std::string WhereSearchSql() {
  return "SELECT count(*) FROM vector_search('staff_resume', 'python data engineer', 20) s "
         "JOIN staff c ON c.id = s.id WHERE c.state = 'TX'";
}

}  // namespace lakehouse::testing
