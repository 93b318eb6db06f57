// Datasets that change by row: upsert by key and delete by predicate, over
// the in-process parts. Every change is a new version that writes only the
// upload and small deletion vectors, earlier versions read as they were, bad
// keys and predicates change nothing, and racing changes all land.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "ingest/ingestor.h"
#include "query/deletion_vector.h"
#include "testing/embedded_lakehouse.h"

namespace lakehouse::ingest {
namespace {

using catalog::WriteMode;
using nlohmann::json;
using testing::EmbeddedLakehouse;

class RowChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        lake_.Ingest("people", "id,name,rate\n1,ann,10\n2,bob,20\n3,cy,30\n4,di,40\n").ok());
  }

  // The rows as "id:name:rate", sorted.
  std::vector<std::string> Rows(const std::string& table) {
    auto result = lake_.QueryJson("SELECT id, name, rate FROM " + table + " ORDER BY id");
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    std::vector<std::string> rows;
    if (!result.ok()) return rows;
    for (const auto& row : json::parse(*result)) {
      rows.push_back(std::to_string(row[0].get<int64_t>()) + ":" + row[1].get<std::string>() + ":" +
                     std::to_string(row[2].get<int64_t>()));
    }
    return rows;
  }

  // Nothing committed and nothing left in storage by a refused change.
  void ExpectUnchanged(uint64_t version, size_t objects) {
    auto current = lake_.catalog().GetCurrent("people");
    ASSERT_TRUE(current.ok());
    EXPECT_EQ(current->version, version);
    EXPECT_EQ(lake_.Keys(catalog::DataFilePrefix("people")).size(), objects);
  }

  EmbeddedLakehouse lake_;
};

TEST_F(RowChangesTest, UpsertReplacesRowsByKeyAndInsertsTheRest) {
  auto result = lake_.Upsert("people", "id,name,rate\n2,bobby,25\n5,eve,50\n", {"id"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_updated, 1u);
  EXPECT_EQ(result->rows_added, 1u);
  EXPECT_EQ(result->manifest.operation, catalog::Operation::kUpsert);
  EXPECT_EQ(result->manifest.rows, 5u);
  EXPECT_EQ(result->manifest.counts, (catalog::ChangeCounts{1, 1, 0}));
  EXPECT_EQ(Rows("people"),
            (std::vector<std::string>{"1:ann:10", "2:bobby:25", "3:cy:30", "4:di:40", "5:eve:50"}));
  // Time travel reads version 1 exactly as it was.
  EXPECT_EQ(Rows("\"people@1\""),
            (std::vector<std::string>{"1:ann:10", "2:bob:20", "3:cy:30", "4:di:40"}));
}

TEST_F(RowChangesTest, AnUpsertWritesOnlyTheUploadAndADeletionVector) {
  auto before = lake_.catalog().GetCurrent("people").value();
  auto result = lake_.Upsert("people", "id,name,rate\n3,cyd,33\n", {"id"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& files = result->manifest.files;
  ASSERT_EQ(files.size(), 2u);
  // The first file is the same object as before, now with one deleted row.
  EXPECT_EQ(files[0].key, before.files[0].key);
  EXPECT_EQ(files[0].bytes, before.files[0].bytes);
  ASSERT_EQ(files[0].deletes.size(), 1u);
  EXPECT_EQ(files[0].deletes[0].rows, 1u);
  auto vector =
      query::DecodeDeletionVector(lake_.store().GetBytes(files[0].deletes[0].key).value());
  ASSERT_TRUE(vector.ok()) << vector.status().ToString();
  EXPECT_EQ(vector->positions, std::vector<uint64_t>{2});  // id 3 is the file's third row
  EXPECT_EQ(files[1].rows, 1u);
  EXPECT_EQ(lake_.Keys(catalog::DataFilePrefix("people")).size(), 3u);
}

TEST_F(RowChangesTest, RepeatedUpsertsKeepOneRowPerKey) {
  for (int round = 0; round < 4; ++round) {
    auto result = lake_.Upsert(
        "people", "id,name,rate\n1,ann,1" + std::to_string(round) + "\n6,fay,6\n", {"id"});
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    EXPECT_EQ(result->rows_updated, round == 0 ? 1u : 2u);
  }
  EXPECT_EQ(Rows("people"),
            (std::vector<std::string>{"1:ann:13", "2:bob:20", "3:cy:30", "4:di:40", "6:fay:6"}));
}

TEST_F(RowChangesTest, ACompositeKeyMatchesOnEveryColumn) {
  ASSERT_TRUE(lake_.Ingest("shifts", "site,day,hours\nA,1,8\nA,2,6\nB,1,7\n").ok());
  auto result = lake_.Upsert("shifts", "site,day,hours\nA,2,9\nB,2,5\n", {"site", "day"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_updated, 1u);
  EXPECT_EQ(result->rows_added, 1u);
  auto rows = lake_.QueryJson("SELECT site, day, hours FROM shifts ORDER BY site, day");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(json::parse(*rows), json::parse(R"([["A",1,8],["A",2,9],["B",1,7],["B",2,5]])"));
}

TEST_F(RowChangesTest, AnUpsertIntoANewDatasetCreatesIt) {
  auto result = lake_.Upsert("fresh", "id,v\n1,a\n2,b\n", {"id"});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->manifest.operation, catalog::Operation::kCreate);
  EXPECT_EQ(result->rows_added, 2u);
}

TEST_F(RowChangesTest, BadKeysAreRefusedNamingTheKeyAndLineAndChangeNothing) {
  auto missing = lake_.Upsert("people", "id,name,rate\n9,x,1\n", {"ident"});
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("\"ident\""), std::string::npos);
  EXPECT_NE(missing.status().message().find("id, name, rate"), std::string::npos);

  auto twice = lake_.Upsert("people", "id,name,rate\n7,x,1\n2,y,2\n7,z,3\n", {"id"});
  EXPECT_EQ(twice.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(twice.status().message().find("id=7"), std::string::npos) << twice.status().message();
  EXPECT_NE(twice.status().message().find("line 2 and line 4"), std::string::npos)
      << twice.status().message();

  auto null_key = lake_.Upsert("people", "id,name,rate\n8,x,1\n,y,2\n", {"id"});
  EXPECT_EQ(null_key.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(null_key.status().message().find("NULL at line 3"), std::string::npos)
      << null_key.status().message();

  auto other_columns = lake_.Upsert("people", "id,title\n1,x\n", {"id"});
  EXPECT_EQ(other_columns.status().code(), StatusCode::kUnprocessable);
  ExpectUnchanged(1, 1);
}

TEST_F(RowChangesTest, DeleteByPredicateMakesAVersionWithoutThoseRows) {
  auto deleted = lake_.DeleteRows("people", "rate >= 30 AND name <> 'zed'");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->rows_deleted, 2u);
  EXPECT_EQ(deleted->version, 2u);
  EXPECT_EQ(deleted->rows, 2u);
  ASSERT_TRUE(deleted->manifest.has_value());
  EXPECT_EQ(deleted->manifest->operation, catalog::Operation::kDeleteRows);
  EXPECT_EQ(deleted->manifest->counts.deleted, 2u);
  EXPECT_EQ(Rows("people"), (std::vector<std::string>{"1:ann:10", "2:bob:20"}));
  EXPECT_EQ(Rows("\"people@1\"").size(), 4u);
  // Rows deleted before are not deleted again.
  auto again = lake_.DeleteRows("people", "rate >= 20");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows_deleted, 1u);
  EXPECT_EQ(Rows("people"), std::vector<std::string>{"1:ann:10"});
}

TEST_F(RowChangesTest, ADeleteMatchingNothingMakesNoVersion) {
  auto deleted = lake_.DeleteRows("people", "id > 100");
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->rows_deleted, 0u);
  EXPECT_EQ(deleted->version, 1u);
  EXPECT_FALSE(deleted->manifest.has_value());
  ExpectUnchanged(1, 1);
}

TEST_F(RowChangesTest, PredicatesOutsideTheFenceAreRefusedAndChangeNothing) {
  const std::pair<std::string, StatusCode> refused[] = {
      {"id IN (SELECT 1)", StatusCode::kPermissionDenied},
      {"EXISTS (SELECT * FROM people)", StatusCode::kPermissionDenied},
      {"read_text('/etc/passwd') IS NOT NULL", StatusCode::kPermissionDenied},
      {"1=1) UNION SELECT * FROM people WHERE (1=1", StatusCode::kInvalidArgument},
      {"1=1) GROUP BY (id", StatusCode::kInvalidArgument},
      {"1=1); DROP TABLE people; SELECT (1", StatusCode::kInvalidArgument},
      {"nosuch = 1", StatusCode::kInvalidArgument},
      {"id = ", StatusCode::kInvalidArgument},
      {"   ", StatusCode::kInvalidArgument},
  };
  for (const auto& [where, code] : refused) {
    auto deleted = lake_.DeleteRows("people", where);
    EXPECT_EQ(deleted.status().code(), code) << where << ": " << deleted.status().ToString();
  }
  EXPECT_EQ(lake_.DeleteRows("nobody", "id = 1").status().code(), StatusCode::kNotFound);
  // A trailing comment cannot hide the closing parenthesis.
  auto commented = lake_.DeleteRows("people", "id = 1 -- and the rest");
  ASSERT_TRUE(commented.ok()) << commented.status().ToString();
  EXPECT_EQ(commented->rows_deleted, 1u);
}

TEST_F(RowChangesTest, VacuumKeepsTheDeletionVectorsKeptVersionsRead) {
  ASSERT_TRUE(lake_.Upsert("people", "id,name,rate\n2,bo,2\n", {"id"}).ok());
  ASSERT_TRUE(lake_.DeleteRows("people", "id = 4").ok());
  auto report = lake_.catalog().Vacuum("people", 1);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(Rows("people"), (std::vector<std::string>{"1:ann:10", "2:bo:2", "3:cy:30"}));
}

TEST_F(RowChangesTest, ADamagedDeletionVectorFailsTheQueryNamingIt) {
  auto result = lake_.Upsert("people", "id,name,rate\n1,an,1\n", {"id"});
  ASSERT_TRUE(result.ok());
  const std::string key = result->manifest.files[0].deletes[0].key;
  std::string bytes = lake_.store().GetBytes(key).value();
  bytes[bytes.size() / 2] ^= 1;
  ASSERT_TRUE(lake_.store().PutBytes(key, bytes).ok());
  auto rows = lake_.QueryJson("SELECT count(*) FROM people");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kIoError);
  EXPECT_NE(rows.status().message().find(key), std::string::npos) << rows.status().message();
}

TEST_F(RowChangesTest, ManyChangesToOneFileKeepABoundedNumberOfVectors) {
  std::string csv = "id,name,rate\n";
  for (int i = 10; i < 40; ++i) csv += std::to_string(i) + ",n,1\n";
  ASSERT_TRUE(lake_.Ingest("people", csv).ok());
  for (int i = 10; i < 30; ++i) {
    ASSERT_TRUE(lake_.DeleteRows("people", "id = " + std::to_string(i)).ok());
    auto current = lake_.catalog().GetCurrent("people").value();
    EXPECT_LE(current.files[1].deletes.size(), 8u) << "after deleting id " << i;
    EXPECT_EQ(current.files[1].deleted_rows(), static_cast<uint64_t>(i - 9));
  }
  auto count = lake_.QueryJson("SELECT count(*), min(id) FROM people WHERE id >= 10");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(json::parse(*count), json::parse("[[10, 30]]"));
}

TEST_F(RowChangesTest, CompactionKeepsTheRowsInFewerFilesWithoutDeletes) {
  ASSERT_TRUE(lake_.Upsert("people", "id,name,rate\n2,bo,2\n7,gus,70\n", {"id"}).ok());
  ASSERT_TRUE(lake_.Ingest("people", "id,name,rate\n8,hal,80\n").ok());
  ASSERT_TRUE(lake_.DeleteRows("people", "id = 3").ok());
  const auto rows = Rows("people");
  const auto before = lake_.catalog().GetCurrent("people").value();
  ASSERT_EQ(before.files.size(), 3u);

  auto compacted = lake_.ingestor().Compact("people");
  ASSERT_TRUE(compacted.ok()) << compacted.status().ToString();
  ASSERT_TRUE(compacted->manifest.has_value());
  const auto& after = *compacted->manifest;
  EXPECT_EQ(after.operation, catalog::Operation::kCompact);
  EXPECT_EQ(after.version, before.version + 1);
  EXPECT_EQ(after.rows, before.rows);
  EXPECT_EQ(compacted->files_rewritten, 3u);
  ASSERT_EQ(after.files.size(), 1u);
  EXPECT_TRUE(after.files[0].deletes.empty());
  EXPECT_EQ(Rows("people"), rows);
  EXPECT_EQ(after.schema, before.schema);
  // Earlier versions still read their own files.
  EXPECT_EQ(Rows("\"people@" + std::to_string(before.version) + "\""), rows);
  // Compacted again, nothing is left to rewrite: no version.
  auto again = lake_.ingestor().Compact("people");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->manifest.has_value());
  EXPECT_EQ(again->version, after.version);
  EXPECT_EQ(lake_.ingestor().Compact("nobody").status().code(), StatusCode::kNotFound);
}

TEST_F(RowChangesTest, UpsertsMergeTheirSmallFilesOnceThereAreEight) {
  // Every file here is small; the dataset starts with one.
  for (int i = 1; i <= 7; ++i) {
    ASSERT_TRUE(
        lake_.Upsert("people", "id,name,rate\n1,ann,1" + std::to_string(i) + "\n", {"id"}).ok());
    auto current = lake_.catalog().GetCurrent("people").value();
    if (i < 7) {
      EXPECT_EQ(current.operation, catalog::Operation::kUpsert) << "upsert " << i;
      EXPECT_EQ(current.files.size(), static_cast<size_t>(i + 1));
      continue;
    }
    // The eighth file: merged with the rest, deletes applied, in a
    // version of its own after the upsert's.
    EXPECT_EQ(current.operation, catalog::Operation::kCompact);
    ASSERT_EQ(current.files.size(), 1u);
    EXPECT_TRUE(current.files[0].deletes.empty());
    EXPECT_EQ(lake_.catalog().GetVersion("people", current.version - 1)->operation,
              catalog::Operation::kUpsert);
  }
  EXPECT_EQ(Rows("people"),
            (std::vector<std::string>{"1:ann:17", "2:bob:20", "3:cy:30", "4:di:40"}));
}

// A JSON append with schema=evolve: a new column, a missing one, a widening.
TEST_F(RowChangesTest, SchemaEvolutionAddsColumnsAndWidensSafely) {
  ASSERT_TRUE(lake_
                  .Ingest("evolving", R"([{"id": 1, "n": 5, "x": 1.5}])", Format::kJson,
                          catalog::WriteMode::kAppend, "v1.json")
                  .ok());
  auto before = lake_.catalog().GetCurrent("evolving").value();
  ASSERT_EQ(before.schema[1].type, "BIGINT");
  // Without evolve, a different set of columns stays 422 naming them.
  auto strict = lake_.Ingest("evolving", R"([{"id": 2, "city": "Austin"}])", Format::kJson,
                             catalog::WriteMode::kAppend, "v2.json");
  EXPECT_EQ(strict.status().code(), StatusCode::kUnprocessable);

  auto evolved = lake_.Ingest("evolving", R"([{"id": 2, "city": "Austin", "n": 7}])", Format::kJson,
                              catalog::WriteMode::kAppend, "v2.json", true);
  ASSERT_TRUE(evolved.ok()) << evolved.status().ToString();
  const auto& m = evolved->manifest;
  EXPECT_EQ(m.operation, catalog::Operation::kAppend);
  EXPECT_TRUE(m.mixed_schema);
  ASSERT_EQ(m.schema.size(), 4u);
  EXPECT_EQ(m.schema[3].name, "city");
  auto rows = lake_.QueryJson("SELECT id, n, x, city FROM evolving ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(json::parse(*rows), json::parse(R"([[1,5,1.5,null],[2,7,null,"Austin"]])"));
  // Version 1 answers with the columns it had then.
  auto old = lake_.QueryJson("SELECT * FROM \"evolving@1\"");
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(json::parse(*old), json::parse(R"([[1,5,1.5]])"));

  // Text into a number column is no widening, even with evolve.
  auto text = lake_.Ingest("evolving", R"([{"id": "three"}])", Format::kJson,
                           catalog::WriteMode::kAppend, "v3.json", true);
  EXPECT_EQ(text.status().code(), StatusCode::kUnprocessable);
  EXPECT_NE(text.status().message().find("\"id\""), std::string::npos) << text.status().message();
  EXPECT_EQ(lake_.catalog().GetCurrent("evolving")->version, 2u);
}

TEST_F(RowChangesTest, AnUpsertCanEvolveTheSchema) {
  auto result =
      lake_.Upsert("people", "id,name,rate,city\n2,bo,2,Austin\n9,ivy,9,Boise\n", {"id"}, true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_updated, 1u);
  EXPECT_TRUE(result->manifest.mixed_schema);
  auto rows = lake_.QueryJson("SELECT id, city FROM people WHERE id IN (1, 2, 9) ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(json::parse(*rows), json::parse(R"([[1,null],[2,"Austin"],[9,"Boise"]])"));
  // Later changes read the mixed files by name.
  ASSERT_TRUE(lake_.DeleteRows("people", "city IS NULL AND id = 1").ok());
  ASSERT_TRUE(lake_.Upsert("people", "id,name,rate,city\n9,ivy,10,Boise\n", {"id"}).ok());
  EXPECT_EQ(Rows("people"), (std::vector<std::string>{"2:bo:2", "3:cy:30", "4:di:40", "9:ivy:10"}));
}

TEST_F(RowChangesTest, RacingUpsertsAndDeletesAllLand) {
  constexpr int kWriters = 6;
  std::vector<std::thread> writers;
  std::vector<Status> outcomes(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      if (w % 3 == 2) {
        auto deleted = lake_.DeleteRows("people", "id = " + std::to_string(w / 3 + 1));
        outcomes[w] = deleted.ok() ? Status::Ok() : deleted.status();
      } else {
        auto upserted = lake_.Upsert("people",
                                     "id,name,rate\n" + std::to_string(100 + w) + ",w,1\n4,four" +
                                         std::to_string(w) + ",4\n",
                                     {"id"});
        outcomes[w] = upserted.ok() ? Status::Ok() : upserted.status();
      }
    });
  }
  for (auto& writer : writers) writer.join();
  for (const auto& outcome : outcomes) EXPECT_TRUE(outcome.ok()) << outcome.ToString();
  EXPECT_EQ(lake_.catalog().GetCurrent("people")->version, 1u + kWriters);
  auto rows = Rows("people");
  std::set<std::string> ids;
  for (const auto& row : rows) ids.insert(row.substr(0, row.find(':')));
  EXPECT_EQ(ids.size(), rows.size()) << "a key is held twice";
  // ids 1 and 2 deleted, 3 untouched, 4 replaced, 100+w for every upserter.
  EXPECT_EQ(ids, (std::set<std::string>{"3", "4", "100", "101", "103", "104"}));
}

}  // namespace
}  // namespace lakehouse::ingest
