// Reads every kept version of a dataset's Iceberg table with icebird (an
// Iceberg reader Lakehouse did not write) and compares it with what
// Lakehouse's SQL answers for the same version, for iceberg_readers_test.sh.
//
//   node iceberg_read_snapshots.mjs --modules DIR --url LAKEHOUSE_URL \
//        --files FILES_URL --dataset NAME [--namespace NS] [--removed 1,2]
// DIR holds node_modules/icebird (scripts/iceberg-readers, installed by
// scripts/bootstrap.sh). FILES_URL serves the store's root ([iceberg]
// location), so the table is FILES_URL/_iceberg/NAME. Checks:
//   - each kept version N (GET /v1/datasets/NAME/versions, deletion
//     tombstones left out): icebergRead of v<N>.metadata.json has exactly
//     the rows of SELECT * FROM "NAME@N", value for value;
//   - the latest through version-hint.text, and through the REST catalog's
//     load-table answer when /iceberg/v1 is served;
//   - every object any kept metadata JSON names (manifest lists, manifests,
//     data and delete files, earlier metadata in metadata-log) answers 200,
//     with the size the manifest claims;
//   - what icebird does not look at but a spec-following reader does: each
//     position delete names a live data file of its snapshot, a row in it,
//     a data sequence number it applies to, through the reserved field ids;
//     data files without Parquet field ids are covered by the name mapping;
//   - each version in --removed (vacuumed) has no v<N>.metadata.json (404).
// --named FILE: writes there every location checked, one a line, so the
// caller can look for objects of the table that nothing names.
// --ids FILE: the latest metadata's field ids by name and last-column-id;
// when FILE exists (an earlier run's), each name must keep its id and
// last-column-id must not go down, as Iceberg's field ids are forever.
// Prints one line per version; exits 1 with a diff at the first mismatch.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const name of ['modules', 'url', 'files', 'dataset']) {
  if (!args[name]) {
    console.error(`missing --${name}`);
    process.exit(2);
  }
}
const icebirdDir = path.join(path.resolve(args.modules), 'node_modules/icebird/src');
const { icebergRead } = await import(pathToFileURL(path.join(icebirdDir, 'index.js')).href);
// Not in icebird's index, but what icebergRead itself decodes Avro with.
const { fetchAvroRecords } = await import(pathToFileURL(path.join(icebirdDir, 'fetch.js')).href);
const hyparquetDir = path.join(path.resolve(args.modules), 'node_modules/hyparquet/src');
const { asyncBufferFromUrl, parquetMetadataAsync, parquetReadObjects } = await import(
  pathToFileURL(path.join(hyparquetDir, 'index.js')).href);
const { compressors } = await import(pathToFileURL(
  path.join(path.resolve(args.modules), 'node_modules/hyparquet-compressors/src/index.js')).href);

const dataset = args.dataset;
const tableUrl = `${args.files.replace(/\/+$/, '')}/_iceberg/${dataset}`;
const namespace = args.namespace ?? 'lakehouse';
const removed = (args.removed ?? '').split(',').filter(Boolean).map(Number);

function fail(message) {
  console.log(`FAIL ${message}`);
  process.exit(1);
}
const show = (value) =>
  JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Date ? v.toISOString() : v));

async function lakehouse(method, route, body) {
  const answer = await fetch(`${args.url}${route}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await answer.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: answer.status, json, text };
}

// The rows Lakehouse's SQL answers for one version: {columns, rows} with the
// rows as objects keyed by column name.
async function sqlRows(version) {
  const sql = `SELECT * FROM "${dataset}@${version}"`;
  const { status, json, text } = await lakehouse('POST', '/v1/query', {
    sql,
    format: 'json',
    limit: 100000,
  });
  if (status !== 200 || !json) fail(`${sql}: HTTP ${status} ${text.slice(0, 300)}`);
  if (json.error) fail(`${sql}: ${show(json.error)}`);
  if (json.truncated) fail(`${sql}: the answer was truncated`);
  if (json.versions?.[dataset] !== version) fail(`${sql} read ${show(json.versions)}`);
  const names = json.columns.map((c) => c.name);
  const rows = json.rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
  return { columns: json.columns, rows };
}

// One value as comparable text, by the SQL column's type: icebird gives
// BigInt for 64-bit integers and Date for dates and timestamps (millisecond
// precision), Lakehouse's JSON numbers and "YYYY-MM-DD[ HH:MM:SS[.f]]".
function normalise(value, type) {
  if (value === null || value === undefined) return 'NULL';
  const t = type.toUpperCase();
  if (t === 'DATE') {
    return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  }
  if (t.startsWith('TIMESTAMP')) {
    if (value instanceof Date) return value.toISOString();
    const text = String(value).replace(' ', 'T');
    const date = new Date(/[Zz]|[+-]\d\d(:?\d\d)?$/.test(text) ? text : `${text}Z`);
    return Number.isNaN(date.getTime()) ? `unparsed ${value}` : date.toISOString();
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') {
    // A 64-bit integer or a double the server wrote as a string.
    if (/INT|DOUBLE|FLOAT|REAL|DECIMAL/.test(t) && value.trim() !== '' && !Number.isNaN(Number(value))) {
      return String(Number(value));
    }
    return value;
  }
  if (value instanceof Date) return value.toISOString();
  return show(value);
}

// JSON with object keys sorted, to compare documents written in another order.
function canonical(value) {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// Compares icebird's rows with the SQL answer; a diff naming the rows and
// columns that differ when they do.
function compare(what, sql, read) {
  const problems = [];
  const sqlNames = sql.columns.map((c) => c.name);
  const readNames = read.length ? Object.keys(read[0]) : sqlNames;
  if (show([...sqlNames].sort()) !== show([...readNames].sort())) {
    problems.push(`columns: SQL ${show(sqlNames)}, icebird ${show(readNames)}`);
  }
  if (sql.rows.length !== read.length) {
    problems.push(`row count: SQL ${sql.rows.length}, icebird ${read.length}`);
  }
  const typeOf = Object.fromEntries(sql.columns.map((c) => [c.name, c.type]));
  const key = (row) => normalise(row.id, typeOf.id ?? 'BIGINT');
  const left = sql.rows.map((r) => ({ id: Number(key(r)), row: r })).sort(byId);
  const right = read.map((r) => ({ id: Number(key(r)), row: r })).sort(byId);
  const rightById = new Map(right.map((r) => [r.id, r.row]));
  const leftIds = new Set(left.map((r) => r.id));
  for (const { id, row } of left) {
    const other = rightById.get(id);
    if (!other) {
      problems.push(`id ${id}: in SQL ${show(row)}, not read by icebird`);
      continue;
    }
    for (const name of sqlNames) {
      const a = normalise(row[name], typeOf[name]);
      const b = normalise(other[name], typeOf[name]);
      if (a !== b) problems.push(`id ${id} column ${name} (${typeOf[name]}): SQL ${a}, icebird ${b} (raw ${show(other[name])})`);
    }
  }
  for (const { id, row } of right) {
    if (!leftIds.has(id)) problems.push(`id ${id}: read by icebird ${show(row)}, not in SQL`);
  }
  if (new Set(right.map((r) => r.id)).size !== right.length) problems.push('icebird read an id twice');
  if (problems.length) {
    fail(`${what}: icebird differs from SQL:\n  ${problems.slice(0, 20).join('\n  ')}` +
      (problems.length > 20 ? `\n  ... ${problems.length - 20} more` : ''));
  }
}

async function read(what, options) {
  try {
    return await icebergRead({ tableUrl, ...options });
  } catch (error) {
    fail(`${what}: icebird could not read it: ${error.stack ?? error}`);
  }
}

async function head(url) {
  const answer = await fetch(url, { method: 'HEAD' });
  return { status: answer.status, length: Number(answer.headers.get('content-length')) };
}

// Every object the metadata JSON at `url` names must exist, with the size
// the manifests claim.
async function walk(url, metadata, seen) {
  const must = async (target, why, size) => {
    if (seen.has(target)) return;
    seen.add(target);
    const { status, length } = await head(target);
    if (status !== 200) fail(`${url} names ${target} (${why}), which answers HTTP ${status}`);
    if (size !== undefined && BigInt(length) !== BigInt(size)) {
      fail(`${url}: ${target} (${why}) is ${length} bytes, the manifest says ${size}`);
    }
  };
  checkFieldTypes(url, metadata);
  for (const entry of metadata['metadata-log'] ?? []) {
    await must(entry['metadata-file'], 'metadata-log');
  }
  for (const snapshot of metadata.snapshots ?? []) {
    const list = snapshot['manifest-list'];
    await must(list, `snapshot ${snapshot['snapshot-id']}'s manifest list`);
    if (checkedLists.has(list)) continue;
    checkedLists.add(list);
    const live = { data: new Map(), deletes: [] };
    for (const manifest of await fetchAvroRecords(list)) {
      await must(manifest.manifest_path, `a manifest of snapshot ${snapshot['snapshot-id']}`,
        manifest.manifest_length);
      for (const entry of await fetchAvroRecords(manifest.manifest_path)) {
        if (entry.status === 2) continue; // deleted entries may name removed files
        const file = entry.data_file;
        await must(file.file_path, `${file.content ? 'a delete file' : 'a data file'} in ${manifest.manifest_path}`,
          file.file_size_in_bytes);
        // An ADDED entry without a sequence number inherits the manifest's.
        const sequence = entry.sequence_number ?? manifest.sequence_number;
        if (file.content === 0) live.data.set(file.file_path, { sequence, rows: file.record_count });
        else live.deletes.push({ file, sequence });
      }
    }
    await checkPositionDeletes(`snapshot ${snapshot['snapshot-id']} of ${url}`, live);
    await checkColumnIds(`snapshot ${snapshot['snapshot-id']} of ${url}`, metadata, snapshot, live);
  }
}

// A field id names one column for the table's whole life: across its
// schemas it keeps its name. Its type may change beyond the spec's
// promotions only where no data file is carried over (an overwrite or a
// re-creation that changed the column's type): the data files carry no
// field ids, and the name mapping can send a column name to one id only,
// so the publisher keeps the id (docs/design.md, "Iceberg tables").
function checkFieldTypes(url, metadata) {
  const first = new Map();
  for (const schema of [...metadata.schemas].sort((a, b) => a['schema-id'] - b['schema-id'])) {
    for (const field of schema.fields) {
      const seen = first.get(field.id);
      if (!seen) {
        first.set(field.id, { name: field.name, schema: schema['schema-id'] });
      } else if (seen.name !== field.name) {
        fail(`${url}: field id ${field.id} is ${show(seen.name)} in schema ${seen.schema} ` +
          `but ${show(field.name)} in schema ${schema['schema-id']}`);
      }
    }
  }
}

// A data file whose Parquet columns carry no field ids is read through the
// table's name mapping (spec, "Column Projection"): every field of the
// snapshot's schema must be mapped, by its own name, to its own id.
const footerOf = new Map();
async function checkColumnIds(what, metadata, snapshot, live) {
  const schema = metadata.schemas.find((s) => s['schema-id'] === (snapshot['schema-id'] ?? metadata['current-schema-id']));
  if (!schema) fail(`${what}: schema ${snapshot['schema-id']} is not in the metadata`);
  const mapping = JSON.parse(metadata.properties?.['schema.name-mapping.default'] ?? '[]');
  for (const [file, { rows }] of live.data) {
    if (!footerOf.has(file)) {
      const { length } = await head(file);
      footerOf.set(file, await parquetMetadataAsync(await asyncBufferFromUrl({ url: file, byteLength: length })));
    }
    const footer = footerOf.get(file);
    if (BigInt(footer.num_rows) !== BigInt(rows)) fail(`${what}: ${file} has ${footer.num_rows} rows, its manifest entry says ${rows}`);
    const columns = footer.schema.slice(1);
    if (columns.every((c) => c.field_id !== undefined)) continue;
    for (const field of schema.fields) {
      const mapped = mapping.find((m) => m['field-id'] === field.id);
      if (!mapped?.names?.includes(field.name)) {
        fail(`${what}: ${file} has no field ids and schema.name-mapping.default does not map ${show(field.name)} to id ${field.id}: ${show(mapping)}`);
      }
    }
  }
}
const checkedLists = new Set();

// icebird applies a position delete to any file its path names, whatever the
// sequence numbers; the spec applies it only to a live data file whose data
// sequence number is not greater than the delete's, at a row that exists.
// Checked here so a reader that follows the spec reads the same rows.
const deleteRowsOf = new Map();
async function checkPositionDeletes(what, live) {
  for (const { file, sequence } of live.deletes) {
    if (file.content !== 1) fail(`${what}: ${file.file_path} has content ${file.content}; only position deletes are expected`);
    if (!deleteRowsOf.has(file.file_path)) {
      const buffer = await asyncBufferFromUrl({ url: file.file_path, byteLength: Number(file.file_size_in_bytes) });
      // Readers that follow the spec (Iceberg's Java one) project a delete
      // file's columns by these reserved field ids, not by name.
      const footer = await parquetMetadataAsync(buffer);
      for (const [name, id] of [['file_path', 2147483546], ['pos', 2147483545]]) {
        const column = footer.schema.find((e) => e.name === name);
        if (column?.field_id !== id) {
          fail(`${what}: ${file.file_path}: column ${name} has field id ${column?.field_id}, the spec's is ${id}`);
        }
      }
      deleteRowsOf.set(file.file_path, await parquetReadObjects({ file: buffer, compressors }));
    }
    const rows = deleteRowsOf.get(file.file_path);
    if (BigInt(rows.length) !== BigInt(file.record_count)) {
      fail(`${what}: ${file.file_path} holds ${rows.length} positions, its manifest entry says ${file.record_count}`);
    }
    for (const { file_path: target, pos } of rows) {
      const data = live.data.get(target);
      if (!data) fail(`${what}: ${file.file_path} deletes from ${target}, no live data file of the snapshot`);
      if (typeof pos !== 'bigint') fail(`${what}: ${file.file_path}: pos ${show(pos)} is not a 64-bit integer`);
      if (pos < 0n || pos >= BigInt(data.rows)) fail(`${what}: ${file.file_path}: pos ${pos} outside ${target}'s ${data.rows} rows`);
      if (BigInt(sequence) < BigInt(data.sequence)) {
        fail(`${what}: ${file.file_path} (data sequence number ${sequence}) deletes from ${target} ` +
          `(data sequence number ${data.sequence}), which the spec says it does not apply to`);
      }
    }
  }
}

// --- the versions Lakehouse keeps -------------------------------------------

const history = await lakehouse('GET', `/v1/datasets/${dataset}/versions`);
if (history.status !== 200) fail(`GET /v1/datasets/${dataset}/versions: HTTP ${history.status} ${history.text}`);
const versions = history.json.versions;
const seen = new Set();
let compared = 0;
for (const manifest of versions) {
  const n = manifest.version;
  // A dataset deletion's tombstone has no rows and no data files: icebird
  // refuses a snapshot without data manifests.
  if (manifest.operation === 'delete') {
    console.log(`version ${n} (delete): a tombstone, not read`);
    continue;
  }
  const file = `v${n}.metadata.json`;
  const metadataUrl = `${tableUrl}/metadata/${file}`;
  seen.add(metadataUrl);
  const answer = await fetch(metadataUrl);
  if (answer.status !== 200) fail(`version ${n}: ${metadataUrl} answers HTTP ${answer.status}`);
  const metadata = await answer.json();
  if (metadata['current-snapshot-id'] !== n) {
    fail(`version ${n}: ${file} has current-snapshot-id ${metadata['current-snapshot-id']}`);
  }
  const snapshot = metadata.snapshots.find((s) => s['snapshot-id'] === n);
  const icebergOp = snapshot?.summary?.operation;
  await walk(metadataUrl, metadata, seen);
  const sql = await sqlRows(n);
  const rows = await read(`version ${n} (${file})`, { metadataFileName: file });
  compare(`version ${n} (${manifest.operation})`, sql, rows);
  compared++;
  console.log(`version ${n} (${manifest.operation}): ${rows.length} rows, icebird matches SQL` +
    ` [iceberg operation ${icebergOp}, ${metadata.schemas.length} schema(s), ${metadata.snapshots.length} snapshot(s)]`);
}
if (compared === 0) fail('no version was compared');

// --- the latest, by version-hint.text and by the REST catalog ---------------------

const current = versions.at(-1);
const hint = await fetch(`${tableUrl}/metadata/version-hint.text`);
if (hint.status !== 200) fail(`version-hint.text answers HTTP ${hint.status}`);
const hinted = (await hint.text()).trim();
if (hinted !== String(current.version)) fail(`version-hint.text says ${show(hinted)}, the current version is ${current.version}`);
if (current.operation !== 'delete') {
  const latest = await read('the latest (version-hint.text)', {});
  compare(`the latest via version-hint.text (version ${current.version})`, await sqlRows(current.version), latest);
  console.log(`latest via version-hint.text: version ${current.version}, ${latest.length} rows, icebird matches SQL`);
}

const config = await lakehouse('GET', '/iceberg/v1/config');
if (config.status === 404) {
  console.log('REST catalog: /iceberg/v1 is not served, not checked');
} else {
  const route = `/iceberg/v1/namespaces/${encodeURIComponent(namespace)}/tables/${encodeURIComponent(dataset)}`;
  const loaded = await lakehouse('GET', route);
  if (loaded.status !== 200 || !loaded.json?.metadata) fail(`GET ${route}: HTTP ${loaded.status} ${loaded.text.slice(0, 300)}`);
  const { metadata } = loaded.json;
  const want = `${tableUrl}/metadata/v${current.version}.metadata.json`;
  if (loaded.json['metadata-location'] !== want) {
    fail(`GET ${route}: metadata-location ${show(loaded.json['metadata-location'])}, expected ${show(want)}`);
  }
  if (metadata['current-snapshot-id'] !== current.version) {
    fail(`GET ${route}: current-snapshot-id ${metadata['current-snapshot-id']}, the current version is ${current.version}`);
  }
  // The catalog may shape the answer its own way (key order, fields a
  // client needs); a difference is reported, the rows decide.
  const stored = await (await fetch(want)).json();
  const differing = [...new Set([...Object.keys(stored), ...Object.keys(metadata)])]
    .filter((k) => canonical(stored[k]) !== canonical(metadata[k]));
  if (differing.length) {
    console.log(`NOTE the catalog's metadata differs from ${want} in: ${differing.map((k) =>
      `${k} (catalog ${canonical(metadata[k])?.slice(0, 200)}, stored ${canonical(stored[k])?.slice(0, 200)})`).join('; ')}`);
  }
  await walk(route, metadata, seen);
  const rows = await read(`the REST catalog's metadata (${route})`, { metadata });
  compare(`the REST catalog's table (version ${current.version})`, await sqlRows(current.version), rows);
  console.log(`REST catalog: ${route} is version ${current.version}, ${rows.length} rows, icebird matches SQL`);
}

// --- vacuumed versions -----------------------------------------------------------

for (const n of removed) {
  const { status } = await head(`${tableUrl}/metadata/v${n}.metadata.json`);
  if (status !== 404) fail(`vacuumed version ${n}: v${n}.metadata.json answers HTTP ${status}, expected 404`);
}
if (removed.length) console.log(`vacuumed versions ${removed.join(', ')}: no metadata JSON left (404)`);
if (args.ids) {
  const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
  const latest = await (await fetch(`${tableUrl}/metadata/v${hinted}.metadata.json`)).json();
  const now = { 'last-column-id': latest['last-column-id'], ids: {} };
  for (const schema of latest.schemas) for (const f of schema.fields) now.ids[f.name] = f.id;
  if (existsSync(args.ids)) {
    const before = JSON.parse(readFileSync(args.ids, 'utf8'));
    if (now['last-column-id'] < before['last-column-id']) {
      fail(`last-column-id went down from ${before['last-column-id']} to ${now['last-column-id']}`);
    }
    for (const [name, id] of Object.entries(now.ids)) {
      if (name in before.ids && before.ids[name] !== id) {
        fail(`column ${show(name)} had field id ${before.ids[name]} and now has ${id}`);
      }
    }
    console.log(`field ids kept: ${show(now.ids)}, last-column-id ${now['last-column-id']}`);
  }
  writeFileSync(args.ids, JSON.stringify(now));
}
seen.add(`${tableUrl}/metadata/version-hint.text`);
console.log(`all objects named by the metadata exist: ${seen.size} checked`);
if (args.named) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(args.named, [...seen].sort().join('\n') + '\n');
}
console.log(`all ${compared} versions match`);
