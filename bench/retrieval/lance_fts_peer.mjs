// The LanceDB side of bench/retrieval: the full-text search a user would pick
// instead of ours. Loads (row id, text) documents into a LanceDB table,
// builds its FTS index on the text with LanceDB's defaults, and searches it
// with each query, in order, one at a time.
//
//   node lance_fts_peer.mjs --dir DIR --docs FILE.jsonl --queries FILE.jsonl
//        [--k 10] [--modules DIR]
//
//   --docs     one JSON object a line: {"id": <row, an integer>, "text": "..."}
//   --queries  one JSON object a line: {"id": <row>, "title": "..."}; the
//              title is the query, the id is echoed back
//   --modules  where scripts/bootstrap.sh installed LanceDB (default:
//              $LAKEHOUSE_CACHE/deps/lancedb, else ~/.cache/lakehouse/deps/lancedb)
//
// The index is `table.createIndex("text", { config: lancedb.Index.fts() })`
// with no options, so LanceDB 0.31's defaults: the "simple" base tokenizer
// (splits on whitespace and punctuation), lowercased, ASCII folding, English
// stemming and English stop words removed, tokens over 40 characters
// dropped, no positions (what listIndices reports as the index's details is
// printed in the "index" line, so a change of defaults shows). Scoring is
// LanceDB's BM25 (k1 1.2, b 0.75). A query is
// `table.search(title, "fts").limit(k)`: the title as a match query whose
// terms are OR-ed, as our keyword mode takes it.
//
// Prints one JSON object a line on stdout: "peer" (versions), "create"
// (rows, ms), "index" (ms, details), one "query" per query
// ({"op":"query","q":<id>,"ids":[rows best first],"ms":...}, timed around
// the await of its toArray), then "done" with the total query time. A
// failure is {"op":"error","message"} and exit status 1. LanceDB's own log
// is turned down to errors (on stderr).
import fs from "node:fs";
import readline from "node:readline";

import { emit, emitVersions, fail, loadLanceDb } from "../common/lance_node.mjs";

const args = { k: "10" };
for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i].replace(/^--/, "");
  const value = process.argv[i + 1];
  if (value === undefined) fail(`--${name} needs a value`);
  args[name] = value;
}
for (const name of ["dir", "docs", "queries"]) {
  if (!args[name]) fail(`--${name} is required`);
}
const k = Number(args.k);
if (!Number.isInteger(k) || k < 1) fail(`--k must be a positive integer, not ${args.k}`);

const { lancedb, arrow, modules } = loadLanceDb(args.modules);

async function readJsonLines(file) {
  const records = [];
  const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }) });
  let line = 0;
  for await (const text of lines) {
    ++line;
    if (text === "") continue;
    try {
      records.push(JSON.parse(text));
    } catch (e) {
      fail(`${file}:${line}: ${e.message}`);
    }
  }
  return records;
}

const msSince = (t) => Number(process.hrtime.bigint() - t) / 1e6;

try {
  emitVersions(modules);
  const docs = await readJsonLines(args.docs);
  const queries = await readJsonLines(args.queries);
  fs.mkdirSync(args.dir, { recursive: true });
  const db = await lancedb.connect(args.dir);

  // Explicit Arrow types: an inferred string column would be dictionary-encoded.
  let t = process.hrtime.bigint();
  const data = new arrow.Table({
    id: arrow.vectorFromArray(
      docs.map((d) => d.id),
      new arrow.Int32(),
    ),
    text: arrow.vectorFromArray(
      docs.map((d) => d.text),
      new arrow.Utf8(),
    ),
  });
  const table = await db.createTable("postings", data, { mode: "overwrite" });
  emit({ op: "create", rows: await table.countRows(), ms: msSince(t) });

  t = process.hrtime.bigint();
  await table.createIndex("text", { config: lancedb.Index.fts() });
  const indexMs = msSince(t);
  const indices = await table.listIndices();
  const fts = indices.find((i) => i.indexType === "FTS") || {};
  emit({ op: "index", ms: indexMs, details: fts.indexDetails ?? null, bytes: fts.sizeBytes ?? null });

  let total = 0;
  for (const q of queries) {
    t = process.hrtime.bigint();
    const rows = await table.search(q.title, "fts").select(["id", "_score"]).limit(k).toArray();
    const ms = msSince(t);
    total += ms;
    emit({ op: "query", q: q.id, ids: rows.map((r) => r.id), ms });
  }
  emit({ op: "done", queries: queries.length, ms: total });
} catch (e) {
  fail(e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : String(e));
}
