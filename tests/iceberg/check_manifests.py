#!/usr/bin/python3
# Checks Iceberg format-version 2 manifests and manifest lists against the
# table spec (https://iceberg.apache.org/spec/), independently of the C++
# encoder: the expected schemas are transcribed here from the spec's tables,
# and the files are read with Apache Avro's Python library (Debian's
# python3-avro, hence /usr/bin/python3 rather than whatever python3 is first
# on PATH).
#
#   check_manifests.py FILE...
#
# A file is a manifest list when its header has "snapshot-id" and no
# "partition-spec", otherwise a manifest. For each file it checks the header
# keys the spec requires, the embedded schema field by field (name, field id,
# required or optional, type; element ids of lists; key and value ids of
# maps, which Iceberg writes as arrays of {key, value} records), and that
# every record reads back with that schema. One line per file; the exit
# status is 1 when anything is wrong, naming the field or key.
import json
import sys
import warnings

import avro.datafile
import avro.errors
import avro.io

REQUIRED, OPTIONAL = True, False


# Iceberg types as the spec's tables write them, and how they look in Avro.
class List:
    def __init__(self, element_id, element):
        self.element_id, self.element = element_id, element


class Map:
    def __init__(self, key_id, key, value_id, value):
        self.key_id, self.key, self.value_id, self.value = key_id, key, value_id, value


class Struct:
    def __init__(self, fields):
        self.fields = fields


PRIMITIVES = {"int": "int", "long": "long", "string": "string", "binary": "bytes",
              "boolean": "boolean"}

# The spec's "Data File Fields", the v2 column (deprecated fields left out:
# "do not write"). `partition` depends on the partition spec; see below.
DATA_FILE = [
    ("content", 134, REQUIRED, "int"),
    ("file_path", 100, REQUIRED, "string"),
    ("file_format", 101, REQUIRED, "string"),
    ("partition", 102, REQUIRED, "partition"),
    ("record_count", 103, REQUIRED, "long"),
    ("file_size_in_bytes", 104, REQUIRED, "long"),
    ("column_sizes", 108, OPTIONAL, Map(117, "int", 118, "long")),
    ("value_counts", 109, OPTIONAL, Map(119, "int", 120, "long")),
    ("null_value_counts", 110, OPTIONAL, Map(121, "int", 122, "long")),
    ("nan_value_counts", 137, OPTIONAL, Map(138, "int", 139, "long")),
    ("lower_bounds", 125, OPTIONAL, Map(126, "int", 127, "binary")),
    ("upper_bounds", 128, OPTIONAL, Map(129, "int", 130, "binary")),
    ("key_metadata", 131, OPTIONAL, "binary"),
    ("split_offsets", 132, OPTIONAL, List(133, "long")),
    ("equality_ids", 135, OPTIONAL, List(136, "int")),
    ("sort_order_id", 140, OPTIONAL, "int"),
    ("referenced_data_file", 143, OPTIONAL, "string"),
]

# The spec's "Manifest Entry Fields", v2 column.
MANIFEST_ENTRY = [
    ("status", 0, REQUIRED, "int"),
    ("snapshot_id", 1, OPTIONAL, "long"),
    ("sequence_number", 3, OPTIONAL, "long"),
    ("file_sequence_number", 4, OPTIONAL, "long"),
    ("data_file", 2, REQUIRED, Struct(DATA_FILE)),
]

# The spec's `field_summary`, v2 column.
FIELD_SUMMARY = [
    ("contains_null", 509, REQUIRED, "boolean"),
    ("contains_nan", 518, OPTIONAL, "boolean"),
    ("lower_bound", 510, OPTIONAL, "binary"),
    ("upper_bound", 511, OPTIONAL, "binary"),
]

# The spec's `manifest_file` (Manifest Lists), v2 column.
MANIFEST_FILE = [
    ("manifest_path", 500, REQUIRED, "string"),
    ("manifest_length", 501, REQUIRED, "long"),
    ("partition_spec_id", 502, REQUIRED, "int"),
    ("content", 517, REQUIRED, "int"),
    ("sequence_number", 515, REQUIRED, "long"),
    ("min_sequence_number", 516, REQUIRED, "long"),
    ("added_snapshot_id", 503, REQUIRED, "long"),
    ("added_files_count", 504, REQUIRED, "int"),
    ("existing_files_count", 505, REQUIRED, "int"),
    ("deleted_files_count", 506, REQUIRED, "int"),
    ("added_rows_count", 512, REQUIRED, "long"),
    ("existing_rows_count", 513, REQUIRED, "long"),
    ("deleted_rows_count", 514, REQUIRED, "long"),
    ("partitions", 507, OPTIONAL, List(508, Struct(FIELD_SUMMARY))),
    ("key_metadata", 519, OPTIONAL, "binary"),
]


class Checker:
    """Collects every mismatch of one file, each naming where it is."""

    def __init__(self, partition_fields):
        self.errors = []
        # The partition struct's fields, from the header's partition spec.
        self.partition_fields = partition_fields

    def fail(self, where, message):
        self.errors.append(f"{where}: {message}")

    def fields(self, where, avro_fields, expected):
        if not isinstance(avro_fields, list):
            self.fail(where, "a record without a list of fields")
            return
        by_name = {f.get("name"): f for f in avro_fields if isinstance(f, dict)}
        for name, field_id, required, iceberg_type in expected:
            path = f"{where}.{name}" if where else name
            if name not in by_name:
                self.fail(path, f"missing (field-id {field_id})")
                continue
            self.field(path, by_name.pop(name), field_id, required, iceberg_type)
        for name in by_name:
            self.fail(f"{where}.{name}" if where else name, "not in the spec's v2 schema")

    def field(self, path, field, field_id, required, iceberg_type):
        if field.get("field-id") != field_id:
            self.fail(path, f"field-id {field.get('field-id')!r}, the spec says {field_id}")
        avro_type = field.get("type")
        if required:
            if isinstance(avro_type, list):
                self.fail(path, "optional (a union), the spec says required")
                return
        else:
            if not (isinstance(avro_type, list) and len(avro_type) == 2
                    and avro_type[0] == "null"):
                self.fail(path, "required, the spec says optional: expected [\"null\", T]")
                return
            if "default" not in field or field["default"] is not None:
                self.fail(path, "an optional field needs \"default\": null")
            avro_type = avro_type[1]
        self.type(path, avro_type, iceberg_type, field_id)

    def type(self, path, avro_type, iceberg_type, field_id):
        if iceberg_type == "any":  # a partition value: its type is the transform's
            return
        if iceberg_type == "partition":
            self.partition(path, avro_type)
        elif isinstance(iceberg_type, str):
            if avro_type != PRIMITIVES[iceberg_type]:
                self.fail(path, f"type {avro_type!r}, the spec says {iceberg_type}")
        elif isinstance(iceberg_type, Struct):
            if self.record(path, avro_type, f"r{field_id}"):
                self.fields(path, avro_type["fields"], iceberg_type.fields)
        elif isinstance(iceberg_type, List):
            self.list(path, avro_type, iceberg_type)
        elif isinstance(iceberg_type, Map):
            self.map(path, avro_type, iceberg_type)

    def record(self, path, avro_type, name):
        if not isinstance(avro_type, dict) or avro_type.get("type") != "record":
            self.fail(path, f"type {avro_type!r}, the spec says a struct")
            return False
        # Iceberg names a struct's record "r<field id>"; readers match by
        # field id, so this only checks we write what Iceberg's Java does.
        if avro_type.get("name") != name:
            self.fail(path, f"record name {avro_type.get('name')!r}, Iceberg writes {name!r}")
        return True

    def list(self, path, avro_type, expected):
        if not isinstance(avro_type, dict) or avro_type.get("type") != "array":
            self.fail(path, f"type {avro_type!r}, the spec says a list")
            return
        if avro_type.get("element-id") != expected.element_id:
            self.fail(path, f"element-id {avro_type.get('element-id')!r}, "
                      f"the spec says {expected.element_id}")
        # The spec's lists hold required elements: no union around them.
        self.type(f"{path}.element", avro_type.get("items"), expected.element,
                  expected.element_id)

    def map(self, path, avro_type, expected):
        # A map with non-string keys: an array of {key, value} records.
        if not isinstance(avro_type, dict) or avro_type.get("type") != "array":
            self.fail(path, f"type {avro_type!r}, the spec says a map (array of pairs)")
            return
        if avro_type.get("logicalType") != "map":
            self.fail(path, "a map's array needs \"logicalType\": \"map\"")
        items = avro_type.get("items")
        name = f"k{expected.key_id}_v{expected.value_id}"
        if self.record(path, items, name):
            self.fields(path, items["fields"], [
                ("key", expected.key_id, REQUIRED, expected.key),
                ("value", expected.value_id, REQUIRED, expected.value),
            ])

    def partition(self, path, avro_type):
        if self.record(path, avro_type, "r102"):
            self.fields(path, avro_type["fields"], self.partition_fields)


def header_int(checker, meta, key, allow_null=False):
    if key not in meta:
        checker.fail(f"header {key}", "missing")
        return None
    text = meta[key].decode("utf-8", "replace")
    if allow_null and text == "null":
        return None
    try:
        return int(text)
    except ValueError:
        checker.fail(f"header {key}", f"{text!r} is not a number")
        return None


def header_json(checker, meta, key):
    if key not in meta:
        checker.fail(f"header {key}", "missing")
        return None
    try:
        return json.loads(meta[key])
    except ValueError as e:
        checker.fail(f"header {key}", f"not JSON: {e}")
        return None


def check_format_version(checker, meta):
    if meta.get("format-version") != b"2":
        checker.fail("header format-version", f"{meta.get('format-version')!r}, expected b'2'")


def check_manifest_header(checker, meta):
    schema = header_json(checker, meta, "schema")
    if schema is not None and (not isinstance(schema, dict) or schema.get("type") != "struct"):
        checker.fail("header schema", "not a table schema (a JSON struct)")
    schema_id = header_int(checker, meta, "schema-id")
    if isinstance(schema, dict) and "schema-id" in schema and schema["schema-id"] != schema_id:
        checker.fail("header schema-id", f"{schema_id}, the schema says {schema['schema-id']}")
    header_int(checker, meta, "partition-spec-id")
    check_format_version(checker, meta)
    if meta.get("content") not in (b"data", b"deletes"):
        checker.fail("header content", f"{meta.get('content')!r}, expected b'data' or b'deletes'")
    spec = header_json(checker, meta, "partition-spec")
    if not isinstance(spec, list):
        checker.fail("header partition-spec", "not a JSON list of partition fields")
        return []
    # Partition values are optional, named and numbered by the spec's fields.
    return [(f.get("name"), f.get("field-id"), OPTIONAL, "any") for f in spec]


def check_manifest_list_header(checker, meta):
    header_int(checker, meta, "snapshot-id")
    header_int(checker, meta, "parent-snapshot-id", allow_null=True)
    header_int(checker, meta, "sequence-number")
    check_format_version(checker, meta)


def check_manifest_record(checker, meta, index, record):
    if record["status"] not in (0, 1, 2):
        checker.fail(f"record {index} status", f"{record['status']}, expected 0, 1 or 2")
    content = record["data_file"]["content"]
    allowed = (0,) if meta.get("content") == b"data" else (1, 2)
    if content not in allowed:
        checker.fail(f"record {index} data_file.content",
                     f"{content} in a {meta.get('content')!r} manifest")


def check_manifest_list_record(checker, meta, index, record):
    if record["content"] not in (0, 1):
        checker.fail(f"record {index} content", f"{record['content']}, expected 0 or 1")


def check_file(path):
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = reader.meta
        is_list = "snapshot-id" in meta and "partition-spec" not in meta
        kind = "manifest list" if is_list else "manifest"
        checker = Checker([])
        if is_list:
            check_manifest_list_header(checker, meta)
            expected, root, check_record = MANIFEST_FILE, "manifest_file", check_manifest_list_record
        else:
            checker.partition_fields = check_manifest_header(checker, meta)
            expected, root, check_record = MANIFEST_ENTRY, "manifest_entry", check_manifest_record
        schema = header_json(checker, meta, "avro.schema")
        if checker.record("schema", schema, root):
            checker.fields("", schema["fields"], expected)
        count = 0
        for record in reader:  # parsing with the embedded schema
            check_record(checker, meta, count, record)
            count += 1
        reader.close()
    return kind, count, checker.errors


def main(paths):
    if not paths:
        print("usage: check_manifests.py FILE...", file=sys.stderr)
        return 2
    # The "map" logical type on arrays is Iceberg's, unknown to Avro itself.
    warnings.simplefilter("ignore", avro.errors.IgnoredLogicalType)
    failed = False
    for path in paths:
        try:
            kind, count, errors = check_file(path)
        except Exception as e:  # unreadable: the file itself is wrong
            print(f"FAIL {path}: unreadable: {type(e).__name__}: {e}")
            failed = True
            continue
        if errors:
            failed = True
            print(f"FAIL {path} ({kind}): " + "; ".join(errors))
        else:
            print(f"ok {path} ({kind}, {count} records)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
