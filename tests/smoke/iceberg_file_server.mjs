// A read-only static file server over a local object store, for
// iceberg_readers_test.sh: GET or HEAD /<key> answers the store's object at
// that key (Range requests included), so Iceberg readers can follow the
// http:// locations the table metadata names, as they would an S3 bucket.
//
//   node iceberg_file_server.mjs ROOT PORT    # ROOT = the store's root (DATA/objects)
// Logs each request as "STATUS METHOD KEY" on stdout.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [root, port] = process.argv.slice(2);
if (!root || !port) {
  console.error('usage: node iceberg_file_server.mjs ROOT PORT');
  process.exit(2);
}

// The local backend's on-disk name of one key segment
// (src/storage/local_object_store.cpp, EscapeSegment): '%', control bytes,
// DEL and a leading '.' as %XX with upper-case hex; every other byte as is.
function escapeSegment(segment) {
  let out = '';
  const bytes = Buffer.from(segment, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x25 || c < 0x20 || c === 0x7f || (i === 0 && c === 0x2e)) {
      out += '%' + c.toString(16).toUpperCase().padStart(2, '0');
    } else {
      out += String.fromCharCode(c);
    }
  }
  // Back to the UTF-8 bytes the store wrote: only ASCII was rewritten above.
  return Buffer.from(out, 'latin1').toString('utf8');
}

// Every segment but the last is a directory named "<escaped>%2F" (Locate).
function fileOf(key) {
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return null;
  const names = segments.map(escapeSegment);
  return path.join(root, ...names.slice(0, -1).map((n) => n + '%2F'), names.at(-1));
}

http
  .createServer((req, res) => {
    const answer = (status, headers = {}, body) => {
      console.log(`${status} ${req.method} ${req.url}`);
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, { Allow: 'GET, HEAD' });
    let key;
    try {
      key = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
    } catch {
      return answer(400);
    }
    const file = key && fileOf(key);
    let size;
    try {
      const st = file && fs.statSync(file);
      if (!st || !st.isFile()) return answer(404);
      size = st.size;
    } catch {
      return answer(404);
    }
    const base = { 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    if (req.headers.range && range && (range[1] || range[2])) {
      // "a-b", "a-" or the suffix form "-n".
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        return answer(416, { ...base, 'Content-Range': `bytes */${size}` });
      }
      const headers = {
        ...base,
        'Content-Range': `bytes ${start}-${end}/${size}`,
        'Content-Length': end - start + 1,
      };
      console.log(`206 ${req.method} ${req.url} ${start}-${end}`);
      res.writeHead(206, headers);
      if (req.method === 'HEAD') return res.end();
      return fs.createReadStream(file, { start, end }).pipe(res);
    }
    console.log(`200 ${req.method} ${req.url}`);
    res.writeHead(200, { ...base, 'Content-Length': size });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  })
  .listen(Number(port), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
