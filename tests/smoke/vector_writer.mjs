// A stream of vector writes that may be cut off by kill -9 at any moment,
// and the check that follows a restart, for vectors_kill9_test.sh.
//
//   node vector_writer.mjs write PORT INDEX LOG ROUND   # until the server dies
//   node vector_writer.mjs verify PORT INDEX LOG        # exit 0: every acknowledged write holds
//
// Items carry a text, so the index's full-text part is checked the same way.
// The log (appended synchronously, so it survives whatever happens to the
// server) records "try-del ID" before a delete is sent, then "add ID" or
// "del ID" once the server acknowledged the write with persisted true. An
// add or delete whose answer never came may or may not have happened;
// everything acknowledged must have.
import fs from 'node:fs';

const DIM = 8;
const [mode, portText, index, log, roundText] = process.argv.slice(2);
const base = `http://127.0.0.1:${portText}/v1/indexes/${index}`;

// The vector of an id: a pure function of the id, so the check needs no copy.
function vectorOf(id) {
  let h = 2166136261;
  for (const c of id) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const v = [];
  for (let i = 0; i < DIM; i++) {
    h = Math.imul(h ^ (h >>> 15), 2246822519) >>> 0;
    v.push((h % 20000) / 100 - 100);
  }
  return v;
}

// The text of an id for the index's full-text part: the id is a term of its
// own (hyphens keep it whole), found first by a keyword search for it.
function textOf(id) {
  return `posting ${id}`;
}

// Whether a keyword search for the id's term answers the id first.
async function foundByKeyword(id) {
  const s = await call('POST', `${base}/search`, { text: id, mode: 'keyword', k: 1 });
  if (s.status !== 200) throw new Error(`keyword search answered ${s.status}: ${s.text}`);
  const hit = JSON.parse(s.text).results[0];
  return hit !== undefined && hit.id === id;
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text };
}

async function write() {
  const round = Number(roundText);
  const acked = [];
  for (let batch = 0; ; batch++) {
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push(`r${round}-b${batch}-${i}`);
    let r;
    try {
      r = await call('POST', `${base}/vectors`, { items: ids.map((id) => ({ id, vector: vectorOf(id), text: textOf(id) })) });
    } catch {
      return; // the server is gone: this batch's fate is unknown
    }
    if (r.status !== 200 && r.status !== 201) throw new Error(`add answered ${r.status}: ${r.text}`);
    if (JSON.parse(r.text).persisted === true) {
      fs.appendFileSync(log, ids.map((id) => `add ${id}\n`).join(''));
      acked.push(...ids);
    }
    if (batch % 3 === 2) {
      for (const id of acked.splice(0, 5)) {
        fs.appendFileSync(log, `try-del ${id}\n`);
        try {
          r = await call('DELETE', `${base}/vectors/${id}`);
        } catch {
          return;
        }
        if (r.status !== 204) throw new Error(`delete answered ${r.status}: ${r.text}`);
        if (r.headers.get('x-lakehouse-persisted') === 'true') fs.appendFileSync(log, `del ${id}\n`);
      }
    }
  }
}

async function verify() {
  const added = new Set();
  const deleted = new Set();
  const uncertain = new Set();
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const [op, id] = line.split(' ');
    if (op === 'add') added.add(id);
    if (op === 'try-del') uncertain.add(id);
    if (op === 'del') {
      deleted.add(id);
      uncertain.delete(id);
    }
  }
  let present = 0;
  let bad = 0;
  for (const id of added) {
    if (deleted.has(id) || uncertain.has(id)) continue;
    const r = await call('GET', `${base}/vectors/${id}`);
    const got = r.status === 200 ? JSON.parse(r.text).vector : null;
    const want = vectorOf(id);
    if (!got || got.some((x, i) => Math.abs(x - want[i]) > 1e-4)) {
      console.log(`BUG acknowledged ${id} is missing or changed: HTTP ${r.status} ${r.text.slice(0, 200)}`);
      bad++;
      continue;
    }
    const s = await call('POST', `${base}/search`, { vector: want, k: 1, ef: 400 });
    const hit = s.status === 200 ? JSON.parse(s.text).results[0] : null;
    if (!hit || hit.distance > 1e-6) {
      console.log(`BUG acknowledged ${id} is not found at distance 0: ${s.text.slice(0, 200)}`);
      bad++;
      continue;
    }
    if (!(await foundByKeyword(id))) {
      console.log(`BUG acknowledged ${id} is not found by its text`);
      bad++;
      continue;
    }
    present++;
  }
  for (const id of deleted) {
    const r = await call('GET', `${base}/vectors/${id}`);
    if (r.status !== 404) {
      console.log(`BUG deleted ${id} came back: HTTP ${r.status}`);
      bad++;
    } else if (await foundByKeyword(id)) {
      console.log(`BUG deleted ${id} is still found by its text`);
      bad++;
    }
  }
  console.log(`${present} acknowledged items present, ${deleted.size} deleted ones absent, ${bad} wrong`);
  return bad === 0;
}

if (mode === 'write') {
  await write();
} else if (mode === 'verify') {
  process.exit((await verify()) ? 0 : 1);
} else {
  console.error('usage: node vector_writer.mjs write|verify PORT INDEX LOG [ROUND]');
  process.exit(2);
}
