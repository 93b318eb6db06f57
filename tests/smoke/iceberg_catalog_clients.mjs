// A real Iceberg REST client (iceberg-js) against Lakehouse's catalog, for
// iceberg_catalog_test.sh: namespaces, tables, each table's metadata against
// the dataset's current version, existence checks, and the error shapes of
// an unknown table, a write and a request without a token.
//
//   node iceberg_catalog_clients.mjs --modules DIR --url URL --token TOKEN \
//        --namespace lakehouse --tables a,b
// DIR/node_modules holds iceberg-js (scripts/iceberg-readers, installed by
// scripts/bootstrap.sh). Prints one line per check; exits 1 at the first
// failure, with a "FAIL" line saying what was expected.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
}
for (const name of ['modules', 'url', 'token', 'namespace', 'tables']) {
  if (!args[name]) {
    console.error(`missing --${name}`);
    process.exit(2);
  }
}
const entry = path.join(path.resolve(args.modules), 'node_modules/iceberg-js/dist/index.mjs');
const { IcebergRestCatalog, IcebergError } = await import(pathToFileURL(entry).href);

const namespace = [args.namespace];
const expected = args.tables.split(',').sort();
const catalog = (auth) =>
  new IcebergRestCatalog({ baseUrl: `${args.url}/iceberg`, auth });
const lake = catalog({ type: 'bearer', token: args.token });

function fail(message) {
  console.log(`FAIL ${message}`);
  process.exit(1);
}
function check(ok, message, detail = '') {
  if (!ok) fail(`${message}${detail ? `: ${detail}` : ''}`);
  console.log(`ok ${message}`);
}
const show = (value) => JSON.stringify(value);

// The promise's IcebergError; fails if it resolves or throws anything else.
async function rejection(promise, what) {
  try {
    const value = await promise;
    fail(`${what}: expected an error, got ${show(value)}`);
  } catch (error) {
    if (!(error instanceof IcebergError)) fail(`${what}: not an IcebergError: ${error}`);
    return error;
  }
}
function checkError(error, status, type, messagePart, what) {
  const detail = `status ${error.status}, body ${show(error.details)}`;
  check(error.status === status, `${what}: HTTP ${status}`, detail);
  check(error.icebergType === type, `${what}: type ${type}`, detail);
  check(error.icebergCode === status, `${what}: code ${status}`, detail);
  check(error.message.includes(messagePart), `${what}: message has "${messagePart}"`, detail);
}

// The dataset's current version, from Lakehouse's own API.
async function currentVersion(name) {
  const answer = await fetch(`${args.url}/v1/datasets/${name}`, {
    headers: { Authorization: `Bearer ${args.token}` },
  });
  if (answer.status !== 200) fail(`GET /v1/datasets/${name}: HTTP ${answer.status}`);
  return (await answer.json()).version;
}

const config = await lake.loadConfig();
check(Array.isArray(config.endpoints), 'config lists its endpoints', show(config));

const { namespaces } = await lake.listNamespaces();
check(
  show(namespaces) === show([{ namespace }]),
  `listNamespaces is [${args.namespace}]`,
  show(namespaces),
);
check(await lake.namespaceExists({ namespace }), 'namespaceExists: true');
check(!(await lake.namespaceExists({ namespace: ['nope'] })), 'namespaceExists(nope): false');

const { identifiers } = await lake.listTables({ namespace });
const names = identifiers.map((id) => id.name).sort();
check(show(names) === show(expected), `listTables is ${expected}`, show(identifiers));
check(
  identifiers.every((id) => show(id.namespace) === show(namespace)),
  'every identifier is in the namespace',
);

for (const name of expected) {
  const id = { namespace, name };
  const result = await lake.loadTableResult(id);
  const location = result['metadata-location'];
  check(
    typeof location === 'string' && location.endsWith('.metadata.json'),
    `${name}: metadata-location names a metadata file`,
    location,
  );
  check(result.metadata['format-version'] === 2, `${name}: format-version 2`);
  const version = await currentVersion(name);
  check(
    Number(result.metadata['current-snapshot-id']) === version,
    `${name}: current-snapshot-id is the dataset's version ${version}`,
    show(result.metadata['current-snapshot-id']),
  );
  const metadata = await lake.loadTable(id, { snapshots: 'refs' });
  check(metadata['table-uuid'] === result.metadata['table-uuid'], `${name}: snapshots=refs loads`);
  check(await lake.tableExists(id), `${name}: tableExists true`);
}
check(!(await lake.tableExists({ namespace, name: 'no_such_table' })), 'tableExists(no_such_table): false');

let error = await rejection(lake.loadTable({ namespace, name: 'no_such_table' }), 'load an unknown table');
checkError(error, 404, 'NoSuchTableException',
  `Table does not exist: ${args.namespace}.no_such_table`, 'unknown table');

error = await rejection(lake.listTables({ namespace: ['nope'] }), 'list an unknown namespace');
checkError(error, 404, 'NoSuchNamespaceException', 'nope', 'unknown namespace');

error = await rejection(
  lake.createTable({ namespace }, {
    name: 'made_by_iceberg',
    schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }],
      'schema-id': 0 },
  }),
  'create a table',
);
checkError(error, 403, 'ForbiddenException', 'read-only', 'create table');

error = await rejection(
  lake.commitTable({ namespace, name: expected[0] }, {
    requirements: [],
    updates: [{ action: 'set-properties', updates: { owner: 'someone' } }],
  }),
  'commit to a table',
);
checkError(error, 403, 'ForbiddenException', `/v1/datasets/${expected[0]}/ingest`, 'commit');

error = await rejection(lake.dropTable({ namespace, name: expected[0] }), 'drop a table');
checkError(error, 403, 'ForbiddenException', 'read-only', 'drop table');

error = await rejection(lake.createNamespace({ namespace: ['another'] }), 'create a namespace');
checkError(error, 403, 'ForbiddenException', 'read-only', 'create namespace');

error = await rejection(catalog({ type: 'none' }).listNamespaces(), 'no token');
checkError(error, 401, 'NotAuthorizedException', 'token', 'no token');
error = await rejection(
  catalog({ type: 'bearer', token: 'not-a-known-token-0000' }).listNamespaces(), 'a wrong token');
checkError(error, 401, 'NotAuthorizedException', 'not known', 'wrong token');

console.log('all iceberg-js checks passed');
