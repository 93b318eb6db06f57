// Iceberg manifests and manifest lists: what the encoder writes, read back by
// Avro C's own file reader and by the spec checker in tests/iceberg.
#include "iceberg/avro_manifest.h"

#include <avro.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace lakehouse::iceberg {
namespace {

using testing::TempDir;

// ---- Samples ------------------------------------------------------------

std::string Le32(int32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((static_cast<uint32_t>(v) >> (8 * i)));
  return out;
}

const char* kTableSchema =
    R"({"type":"struct","schema-id":3,"fields":[{"id":1,"name":"n","required":false,"type":"int"}]})";

ManifestHeader DataHeader() { return {kTableSchema, 3, FileContent::kData}; }

std::vector<ManifestEntry> SampleEntries() {
  ManifestEntry added{EntryStatus::kAdded, 9'007'199'254'740'993, 1, 1, {}};
  added.file = {FileContent::kData, "s3://bucket/data/a.parquet", 3, 1234, {}};
  added.file.stats = {
      {1, 100, 3, 0, std::nullopt, Le32(-5), Le32(7)},
      // Bounds are bytes, NULs and high bytes included.
      {2, 200, 3, 1, 0, std::string("\0\xff\x80", 3), std::string("\xff\xff", 2)},
      {5, std::nullopt, 3, std::nullopt, std::nullopt, std::string("a\0b", 3), "zz"},
  };
  ManifestEntry existing{EntryStatus::kExisting, INT64_MIN, INT64_MAX, -1, {}};
  existing.file = {FileContent::kData, "s3://bucket/data/b.parquet", INT64_MAX, 0, {}};
  ManifestEntry deleted{EntryStatus::kDeleted, -2, 0, 0, {}};
  deleted.file = {FileContent::kData, "s3://bucket/data/c.parquet", 1, 1, {}};
  deleted.file.stats = {{7, std::nullopt, std::nullopt, std::nullopt, 4, std::nullopt, ""}};
  return {added, existing, deleted};
}

std::vector<ManifestEntry> SampleDeleteEntries() {
  ManifestEntry entry{EntryStatus::kAdded, 4, 4, 4, {}};
  entry.file = {FileContent::kPositionDeletes, "s3://bucket/data/a-deletes.parquet", 2, 512, {}};
  entry.file.stats = {{kDeletePosFieldId, 64, 2, 0, std::nullopt, std::string(8, '\0'),
                       std::string("\x09\0\0\0\0\0\0\0", 8)},
                      {kDeleteFilePathFieldId, 80, 2, 0, std::nullopt, "s3://bucket/data/a.parquet",
                       "s3://bucket/data/a.parquet"}};
  return {entry};
}

std::vector<ManifestListEntry> SampleManifests() {
  ManifestListEntry data{
      "s3://bucket/metadata/m0.avro", 4096, 0, FileContent::kData, 7, 1, 7, 2, 1, 0, 10, 5, 0};
  ManifestListEntry deletes{"s3://bucket/metadata/m1.avro",
                            INT64_MAX,
                            INT32_MAX,
                            FileContent::kPositionDeletes,
                            INT64_MAX,
                            INT64_MIN,
                            -7,
                            INT32_MIN,
                            INT32_MAX,
                            -1,
                            INT64_MIN,
                            INT64_MAX,
                            -123456789012};
  return {data, deletes};
}

// ---- Reading back with Avro C ----------------------------------------------

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// Calls `visit` with each record of `bytes`, read by Avro C's file reader
// with the file's own schema; the number of records, or -1 if unreadable.
int ReadRecords(const std::string& bytes, const std::function<void(avro_value_t&)>& visit) {
  TempDir dir;
  std::string path = dir.path() + "/file.avro";
  WriteFile(path, bytes);
  avro_file_reader_t reader = nullptr;
  if (avro_file_reader(path.c_str(), &reader) != 0) {
    ADD_FAILURE() << "Avro C cannot open the file: " << avro_strerror();
    return -1;
  }
  // The reader hands out a reference of its own to the writer's schema.
  avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
  avro_value_iface_t* iface = avro_generic_class_from_schema(schema);
  avro_schema_decref(schema);
  int count = 0;
  for (;;) {
    avro_value_t value;
    avro_generic_value_new(iface, &value);
    int rc = avro_file_reader_read_value(reader, &value);
    if (rc == 0) visit(value);
    avro_value_decref(&value);
    if (rc != 0) break;
    ++count;
  }
  avro_value_iface_decref(iface);
  avro_file_reader_close(reader);
  return count;
}

avro_value_t Field(avro_value_t record, const char* name) {
  avro_value_t field{};
  EXPECT_EQ(avro_value_get_by_name(&record, name, &field, nullptr), 0) << name;
  return field;
}

int32_t Int(avro_value_t value) {
  int32_t v = 0;
  EXPECT_EQ(avro_value_get_int(&value, &v), 0);
  return v;
}

int64_t Long(avro_value_t value) {
  int64_t v = 0;
  EXPECT_EQ(avro_value_get_long(&value, &v), 0);
  return v;
}

std::string String(avro_value_t value) {
  const char* text = nullptr;
  size_t size = 0;  // counts the terminating NUL
  EXPECT_EQ(avro_value_get_string(&value, &text, &size), 0);
  return size == 0 ? "" : std::string(text, size - 1);
}

std::string Bytes(avro_value_t value) {
  const void* data = nullptr;
  size_t size = 0;
  EXPECT_EQ(avro_value_get_bytes(&value, &data, &size), 0);
  return std::string(static_cast<const char*>(data), size);
}

bool IsNull(avro_value_t optional) {
  int discriminant = -1;
  EXPECT_EQ(avro_value_get_discriminant(&optional, &discriminant), 0);
  return discriminant == 0;
}

avro_value_t Present(avro_value_t optional) {
  EXPECT_FALSE(IsNull(optional));
  avro_value_t branch{};
  EXPECT_EQ(avro_value_get_current_branch(&optional, &branch), 0);
  return branch;
}

// A stats map back into per-column stats; an empty map would mean the
// encoder wrote [] where Iceberg writes null.
template <typename T>
void ReadStatsMap(avro_value_t file, const char* name, std::map<int32_t, ColumnStats>& stats,
                  std::optional<T> ColumnStats::*member) {
  avro_value_t optional = Field(file, name);
  if (IsNull(optional)) return;
  avro_value_t pairs = Present(optional);
  size_t size = 0;
  ASSERT_EQ(avro_value_get_size(&pairs, &size), 0);
  EXPECT_GT(size, 0u) << name << " is an empty map, not null";
  for (size_t i = 0; i < size; ++i) {
    avro_value_t pair{};
    ASSERT_EQ(avro_value_get_by_index(&pairs, i, &pair, nullptr), 0);
    int32_t id = Int(Field(pair, "key"));
    if constexpr (std::is_same_v<T, int64_t>) {
      stats[id].*member = Long(Field(pair, "value"));
    } else {
      stats[id].*member = Bytes(Field(pair, "value"));
    }
  }
}

ContentFile DecodeDataFile(avro_value_t file) {
  ContentFile f;
  f.content = static_cast<FileContent>(Int(Field(file, "content")));
  f.file_path = String(Field(file, "file_path"));
  EXPECT_EQ(String(Field(file, "file_format")), "PARQUET");
  f.record_count = Long(Field(file, "record_count"));
  f.file_size_in_bytes = Long(Field(file, "file_size_in_bytes"));
  std::map<int32_t, ColumnStats> stats;
  ReadStatsMap(file, "column_sizes", stats, &ColumnStats::column_size);
  ReadStatsMap(file, "value_counts", stats, &ColumnStats::value_count);
  ReadStatsMap(file, "null_value_counts", stats, &ColumnStats::null_value_count);
  ReadStatsMap(file, "nan_value_counts", stats, &ColumnStats::nan_value_count);
  ReadStatsMap(file, "lower_bounds", stats, &ColumnStats::lower_bound);
  ReadStatsMap(file, "upper_bounds", stats, &ColumnStats::upper_bound);
  for (auto& [id, s] : stats) {
    s.field_id = id;
    f.stats.push_back(s);
  }
  for (const char* absent :
       {"key_metadata", "split_offsets", "equality_ids", "sort_order_id", "referenced_data_file"}) {
    EXPECT_TRUE(IsNull(Field(file, absent))) << absent;
  }
  return f;
}

ManifestEntry DecodeEntry(avro_value_t record) {
  ManifestEntry e;
  e.status = static_cast<EntryStatus>(Int(Field(record, "status")));
  e.snapshot_id = Long(Present(Field(record, "snapshot_id")));
  e.sequence_number = Long(Present(Field(record, "sequence_number")));
  e.file_sequence_number = Long(Present(Field(record, "file_sequence_number")));
  e.file = DecodeDataFile(Field(record, "data_file"));
  return e;
}

ManifestListEntry DecodeManifestFile(avro_value_t record) {
  ManifestListEntry m;
  m.manifest_path = String(Field(record, "manifest_path"));
  m.manifest_length = Long(Field(record, "manifest_length"));
  m.partition_spec_id = Int(Field(record, "partition_spec_id"));
  m.content = static_cast<FileContent>(Int(Field(record, "content")));
  m.sequence_number = Long(Field(record, "sequence_number"));
  m.min_sequence_number = Long(Field(record, "min_sequence_number"));
  m.added_snapshot_id = Long(Field(record, "added_snapshot_id"));
  m.added_files_count = Int(Field(record, "added_files_count"));
  m.existing_files_count = Int(Field(record, "existing_files_count"));
  m.deleted_files_count = Int(Field(record, "deleted_files_count"));
  m.added_rows_count = Long(Field(record, "added_rows_count"));
  m.existing_rows_count = Long(Field(record, "existing_rows_count"));
  m.deleted_rows_count = Long(Field(record, "deleted_rows_count"));
  EXPECT_TRUE(IsNull(Field(record, "partitions")));
  EXPECT_TRUE(IsNull(Field(record, "key_metadata")));
  return m;
}

std::vector<ManifestEntry> DecodeManifest(const std::string& bytes) {
  std::vector<ManifestEntry> entries;
  ReadRecords(bytes, [&](avro_value_t& record) { entries.push_back(DecodeEntry(record)); });
  return entries;
}

std::vector<ManifestListEntry> DecodeManifestList(const std::string& bytes) {
  std::vector<ManifestListEntry> manifests;
  ReadRecords(bytes, [&](avro_value_t& r) { manifests.push_back(DecodeManifestFile(r)); });
  return manifests;
}

// ---- The container's header, parsed here by hand ------------------------------

struct Header {
  std::map<std::string, std::string> metadata;
  std::string sync;
};

int64_t ReadLong(const std::string& in, size_t& at) {
  uint64_t z = 0;
  for (int shift = 0; at < in.size(); shift += 7) {
    auto byte = static_cast<uint8_t>(in[at++]);
    z |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
}

std::string ReadBytes(const std::string& in, size_t& at) {
  auto size = static_cast<size_t>(ReadLong(in, at));
  std::string out = in.substr(at, size);
  at += size;
  return out;
}

Header ReadHeader(const std::string& file) {
  Header header;
  EXPECT_EQ(file.substr(0, 4), std::string("Obj\x01", 4));
  size_t at = 4;
  for (int64_t n = ReadLong(file, at); n != 0; n = ReadLong(file, at)) {
    for (int64_t i = 0; i < n; ++i) {
      std::string key = ReadBytes(file, at);
      header.metadata[key] = ReadBytes(file, at);
    }
  }
  header.sync = file.substr(at, 16);
  return header;
}

// ---- Avro C reads back what we wrote ---------------------------------------------

TEST(IcebergAvroTest, ManifestRoundTripsThroughAvroC) {
  auto bytes = EncodeManifest(DataHeader(), SampleEntries());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(DecodeManifest(*bytes), SampleEntries());
}

TEST(IcebergAvroTest, DeleteManifestRoundTripsThroughAvroC) {
  ManifestHeader header{kTableSchema, 3, FileContent::kPositionDeletes};
  auto bytes = EncodeManifest(header, SampleDeleteEntries());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(DecodeManifest(*bytes), SampleDeleteEntries());
  EXPECT_EQ(ReadHeader(*bytes).metadata["content"], "deletes");
}

TEST(IcebergAvroTest, ManifestListRoundTripsThroughAvroC) {
  auto bytes = EncodeManifestList({7, 6, 7}, SampleManifests());
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  EXPECT_EQ(DecodeManifestList(*bytes), SampleManifests());
}

TEST(IcebergAvroTest, StatsMapsHoldPresentValuesOnlyAndAreNullWhenNoneHas) {
  // One column with a lower bound only: every other map is null, not empty.
  ManifestEntry entry{EntryStatus::kAdded, 1, 1, 1, {}};
  entry.file = {FileContent::kData, "s3://b/d.parquet", 1, 1, {{3, {}, {}, {}, {}, "lo", {}}}};
  auto bytes = EncodeManifest(DataHeader(), {entry});
  ASSERT_TRUE(bytes.ok());
  int records = ReadRecords(*bytes, [](avro_value_t& record) {
    avro_value_t file = Field(record, "data_file");
    for (const char* name : {"column_sizes", "value_counts", "null_value_counts",
                             "nan_value_counts", "upper_bounds"}) {
      EXPECT_TRUE(IsNull(Field(file, name))) << name;
    }
    avro_value_t lower = Present(Field(file, "lower_bounds"));
    size_t size = 0;
    avro_value_get_size(&lower, &size);
    EXPECT_EQ(size, 1u);
  });
  EXPECT_EQ(records, 1);
  EXPECT_EQ(DecodeManifest(*bytes), std::vector<ManifestEntry>{entry});
}

TEST(IcebergAvroTest, HeadersCarryTheSchemaWithFieldIdsAndIcebergKeys) {
  Header manifest = ReadHeader(*EncodeManifest(DataHeader(), SampleEntries()));
  EXPECT_NE(manifest.metadata["avro.schema"].find(R"("field-id": 108)"), std::string::npos);
  EXPECT_NE(manifest.metadata["avro.schema"].find(R"("element-id": 133)"), std::string::npos);
  EXPECT_EQ(manifest.metadata["avro.codec"], "null");
  EXPECT_EQ(manifest.metadata["schema"], kTableSchema);
  EXPECT_EQ(manifest.metadata["schema-id"], "3");
  EXPECT_EQ(manifest.metadata["partition-spec"], "[]");
  EXPECT_EQ(manifest.metadata["partition-spec-id"], "0");
  EXPECT_EQ(manifest.metadata["format-version"], "2");
  EXPECT_EQ(manifest.metadata["content"], "data");
  EXPECT_EQ(manifest.metadata.size(), 8u);

  Header first = ReadHeader(*EncodeManifestList({1, std::nullopt, 1}, SampleManifests()));
  EXPECT_NE(first.metadata["avro.schema"].find(R"("element-id": 508)"), std::string::npos);
  EXPECT_EQ(first.metadata["snapshot-id"], "1");
  EXPECT_EQ(first.metadata["parent-snapshot-id"], "null");
  EXPECT_EQ(first.metadata["sequence-number"], "1");
  EXPECT_EQ(first.metadata["format-version"], "2");
  EXPECT_EQ(first.metadata.count("partition-spec"), 0u);
  Header later = ReadHeader(*EncodeManifestList({-9, INT64_MIN, 12}, SampleManifests()));
  EXPECT_EQ(later.metadata["snapshot-id"], "-9");
  EXPECT_EQ(later.metadata["parent-snapshot-id"], "-9223372036854775808");
  EXPECT_EQ(later.metadata["sequence-number"], "12");
}

TEST(IcebergAvroTest, EncodingTwiceGivesIdenticalBytes) {
  EXPECT_EQ(*EncodeManifest(DataHeader(), SampleEntries()),
            *EncodeManifest(DataHeader(), SampleEntries()));
  EXPECT_EQ(*EncodeManifestList({7, 6, 7}, SampleManifests()),
            *EncodeManifestList({7, 6, 7}, SampleManifests()));
  // The sync marker follows the content, and closes the data block.
  std::string a = *EncodeManifest(DataHeader(), SampleEntries());
  std::string b = *EncodeManifest(DataHeader(), {SampleEntries()[0]});
  EXPECT_NE(ReadHeader(a).sync, ReadHeader(b).sync);
  EXPECT_EQ(a.substr(a.size() - 16), ReadHeader(a).sync);
}

TEST(IcebergAvroTest, EmptyListsStillGiveValidFiles) {
  auto manifest = EncodeManifest(DataHeader(), {});
  auto list = EncodeManifestList({1, std::nullopt, 1}, {});
  ASSERT_TRUE(manifest.ok() && list.ok());
  EXPECT_EQ(ReadRecords(*manifest, [](avro_value_t&) { ADD_FAILURE(); }), 0);
  EXPECT_EQ(ReadRecords(*list, [](avro_value_t&) { ADD_FAILURE(); }), 0);
  EXPECT_EQ(ReadHeader(*manifest).metadata["content"], "data");
}

TEST(IcebergAvroTest, ManifestRefusesAFileOfTheOtherContent) {
  auto mixed = EncodeManifest(DataHeader(), SampleDeleteEntries());
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().code(), StatusCode::kInvalidArgument);
  ManifestHeader deletes{kTableSchema, 3, FileContent::kPositionDeletes};
  EXPECT_EQ(EncodeManifest(deletes, SampleEntries()).status().code(), StatusCode::kInvalidArgument);
}

// ---- The spec checker (Apache Avro's Python library) ---------------------------

// The first interpreter that has Apache Avro's Python library, or "". Debian's
// python3-avro is for /usr/bin/python3, which a python3 earlier on PATH (a
// pyenv one, say) may not see. Probed once: starting Python is slow.
const std::string& PythonWithAvro() {
  static const std::string python = [] {
    for (std::string candidate : {"/usr/bin/python3", "python3"}) {
      std::string probe = candidate + " -c 'import avro.datafile, avro.io' >/dev/null 2>&1";
      if (std::system(probe.c_str()) == 0) return candidate;
    }
    return std::string();
  }();
  return python;
}

struct CheckerRun {
  int exit_code = -1;
  std::string output;
};

CheckerRun RunChecker(const std::string& python, const std::vector<std::string>& files) {
  std::string command = python + " '" LAKEHOUSE_ICEBERG_CHECKER "'";
  for (const std::string& file : files) command += " '" + file + "'";
  command += " 2>&1";
  CheckerRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    run.output.append(buffer, n);
  int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class IcebergAvroCheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    python_ = PythonWithAvro();
    if (python_.empty()) GTEST_SKIP() << "no python3 with Apache Avro (Debian: python3-avro)";
  }
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_.path() + "/" + name;
    WriteFile(path, bytes);
    return path;
  }
  // `bytes` with `from` replaced by `to`, which is as long, so the framing holds.
  static std::string Replace(std::string bytes, const std::string& from, const std::string& to) {
    size_t at = bytes.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) bytes.replace(at, from.size(), to);
    return bytes;
  }

  std::string python_;
  TempDir dir_;
};

TEST_F(IcebergAvroCheckerTest, AcceptsEveryKindOfFileWeWrite) {
  ManifestHeader deletes{kTableSchema, 3, FileContent::kPositionDeletes};
  std::vector<std::string> files = {
      Write("data.avro", *EncodeManifest(DataHeader(), SampleEntries())),
      Write("deletes.avro", *EncodeManifest(deletes, SampleDeleteEntries())),
      Write("empty.avro", *EncodeManifest(DataHeader(), {})),
      Write("snap-7.avro", *EncodeManifestList({7, 6, 7}, SampleManifests())),
      Write("snap-1.avro", *EncodeManifestList({1, std::nullopt, 1}, {})),
  };
  CheckerRun run = RunChecker(python_, files);
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("data.avro (manifest, 3 records)"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("snap-7.avro (manifest list, 2 records)"), std::string::npos)
      << run.output;
}

TEST_F(IcebergAvroCheckerTest, NamesAFieldWithTheWrongFieldId) {
  std::string bytes = *EncodeManifest(DataHeader(), SampleEntries());
  std::string wrong = Replace(bytes, R"("field-id": 108)", R"("field-id": 107)");
  CheckerRun run = RunChecker(python_, {Write("wrong.avro", wrong)});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("data_file.column_sizes: field-id 107"), std::string::npos)
      << run.output;
}

TEST_F(IcebergAvroCheckerTest, NamesAManifestListFieldWithTheWrongFieldId) {
  std::string bytes = *EncodeManifestList({7, 6, 7}, SampleManifests());
  std::string wrong = Replace(bytes, R"("element-id": 508)", R"("element-id": 509)");
  CheckerRun run = RunChecker(python_, {Write("wrong-list.avro", wrong)});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("partitions: element-id 509"), std::string::npos) << run.output;
}

TEST_F(IcebergAvroCheckerTest, NamesAWrongHeaderValue) {
  std::string bytes = *EncodeManifest(DataHeader(), SampleEntries());
  std::string wrong = Replace(bytes,
                              "\x0e"
                              "content\x08"
                              "data",
                              "\x0e"
                              "content\x08"
                              "DATA");
  CheckerRun run = RunChecker(python_, {Write("wrong-header.avro", wrong)});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("header content"), std::string::npos) << run.output;
}

}  // namespace
}  // namespace lakehouse::iceberg
