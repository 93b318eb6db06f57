// Datasets published as Iceberg tables: what each version's snapshot reads,
// crash safety at every write, vacuum, erasure, repair and the REST answers.
#include <avro.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "catalog/store_catalog.h"
#include "iceberg/locations.h"
#include "iceberg/publishing_catalog.h"
#include "iceberg/table_publisher.h"
#include "ingest/ingestor.h"
#include "storage/local_object_store.h"
#include "testing/embedded_lakehouse.h"
#include "testing/fault_injecting_store.h"
#include "testing/temp_dir.h"

namespace lakehouse::iceberg {
namespace {

constexpr std::string_view kRoot = "lake://root/";

std::string KeyOf(const std::string& location) {
  return location.starts_with(kRoot) ? location.substr(kRoot.size()) : "?" + location;
}

// Every record of an Avro file, as (field name -> string) of `fields`, read
// with Avro C: `data_file.file_path` reaches into a nested record.
std::vector<std::map<std::string, std::string>> ReadAvro(const std::string& bytes,
                                                         const std::string& scratch,
                                                         const std::vector<std::string>& fields) {
  const std::string path = scratch + "/read.avro";
  std::ofstream(path, std::ios::binary) << bytes;
  avro_file_reader_t reader;
  std::vector<std::map<std::string, std::string>> rows;
  if (avro_file_reader(path.c_str(), &reader) != 0) {
    ADD_FAILURE() << avro_strerror();
    return rows;
  }
  avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_value_t record;
  avro_generic_value_new(iface, &record);
  while (avro_file_reader_read_value(reader, &record) == 0) {
    std::map<std::string, std::string> row;
    for (const std::string& name : fields) {
      avro_value_t v = record, child;
      std::string rest = name;
      for (size_t dot; (dot = rest.find('.')) != std::string::npos; rest = rest.substr(dot + 1)) {
        avro_value_get_by_name(&v, rest.substr(0, dot).c_str(), &child, nullptr);
        v = child;
      }
      avro_value_get_by_name(&v, rest.c_str(), &child, nullptr);
      const char* s = nullptr;
      size_t size = 0;
      int32_t i = 0;
      if (avro_value_get_string(&child, &s, &size) == 0) {
        row[name] = std::string(s, size - 1);
      } else if (avro_value_get_int(&child, &i) == 0) {
        row[name] = std::to_string(i);
      }
    }
    rows.push_back(std::move(row));
  }
  avro_value_decref(&record);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
  avro_file_reader_close(reader);
  return rows;
}

// What one metadata file's current snapshot reads, and every object its
// snapshots name that is missing.
struct SnapshotRead {
  std::set<std::string> data;     // data file keys
  std::set<std::string> deletes;  // position delete file keys
};

struct TableCheck {
  std::map<uint64_t, SnapshotRead> snapshots;  // every snapshot of every metadata file
  std::vector<std::string> missing;            // "<metadata key> names <missing key>"
  std::map<std::string, nlohmann::json> metadata;
};

TableCheck CheckTable(storage::ObjectStore& store, const std::string& dataset,
                      const std::string& scratch) {
  TableCheck out;
  storage::ListOptions list;
  list.prefix = TablePrefix(dataset) + "metadata/";
  auto page = store.List(list);
  EXPECT_TRUE(page.ok());
  if (!page.ok()) return out;
  for (const auto& o : page->objects) {
    if (!o.key.ends_with(".metadata.json")) continue;
    auto j = nlohmann::json::parse(*store.GetBytes(o.key));
    out.metadata[o.key] = j;
    for (const auto& snap : j["snapshots"]) {
      SnapshotRead read;
      auto list_bytes = store.GetBytes(KeyOf(snap["manifest-list"]));
      if (!list_bytes.ok()) {
        out.missing.push_back(o.key + " names " + KeyOf(snap["manifest-list"]));
        continue;
      }
      for (auto& m : ReadAvro(*list_bytes, scratch, {"manifest_path"})) {
        auto manifest = store.GetBytes(KeyOf(m["manifest_path"]));
        if (!manifest.ok()) {
          out.missing.push_back(o.key + " names " + KeyOf(m["manifest_path"]));
          continue;
        }
        for (auto& e : ReadAvro(*manifest, scratch, {"data_file.file_path", "data_file.content"})) {
          const std::string key = KeyOf(e["data_file.file_path"]);
          if (!store.Head(key).ok()) out.missing.push_back(o.key + " names " + key);
          (e["data_file.content"] == "0" ? read.data : read.deletes).insert(key);
        }
      }
      out.snapshots[snap["snapshot-id"].get<uint64_t>()] = std::move(read);
    }
  }
  return out;
}

// serve's parts over a store that can be made to crash, with the catalog
// publishing each dataset's table.
struct IcebergLake {
  IcebergLake() {
    local = storage::LocalObjectStore::Open({dir.path() + "/objects", 1ull << 30}).value();
    faulty = std::make_unique<testing::FaultInjectingStore>(*local);
    Reopen();
  }
  void Reopen() {
    ingestor.reset();
    catalog.reset();
    inner = std::make_unique<catalog::StoreCatalog>(*faulty);
    PublisherOptions options{LocationsFor(*faulty, "lake://root", "").value(),
                             dir.path() + "/scratch/iceberg"};
    publisher = std::make_unique<TablePublisher>(*inner, *faulty, options);
    catalog = std::make_unique<PublishingCatalog>(*inner, *publisher);
    ingest::IngestOptions ingest_options;
    ingest_options.scratch_dir = dir.path() + "/scratch/ingest";
    ingestor = ingest::Ingestor::Open(ingest_options, *faulty, *catalog).value();
  }
  Status Ingest(const std::string& csv, catalog::WriteMode mode = catalog::WriteMode::kAppend,
                std::vector<std::string> key = {}, bool evolve = false) {
    ingest::IngestRequest request;
    request.dataset = "people";
    request.mode = mode;
    request.key = std::move(key);
    request.evolve_schema = evolve;
    request.file_name = "people.csv";
    return ingestor->Ingest(request, [&](const storage::ChunkWriter& w) { return w(csv); })
        .status();
  }
  // What each version of the catalog reads, by the same keys.
  std::map<uint64_t, SnapshotRead> Expected() {
    std::map<uint64_t, SnapshotRead> out;
    auto versions = inner->ListVersions("people");
    if (!versions.ok()) return out;
    for (const auto& m : *versions) {
      SnapshotRead& r = out[m.version];
      for (const auto& f : m.files) r.data.insert(f.key);
      for (const auto& f : m.files) {
        for (const auto& d : f.deletes) r.deletes.insert(d.key);
      }
    }
    return out;
  }
  TableCheck Check() { return CheckTable(*local, "people", dir.path()); }

  testing::TempDir dir;
  std::unique_ptr<storage::LocalObjectStore> local;
  std::unique_ptr<testing::FaultInjectingStore> faulty;
  std::unique_ptr<catalog::StoreCatalog> inner;
  std::unique_ptr<TablePublisher> publisher;
  std::unique_ptr<PublishingCatalog> catalog;
  std::unique_ptr<ingest::Ingestor> ingestor;
};

void ExpectSnapshotsMatchVersions(IcebergLake& lake, const TableCheck& check) {
  auto expected = lake.Expected();
  for (const auto& [version, read] : expected) {
    ASSERT_TRUE(check.snapshots.contains(version)) << "snapshot " << version;
    EXPECT_EQ(check.snapshots.at(version).data, read.data) << "snapshot " << version;
    EXPECT_EQ(check.snapshots.at(version).deletes.size(), read.deletes.size())
        << "snapshot " << version;
  }
  for (const auto& [version, read] : check.snapshots) {
    EXPECT_TRUE(expected.contains(version)) << "snapshot " << version << " of a removed version";
  }
}

void MakeHistory(IcebergLake& lake) {
  ASSERT_TRUE(lake.Ingest("id,name\n1,ann\n2,bo\n3,cy\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n4,di\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n2,bob\n5,eve\n", catalog::WriteMode::kAppend, {"id"}).ok());
  ASSERT_TRUE(lake.ingestor->DeleteRows({"people", "id = 4"}).ok());
  ASSERT_TRUE(lake.Ingest("id,name,rate\n6,fay,1.5\n", catalog::WriteMode::kAppend, {}, true).ok());
}

TEST(IcebergPublishTest, EachVersionIsASnapshotReadingItsFiles) {
  IcebergLake lake;
  MakeHistory(lake);
  ASSERT_TRUE(lake.catalog->PutTag("people", "baseline", 2).ok());
  auto check = lake.Check();
  EXPECT_EQ(check.missing, std::vector<std::string>{});
  ExpectSnapshotsMatchVersions(lake, check);
  ASSERT_EQ(check.metadata.size(), 5u) << "one metadata file per version";
  const auto& head = check.metadata.at(TablePrefix("people") + "metadata/v5.metadata.json");
  EXPECT_EQ(head["current-snapshot-id"], 5);
  EXPECT_EQ(head["refs"]["baseline"]["snapshot-id"], 2);
  EXPECT_EQ(head["schemas"].size(), 2u) << "the evolved schema is a second one";
  EXPECT_EQ(head["snapshots"][2]["summary"]["operation"], "overwrite") << "the upsert";
  EXPECT_EQ(head["snapshots"][3]["summary"]["operation"], "delete") << "the row delete";
  EXPECT_EQ(*lake.local->GetBytes(TablePrefix("people") + "metadata/version-hint.text"), "5");
  EXPECT_FALSE(check.snapshots.at(4).deletes.empty()) << "deletes are position delete files";
}

TEST(IcebergPublishTest, AppendsReuseTheirParentsManifests) {
  IcebergLake lake;
  ASSERT_TRUE(lake.Ingest("id,name\n1,ann\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n2,bo\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n3,cy\n").ok());
  storage::ListOptions list;
  list.prefix = TablePrefix("people") + "metadata/";
  int manifests = 0;
  auto page = lake.local->List(list);
  ASSERT_TRUE(page.ok());
  for (const auto& o : page->objects) manifests += o.key.ends_with("-m0.avro");
  EXPECT_EQ(manifests, 3) << "one new manifest per append, the earlier ones listed again";
  ExpectSnapshotsMatchVersions(lake, lake.Check());
}

TEST(IcebergPublishTest, ConcurrentChangesAreAllPublished) {
  IcebergLake lake;
  ASSERT_TRUE(lake.Ingest("id,name\n0,zero\n").ok());
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&lake, t] {
      for (int i = 0; i < 3; ++i) {
        const int id = 100 * (t + 1) + i;
        EXPECT_TRUE(lake.Ingest("id,name\n" + std::to_string(id) + ",w\n").ok());
        EXPECT_TRUE(lake.publisher->LoadTable("people").ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  auto check = lake.Check();
  EXPECT_EQ(check.missing, std::vector<std::string>{});
  EXPECT_EQ(check.metadata.size(), 13u);
  ExpectSnapshotsMatchVersions(lake, check);
  auto head = lake.publisher->LoadTable("people");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->metadata["current-snapshot-id"], 13);
}

TEST(IcebergPublishTest, ACrashAtAnyWriteNeverLeavesMetadataNamingAMissingObject) {
  int crashed_runs = 0;
  for (int writes = 0;; ++writes) {
    IcebergLake lake;
    ASSERT_TRUE(lake.Ingest("id,name\n1,ann\n2,bo\n3,cy\n").ok());
    ASSERT_TRUE(lake.Ingest("id,name\n4,di\n").ok());
    lake.faulty->CrashAfterWrites(writes);
    bool ok = lake.Ingest("id,name\n2,bob\n", catalog::WriteMode::kAppend, {"id"}).ok() &&
              lake.ingestor->DeleteRows({"people", "id = 1"}).ok() &&
              lake.catalog->PutTag("people", "t", 1).ok() && lake.catalog->Vacuum("people", 1).ok();
    const bool crashed = lake.faulty->crashed();
    lake.faulty->Heal();
    auto before = lake.Check();
    EXPECT_EQ(before.missing, std::vector<std::string>{}) << "crash after " << writes << " writes";
    if (!crashed) {
      ASSERT_TRUE(ok);
      ExpectSnapshotsMatchVersions(lake, before);
      break;
    }
    ++crashed_runs;
    lake.Reopen();
    // Repaired by the start of a process, or else by the next commit.
    if (writes % 2 == 0) {
      ASSERT_TRUE(lake.publisher->PublishAll().ok()) << "repair after " << writes << " writes";
    } else {
      ASSERT_TRUE(lake.Ingest("id,name\n9,next\n").ok()) << "after " << writes << " writes";
    }
    auto after = lake.Check();
    EXPECT_EQ(after.missing, std::vector<std::string>{}) << "after " << writes << " writes";
    ExpectSnapshotsMatchVersions(lake, after);
  }
  EXPECT_GT(crashed_runs, 10);
}

TEST(IcebergPublishTest, VacuumExpiresTheSnapshotsOfTheVersionsItRemoves) {
  IcebergLake lake;
  MakeHistory(lake);
  ASSERT_TRUE(lake.catalog->PutTag("people", "first", 1).ok());
  auto report = lake.catalog->Vacuum("people", 1);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto check = lake.Check();
  EXPECT_EQ(check.missing, std::vector<std::string>{});
  std::set<uint64_t> snapshots;
  for (const auto& [v, r] : check.snapshots) snapshots.insert(v);
  EXPECT_EQ(snapshots, (std::set<uint64_t>{1, 5})) << "the newest and the tagged one";
  EXPECT_EQ(check.metadata.size(), 2u);
  ExpectSnapshotsMatchVersions(lake, check);
}

TEST(IcebergPublishTest, AVacuumNeverMovesAFieldId) {
  IcebergLake lake;
  ASSERT_TRUE(lake.Ingest("a,b\n1,2.5\n").ok());
  ASSERT_TRUE(lake.Ingest("b,c\n2.5,x\n", catalog::WriteMode::kOverwrite).ok());
  ASSERT_TRUE(lake.catalog->Vacuum("people", 1).ok());
  lake.Reopen();  // a fresh process: the ids come from the store
  ASSERT_TRUE(lake.Ingest("b,c\n3.5,y\n").ok());
  auto table = lake.publisher->LoadTable("people");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  const auto& fields = table->metadata["schemas"].back()["fields"];
  EXPECT_EQ(fields[0]["id"], 2) << fields.dump();
  EXPECT_EQ(fields[1]["id"], 3) << fields.dump();
  EXPECT_EQ(table->metadata["last-column-id"], 3);
  EXPECT_EQ(lake.Check().missing, std::vector<std::string>{});
}

TEST(IcebergPublishTest, AVacuumWhoseTableCannotBeWrittenWithdrawsItFirst) {
  IcebergLake lake;
  MakeHistory(lake);
  lake.faulty->FailPuts(true);
  auto report = lake.catalog->Vacuum("people", 1);
  lake.faulty->FailPuts(false);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(lake.inner->ListVersions("people")->size(), 1u);
  auto check = lake.Check();
  EXPECT_TRUE(check.metadata.empty()) << "withdrawn: nothing may name the removed files";
  EXPECT_EQ(check.missing, std::vector<std::string>{});
  ASSERT_TRUE(lake.publisher->LoadTable("people").ok()) << "published again on a load";
  EXPECT_EQ(lake.Check().metadata.size(), 1u);
}

TEST(IcebergPublishTest, AVacuumWhoseTableCannotBeWithdrawnRemovesNothing) {
  IcebergLake lake;
  MakeHistory(lake);
  lake.faulty->FailPuts(true);
  lake.faulty->FailDeletes(true);
  auto report = lake.catalog->Vacuum("people", 1);
  lake.faulty->Heal();
  EXPECT_EQ(report.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(lake.inner->ListVersions("people")->size(), 5u);
  EXPECT_EQ(lake.Check().missing, std::vector<std::string>{});
}

TEST(IcebergPublishTest, ErasureLeavesNoTableObjectHoldingTheErasedValue) {
  constexpr std::string_view kSecret = "zz-secret-42";
  IcebergLake lake;
  ASSERT_TRUE(lake.Ingest("id,name\n1,ann\n2," + std::string(kSecret) + "\n").ok());
  ASSERT_TRUE(lake.Ingest("id,name\n3,cy\n").ok());
  auto holding = [&] {
    std::vector<std::string> found;
    for (const auto& e :
         std::filesystem::recursive_directory_iterator(lake.dir.path() + "/objects")) {
      if (e.is_regular_file() &&
          testing::ReadFile(e.path().string()).find(kSecret) != std::string::npos) {
        found.push_back(e.path().string());
      }
    }
    return found;
  };
  bool in_manifest = false;
  for (const auto& path : holding()) in_manifest |= path.ends_with("-m0.avro");
  ASSERT_TRUE(in_manifest) << "a manifest's upper bound holds the value before the erasure";
  auto erased = lake.ingestor->Erase({"people", "id = 2"});
  ASSERT_TRUE(erased.ok()) << erased.status().ToString();
  EXPECT_EQ(holding(), std::vector<std::string>{});
  auto check = lake.Check();
  EXPECT_EQ(check.missing, std::vector<std::string>{});
  ExpectSnapshotsMatchVersions(lake, check);
}

TEST(IcebergPublishTest, LoadTableAnswersTheHeadAndRewritesWhatIsMissing) {
  IcebergLake lake;
  MakeHistory(lake);
  const std::string head_key = TablePrefix("people") + "metadata/v5.metadata.json";
  ASSERT_TRUE(lake.local->Delete(head_key).ok());
  lake.Reopen();  // a fresh process: nothing cached
  auto table = lake.publisher->LoadTable("people");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->metadata_location, "lake://root/" + head_key);
  EXPECT_EQ(table->metadata["current-snapshot-id"], 5);
  EXPECT_EQ(nlohmann::json::parse(*lake.local->GetBytes(head_key)), table->metadata);
  EXPECT_EQ(*lake.publisher->ListTables(), std::vector<std::string>{"people"});
  EXPECT_EQ(lake.publisher->LoadTable("nobody").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(lake.publisher->LoadTable("Bad Name").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(lake.catalog->DeleteDataset("people").ok());
  EXPECT_EQ(lake.publisher->LoadTable("people").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(lake.publisher->ListTables()->empty());
  EXPECT_EQ(lake.Check().missing, std::vector<std::string>{});
}

TEST(IcebergPublishTest, ACommitStandsWhenItsTableCannotBeWritten) {
  IcebergLake lake;
  ingest::IngestRequest request;
  request.dataset = "people";
  request.format = ingest::Format::kJson;
  request.file_name = "people.json";
  const std::string json = R"([{"id": 1, "tags": ["a", "b"]}])";
  auto done =
      lake.ingestor->Ingest(request, [&](const storage::ChunkWriter& w) { return w(json); });
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  auto table = lake.publisher->LoadTable("people");
  ASSERT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("\"tags\""), std::string::npos);
  EXPECT_EQ(lake.inner->GetCurrent("people")->version, 1u);
}

}  // namespace
}  // namespace lakehouse::iceberg
