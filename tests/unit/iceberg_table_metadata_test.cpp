// The Iceberg table a dataset's versions make: ids, schemas, file origins, metadata JSON.
#include <gtest/gtest.h>

#include "iceberg/locations.h"
#include "iceberg/schema_mapping.h"
#include "iceberg/table_metadata.h"

namespace lakehouse::iceberg {
namespace {

using catalog::Column;
using catalog::DataFile;
using catalog::DeleteFile;
using catalog::Manifest;
using catalog::Operation;

Manifest Version(uint64_t v, Operation op, std::vector<Column> schema,
                 std::vector<DataFile> files) {
  Manifest m;
  m.dataset = "people";
  m.version = v;
  if (v > 1) m.parent = v - 1;
  m.operation = op;
  m.schema = std::move(schema);
  m.files = std::move(files);
  m.created_unix_ms = 1000 * static_cast<int64_t>(v);
  return m;
}

const std::vector<Column> kTwo = {{"id", "BIGINT"}, {"name", "VARCHAR"}};
const std::vector<Column> kThree = {{"id", "BIGINT"}, {"name", "VARCHAR"}, {"rate", "DOUBLE"}};

DataFile File(std::string key, uint64_t rows, std::vector<DeleteFile> deletes = {}) {
  return {std::move(key), rows, 100, std::move(deletes)};
}

// create, append, upsert (a new file and a vector on the first), evolve,
// overwrite, deletion, create again.
std::vector<Manifest> History() {
  std::vector<Manifest> v;
  v.push_back(Version(1, Operation::kCreate, kTwo, {File("a", 4)}));
  v.push_back(Version(2, Operation::kAppend, kTwo, {File("a", 4), File("b", 2)}));
  v.push_back(Version(3, Operation::kUpsert, kTwo,
                      {File("a", 4, {{"a.dv1", 1, 10}}), File("b", 2), File("c", 1)}));
  v.push_back(
      Version(4, Operation::kAppend, kThree,
              {File("a", 4, {{"a.dv1", 1, 10}}), File("b", 2), File("c", 1), File("d", 3)}));
  v.push_back(Version(5, Operation::kOverwrite, kTwo, {File("e", 7)}));
  v.push_back(Version(6, Operation::kDelete, {}, {}));
  v.push_back(Version(7, Operation::kCreate, kTwo, {File("e", 7)}));
  return v;
}

TEST(IcebergTableMetadataTest, EachFileKeepsTheSnapshotThatAddedIt) {
  auto versions = History();
  auto layout = LayOut(versions);
  ASSERT_TRUE(layout.ok()) << layout.status().ToString();
  ASSERT_EQ(layout->snapshots.size(), 7u);
  const auto& s4 = layout->snapshots[3];
  EXPECT_EQ(s4.data.at("a").snapshot_id, 1);
  EXPECT_EQ(s4.data.at("b").snapshot_id, 2);
  EXPECT_EQ(s4.data.at("c").sequence_number, 3);
  EXPECT_EQ(s4.data.at("d").snapshot_id, 4);
  EXPECT_EQ(s4.deletes.at("a.dv1").snapshot_id, 3);
  EXPECT_TRUE(s4.extends_parent_data);
  EXPECT_TRUE(s4.extends_parent_deletes);
  // An overwrite reads none of its parent's files.
  EXPECT_FALSE(layout->snapshots[4].extends_parent_data);
  EXPECT_EQ(layout->snapshots[4].data.at("e").snapshot_id, 5);
  // After a deletion the same file is new again: the tombstone read nothing.
  EXPECT_TRUE(layout->snapshots[5].data.empty());
  EXPECT_EQ(layout->snapshots[6].data.at("e").snapshot_id, 7);
  EXPECT_EQ(layout->snapshots[6].parent, 6);
}

TEST(IcebergTableMetadataTest, AColumnKeepsItsFieldIdAndSchemasAreShared) {
  auto versions = History();
  auto layout = LayOut(versions);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->field_ids.at("id"), 1);
  EXPECT_EQ(layout->field_ids.at("name"), 2);
  EXPECT_EQ(layout->field_ids.at("rate"), 3);
  ASSERT_EQ(layout->schemas.size(), 2u);
  EXPECT_EQ(layout->snapshots[0].schema_id, 0);
  EXPECT_EQ(layout->snapshots[3].schema_id, 1);
  EXPECT_EQ(layout->snapshots[4].schema_id, 0) << "the two-column schema again";
  EXPECT_EQ(layout->snapshots[5].schema_id, 0) << "a tombstone keeps the last schema";
  EXPECT_EQ(layout->schemas[1].fields[2], (Field{3, "rate", "double", false}));
  EXPECT_EQ(NameMappingJson(*layout),
            R"([{"field-id":1,"names":["id"]},{"field-id":2,"names":["name"]},)"
            R"({"field-id":3,"names":["rate"]}])");
}

TEST(IcebergTableMetadataTest, KnownIdsAreKeptAndNewColumnsFollowTheHighest) {
  std::vector<Manifest> versions = {Version(1, Operation::kCreate, kThree, {File("a", 1)})};
  auto layout = LayOut(versions, {{"gone", 7}, {"name", 4}});
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->field_ids.at("name"), 4);
  EXPECT_EQ(layout->field_ids.at("gone"), 7) << "never taken back";
  EXPECT_EQ(layout->field_ids.at("id"), 8);
  EXPECT_EQ(layout->field_ids.at("rate"), 9);
}

TEST(IcebergTableMetadataTest, AColumnIcebergCannotHoldIsRefusedByName) {
  std::vector<Manifest> versions = {
      Version(1, Operation::kCreate, {{"id", "BIGINT"}, {"tags", "VARCHAR[]"}}, {File("a", 1)})};
  auto layout = LayOut(versions);
  ASSERT_EQ(layout.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(layout.status().message().find("\"tags\""), std::string::npos);
  EXPECT_NE(layout.status().message().find("VARCHAR[]"), std::string::npos);
}

TEST(IcebergTableMetadataTest, TypesMapToWhatReadsDuckDbsParquet) {
  EXPECT_EQ(*IcebergTypeOf("INTEGER"), "int");
  EXPECT_EQ(*IcebergTypeOf("UINTEGER"), "long");
  EXPECT_EQ(*IcebergTypeOf("TIMESTAMP WITH TIME ZONE"), "timestamptz");
  EXPECT_EQ(*IcebergTypeOf("DECIMAL(18,3)"), "decimal(18, 3)");
  EXPECT_FALSE(IcebergTypeOf("UBIGINT").ok());
  EXPECT_FALSE(IcebergTypeOf("INTERVAL").ok());
  EXPECT_FALSE(IcebergTypeOf("STRUCT(a INTEGER)").ok());
}

TEST(IcebergTableMetadataTest, MetadataAsOfAVersionHoldsOnlyWhatCameBefore) {
  auto versions = History();
  auto layout = LayOut(versions);
  ASSERT_TRUE(layout.ok());
  MetadataInputs in{"people", "s3://b/_iceberg/people", &*layout, {}, {}, {}};
  for (const auto& s : layout->snapshots) {
    const auto v = static_cast<int64_t>(s.version->version);
    in.snapshots.push_back({v, "s3://b/list-" + std::to_string(v), {{"k", "v"}}});
    in.metadata_files.push_back("s3://b/v" + std::to_string(v) + ".metadata.json");
  }
  in.tags = {{"baseline", 2, 0}, {"later", 5, 0}, {"main", 1, 0}};
  auto j = TableMetadataJson(in, 3);
  EXPECT_EQ(j["format-version"], 2);
  EXPECT_EQ(j["current-snapshot-id"], 4);
  EXPECT_EQ(j["last-sequence-number"], 4);
  EXPECT_EQ(j["current-schema-id"], 1);
  EXPECT_EQ(j["snapshots"].size(), 4u);
  EXPECT_EQ(j["snapshots"][2]["parent-snapshot-id"], 2);
  EXPECT_EQ(j["snapshots"][2]["summary"]["operation"], "overwrite");
  EXPECT_EQ(j["snapshots"][3]["summary"]["operation"], "append");
  EXPECT_FALSE(j["snapshots"][0].contains("parent-snapshot-id"));
  EXPECT_EQ(j["refs"]["main"]["snapshot-id"], 4);
  EXPECT_EQ(j["refs"]["baseline"], (nlohmann::json{{"snapshot-id", 2}, {"type", "tag"}}));
  EXPECT_FALSE(j["refs"].contains("later")) << "names a version after this one";
  EXPECT_EQ(j["refs"]["main"]["type"], "branch") << "a tag named main never shadows the branch";
  EXPECT_EQ(j["metadata-log"].size(), 3u);
  EXPECT_EQ(j["schemas"].size(), 2u);
  EXPECT_EQ(j["table-uuid"], TableUuid("people"));
  EXPECT_NE(TableUuid("people"), TableUuid("peoples"));
  EXPECT_EQ(TableUuid("people").size(), 36u);
  EXPECT_EQ(TableUuid("people")[14], '5');
  EXPECT_EQ(j["properties"]["schema.name-mapping.default"], NameMappingJson(*layout));
  auto first = TableMetadataJson(in, 0);
  EXPECT_EQ(first["schemas"].size(), 1u);
  EXPECT_EQ(first["metadata-log"].size(), 0u);
}

TEST(IcebergTableMetadataTest, OperationsMapToIcebergs) {
  EXPECT_EQ(SnapshotOperation(Operation::kAppend), "append");
  EXPECT_EQ(SnapshotOperation(Operation::kCreate), "append");
  EXPECT_EQ(SnapshotOperation(Operation::kDeleteRows), "delete");
  EXPECT_EQ(SnapshotOperation(Operation::kCompact), "replace");
  EXPECT_EQ(SnapshotOperation(Operation::kRestore), "overwrite");
  EXPECT_EQ(SnapshotOperation(Operation::kErase), "overwrite");
}

TEST(IcebergTableMetadataTest, FileUrisEncodeTheLocalBackendsEscapes) {
  EXPECT_EQ(FileUri("/srv/lake/objects/data%2F/people%2F/x.parquet"),
            "file:///srv/lake/objects/data%252F/people%252F/x.parquet");
  EXPECT_EQ(FileUri("/a b/c"), "file:///a%20b/c");
}

}  // namespace
}  // namespace lakehouse::iceberg
