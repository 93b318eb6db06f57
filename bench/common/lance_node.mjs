// What the benches' LanceDB peers (bench/changes/lance_peer.mjs,
// bench/retrieval/lance_fts_peer.mjs) share: their JSON-lines output, and
// LanceDB and Apache Arrow loaded from where scripts/bootstrap.sh installed
// them, with the "peer" line naming the versions.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";

// One JSON object a line on stdout, what the bench reads.
export function emit(record) {
  process.stdout.write(JSON.stringify(record) + "\n");
}

// Ends the peer with {"op":"error","message"} and exit status 1.
export function fail(message) {
  emit({ op: "error", message });
  process.exit(1);
}

// LanceDB and Arrow from `modules` (default: $LAKEHOUSE_CACHE/deps/lancedb,
// else ~/.cache/lakehouse/deps/lancedb), LanceDB's own log turned down to
// errors (on stderr); fails naming the folder when they cannot be loaded.
export function loadLanceDb(modules) {
  process.env.LANCEDB_LOG ??= "error";
  const dir =
    modules ||
    path.join(process.env.LAKEHOUSE_CACHE || path.join(os.homedir(), ".cache", "lakehouse"), "deps", "lancedb");
  const require = createRequire(path.join(path.resolve(dir), "peer.cjs"));
  try {
    return { lancedb: require("@lancedb/lancedb"), arrow: require("apache-arrow"), modules: dir };
  } catch (e) {
    fail(`cannot load LanceDB from ${dir}: ${e.message}`);
  }
}

// The "peer" line: node's, LanceDB's and Arrow's versions.
export function emitVersions(modules) {
  const versionOf = (name) =>
    JSON.parse(fs.readFileSync(path.join(modules, "node_modules", name, "package.json"), "utf8")).version;
  emit({ op: "peer", node: process.version, lancedb: versionOf("@lancedb/lancedb"), arrow: versionOf("apache-arrow") });
}
