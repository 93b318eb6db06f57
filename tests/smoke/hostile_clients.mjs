// Hostile HTTP clients against a running server, for attacks_test.sh: slow
// heads and bodies held open while others must still be answered, and
// request framing that two parsers could read two ways.
//
//   node hostile_clients.mjs slow PORT TOKEN   # exit 0: others kept being answered
//   node hostile_clients.mjs framing PORT TOKEN  # exit 0: every ambiguous request refused
// Prints one line per finding; "BUG ..." lines explain a failure.
import net from 'node:net';

const [mode, portText, token] = process.argv.slice(2);
const port = Number(portText);
const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
// Generous on purpose: a starved server answers in tens of seconds, a healthy
// one in milliseconds; the bound only separates the two.
const ANSWER_WITHIN_MS = 5000;

function connect() {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

// Sends raw bytes; resolves with everything received until the server
// closes, or `timeoutMs` passes ({text, closed}).
async function exchange(bytes, timeoutMs = ANSWER_WITHIN_MS) {
  const socket = await connect();
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, timeoutMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

function statusOf(text) {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  return m ? Number(m[1]) : -1;
}

async function timed(label, bytes) {
  const start = Date.now();
  const { text } = await exchange(bytes);
  const ms = Date.now() - start;
  const status = statusOf(text);
  const ok = status === 200 && ms < ANSWER_WITHIN_MS;
  console.log(`${ok ? 'ok' : 'BUG'} ${label}: HTTP ${status} in ${ms} ms`);
  return ok;
}

async function slow() {
  const held = [];
  for (let i = 0; i < 100; i++) {
    const s = await connect();
    s.on('error', () => {});
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    held.push({ s, line: () => `X-Slow: ${i}\r\n` });
  }
  for (let i = 0; i < 20; i++) {
    const s = await connect();
    s.on('error', () => {});
    s.write(`POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 100000\r\n\r\n{`);
    held.push({ s, line: () => ' ' });
  }
  // A byte or a header line a second on each, as the attack did.
  const trickle = setInterval(() => held.forEach((h) => h.s.writable && h.s.write(h.line())), 1000);
  let good = true;
  const query = JSON.stringify({ sql: 'SELECT 42 AS answer' });
  for (let round = 0; round < 3; round++) {
    good = (await timed(`round ${round}: GET /healthz`, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')) && good;
    good = (await timed(`round ${round}: POST /v1/query`,
      `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\n` +
      `Content-Length: ${query.length}\r\nConnection: close\r\n\r\n${query}`)) && good;
    await new Promise((r) => setTimeout(r, 700));
  }
  clearInterval(trickle);
  held.forEach((h) => h.s.destroy());
  return good;
}

async function framing() {
  const smuggled = 'GET /healthz?smuggled=1 HTTP/1.1\r\nHost: x\r\n\r\n';
  const cases = {
    'two Content-Lengths': `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}`,
    'Content-Length with Transfer-Encoding': `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    'Transfer-Encoding other than chunked': `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    'negative chunk size': `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n`,
    'malformed chunk size': `POST /v1/query HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\n\r\n2zz\r\n{}\r\n0\r\n\r\n`,
    'bare LF in the head': `POST /v1/query HTTP/1.1\nHost: x\r\n${auth}Content-Length: 2\r\n\r\n{}`,
  };
  let good = true;
  for (const [name, bytes] of Object.entries(cases)) {
    const { text, closed } = await exchange(bytes + smuggled);
    const status = statusOf(text);
    const answers = (text.match(/HTTP\/1\.1 \d{3}/g) || []).length;
    const ok = status === 400 && closed && answers === 1;
    good = good && ok;
    console.log(`${ok ? 'ok' : 'BUG'} ${name}: HTTP ${status}, ${answers} answer(s), ${closed ? 'closed' : 'left open'}`);
  }
  return good;
}

const run = { slow, framing }[mode];
if (!run) {
  console.error('usage: node hostile_clients.mjs slow|framing PORT [TOKEN]');
  process.exit(2);
}
process.exit((await run()) ? 0 : 1);
