// The LanceDB side of bench/changes: loads a CSV of candidate rows into a
// LanceDB table, then runs the same row changes the bench sends to
// Lakehouse, in the order given, timing each in-process (wall clock) and
// measuring the bytes it wrote as the growth of the table's directory.
//
//   node lance_peer.mjs --dir DIR --base FILE.csv --schema JSON --key COL
//        [--upsert FILE.csv | --delete FILE.sql]... [--modules DIR]
//
//   --schema   the Lakehouse dataset's columns, [{"name","type"}...] with
//              DuckDB types, so both tables hold the same Arrow types
//   --upsert   merge_insert(COL).whenMatchedUpdateAll().whenNotMatchedInsertAll()
//              of the file's rows; timed from reading the file (parsing it to
//              Arrow counts, as the upload and parse count on our side)
//   --delete   table.delete(<the file's text>), a SQL predicate
//   --modules  where scripts/bootstrap.sh installed LanceDB (default:
//              $LAKEHOUSE_CACHE/deps/lancedb, else ~/.cache/lakehouse/deps/lancedb)
//
// Prints one JSON object a line on stdout: "peer" (versions), "progress" while
// it reads the base file, "create", then one per change; a failure is {"op":"error","message"} and exit status 1.
// LanceDB's own log is turned down to errors (on stderr).
import fs from "node:fs";
import path from "node:path";

import { emit, emitVersions, fail, loadLanceDb } from "../common/lance_node.mjs";

const args = { upsert: [], ops: [] };
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i].replace(/^--/, "");
  const value = process.argv[i + 1];
  if (value === undefined) fail(`--${name} needs a value`);
  if (name === "upsert" || name === "delete") {
    args.ops.push({ op: name, file: value });
  } else {
    args[name] = value;
  }
}
for (const name of ["dir", "base", "schema", "key"]) {
  if (!args[name]) fail(`--${name} is required`);
}

const { lancedb, arrow, modules } = loadLanceDb(args.modules);

// ---- the schema: DuckDB's types as Arrow's ----

function arrowType(duckdbType) {
  switch (duckdbType) {
    case "BIGINT":
      return { type: new arrow.Int64(), parse: (s) => BigInt(s) };
    case "INTEGER":
      return { type: new arrow.Int32(), parse: (s) => Number(s) };
    case "DOUBLE":
      return { type: new arrow.Float64(), parse: (s) => Number(s) };
    case "BOOLEAN":
      return { type: new arrow.Bool(), parse: (s) => s === "true" };
    case "VARCHAR":
      return { type: new arrow.Utf8(), parse: (s) => s };
    default:
      fail(`no Arrow type for DuckDB type ${duckdbType}`);
  }
}

const columns = JSON.parse(args.schema).map((c) => ({ name: c.name, ...arrowType(c.type) }));
const schema = new arrow.Schema(columns.map((c) => new arrow.Field(c.name, c.type, true)));

// ---- CSV (RFC 4180: quoted fields, "" inside quotes, \n or \r\n) to Arrow ----

const kBatchRows = 65536;

// Reads the file in chunks and returns an Arrow table of `schema`, in batches
// of kBatchRows rows. The header must name the schema's columns in order; an
// empty unquoted field is NULL. With `progress`, a "progress" line every
// kProgressRows rows.
const kProgressRows = 200000;
async function readCsv(file, progress = false) {
  const batches = [];
  let builders = null;
  let rowsInBatch = 0;
  const newBuilders = () => columns.map((c) => arrow.makeBuilder({ type: c.type, nullValues: [null] }));
  const flush = () => {
    if (rowsInBatch === 0) return;
    const children = builders.map((b) => b.finish().flush());
    const data = arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: rowsInBatch,
      nullCount: 0,
      children,
    });
    batches.push(new arrow.RecordBatch(schema, data));
    builders = newBuilders();
    rowsInBatch = 0;
  };
  let header = null;
  let line = 1;
  const endRow = (row) => {
    if (header === null) {
      header = row;
      const want = columns.map((c) => c.name).join(",");
      if (header.join(",") !== want) fail(`${file}: header ${header.join(",")} is not ${want}`);
      builders = newBuilders();
      return;
    }
    if (row.length !== columns.length) fail(`${file}:${line}: ${row.length} fields, not ${columns.length}`);
    for (let c = 0; c < columns.length; ++c) {
      const v = row[c];
      builders[c].append(v === null ? null : columns[c].parse(v));
    }
    if (++rowsInBatch === kBatchRows) flush();
    if (progress && (line - 1) % kProgressRows === 0) emit({ op: "progress", rows: line - 1 });
  };

  // A state machine whose state survives chunk boundaries; runs of plain
  // characters are sliced from the chunk, not added one by one.
  const kFieldStart = 0, kPlain = 1, kQuoted = 2, kQuoteInQuoted = 3;
  let state = kFieldStart;
  let row = [];
  let field = "";
  let wasQuoted = false; // so "" is an empty string, not NULL
  const endField = () => {
    row.push(!wasQuoted && field === "" ? null : field);
    field = "";
    wasQuoted = false;
    state = kFieldStart;
  };
  const endLine = () => {
    endField();
    endRow(row);
    row = [];
    ++line;
  };
  for await (const chunk of fs.createReadStream(file, { encoding: "utf8", highWaterMark: 1 << 20 })) {
    let start = 0;
    for (let i = 0; i < chunk.length; ++i) {
      const ch = chunk.charCodeAt(i);
      switch (state) {
        case kFieldStart:
          if (ch === 34 /* " */) {
            state = kQuoted;
            wasQuoted = true;
            start = i + 1;
          } else if (ch === 44 /* , */) {
            endField();
          } else if (ch === 10 /* \n */) {
            endLine();
          } else if (ch !== 13 /* \r */) {
            state = kPlain;
            start = i;
          }
          break;
        case kPlain:
          if (ch === 44 || ch === 10) {
            field += chunk.slice(start, i);
            if (field.endsWith("\r")) field = field.slice(0, -1);
            ch === 44 ? endField() : endLine();
          }
          break;
        case kQuoted:
          if (ch === 34) {
            field += chunk.slice(start, i);
            state = kQuoteInQuoted;
          }
          break;
        case kQuoteInQuoted:
          if (ch === 34) {
            field += '"';
            state = kQuoted;
            start = i + 1;
          } else if (ch === 44) {
            endField();
          } else if (ch === 10) {
            endLine();
          } else if (ch !== 13) {
            fail(`${file}:${line}: a character after a closing quote`);
          }
          break;
      }
    }
    if (state === kPlain || state === kQuoted) field += chunk.slice(start);
  }
  if (state === kQuoted) fail(`${file}: ends inside a quoted field`);
  if (state !== kFieldStart || row.length > 0) endLine();
  if (header === null) fail(`${file}: no header`);
  flush();
  return new arrow.Table(schema, batches);
}

// ---- bytes on disk ----

function treeBytes(dir) {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) total += treeBytes(p);
    else if (entry.isFile()) total += fs.statSync(p).size;
  }
  return total;
}

// ---- the run ----

const msSince = (t) => Number(process.hrtime.bigint() - t) / 1e6;

try {
  emitVersions(modules);
  fs.mkdirSync(args.dir, { recursive: true });
  const db = await lancedb.connect(args.dir);

  let t = process.hrtime.bigint();
  const base = await readCsv(args.base, true);
  const parseMs = msSince(t);
  t = process.hrtime.bigint();
  const table = await db.createTable("candidates", base, { mode: "overwrite" });
  const createMs = msSince(t);
  const tableDir = path.join(args.dir, "candidates.lance");
  emit({
    op: "create",
    rows: await table.countRows(),
    parse_ms: parseMs,
    ms: createMs,
    table_bytes: treeBytes(tableDir),
  });

  for (const { op, file } of args.ops) {
    const rowsBefore = await table.countRows();
    const bytesBefore = treeBytes(tableDir);
    const record = { op, file: path.basename(file) };
    t = process.hrtime.bigint();
    if (op === "upsert") {
      const rows = await readCsv(file);
      record.parse_ms = msSince(t);
      const result = await table
        .mergeInsert(args.key)
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(rows);
      record.ms = msSince(t);
      record.rows_in = rows.numRows;
      record.rows_updated = Number(result.numUpdatedRows);
      record.rows_inserted = Number(result.numInsertedRows);
    } else {
      const predicate = fs.readFileSync(file, "utf8").trim();
      await table.delete(predicate);
      record.ms = msSince(t);
    }
    const rowsAfter = await table.countRows();
    if (op === "delete") record.rows_deleted = rowsBefore - rowsAfter;
    record.rows = rowsAfter;
    record.table_bytes_before = bytesBefore;
    record.bytes_written = treeBytes(tableDir) - bytesBefore;
    record.version = await table.version();
    emit(record);
  }
} catch (e) {
  fail(e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : String(e));
}
