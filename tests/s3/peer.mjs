// The S3 protocol peer of the S3 backend's tests: s3rver (npm, pinned in
// scripts/s3rver/package-lock.json) behind a small front that makes it
// behave like the stores Lakehouse targets where s3rver 3.7.1 does not.
// Everything below marked EXTENSION is this peer's, not s3rver's:
//
//  1. SigV4 is verified (s3rver 3.7.1 accepts any V4 signature): the
//     canonical request is rebuilt independently from the raw request, and
//     the payload's SHA-256 is checked, so a signing or key-encoding bug is a
//     403/400 here as it would be on AWS.
//  2. `If-None-Match: *` on PUT and on CompleteMultipartUpload: 412 when the
//     key exists (s3rver ignores the header on writes). AWS S3 (since August
//     2024), MinIO, Cloudflare R2, Ceph RGW and others honour it. Requests
//     on one key are serialised, which also makes each PUT atomic for
//     readers (s3rver writes objects in place).
//  3. AbortMultipartUpload (s3rver answers 405).
//  4. ListObjectsV2 in UTF-8 byte order with correct pagination (s3rver
//     walks directories depth first, so "a/b" came before "a-c").
//
// s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// keeps in its legacy provider: run this with `node --openssl-legacy-provider`
// (the test fixture does), or every truncated listing is a 500.
//
// Test-only controls (unsigned, never S3): GET /__peer/health,
// /__peer/fail?count=N&status=503|drop (the next N S3 requests fail with that
// status, or have their connection dropped), /__peer/conditional?on=0|1.
//
// Usage: node --openssl-legacy-provider peer.mjs --modules DIR --port N
//          --dir DIR --bucket B --access-key K --secret-key S
// where DIR/node_modules holds s3rver. Ready when /__peer/health answers.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createRequire } from "node:module";

const args = {};
for (let i = 2; i + 1 < process.argv.length; i += 2) {
  args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
}
for (const name of ["modules", "port", "dir", "bucket", "access-key", "secret-key"]) {
  if (!args[name]) {
    console.error(`peer.mjs: --${name} is required`);
    process.exit(2);
  }
}
try {
  crypto.createCipheriv("des", Buffer.alloc(8), Buffer.alloc(8));
} catch {
  console.error("peer.mjs: DES is unavailable; run node with --openssl-legacy-provider");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(args.modules), "peer.cjs"));
const S3rver = require("s3rver");
const S3Object = require("s3rver/lib/models/object");

const bucket = args.bucket;
fs.mkdirSync(args.dir, { recursive: true });
const inner = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory: args.dir,
  configureBuckets: [{ name: bucket }],
  vhostBuckets: false,
});

// EXTENSION 4: list every key, sort by bytes, then filter and cut.
const OBJECT_SUFFIX = "._S3rver_object";
inner.store.listObjects = async function listObjects(bucketName, options) {
  const { delimiter = "", startAfter = "", prefix = "", maxKeys = Infinity } = options;
  const keys = [];
  const walk = (dir, rel) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (rel === "" && entry.name === "._S3rver_uploads") continue;
        walk(path.join(dir, entry.name), `${rel}${entry.name}/`);
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        keys.push(rel + entry.name.slice(0, -OBJECT_SUFFIX.length));
      }
    }
  };
  walk(this.getBucketPath(bucketName), "");
  const bytes = (s) => Buffer.from(s, "utf8");
  keys.sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
  const after = bytes(startAfter || "");
  const selected = [];
  const commonPrefixes = new Set();
  let isTruncated = false;
  for (const key of keys) {
    if (!key.startsWith(prefix) || Buffer.compare(bytes(key), after) <= 0) continue;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) {
        commonPrefixes.add(key.slice(0, at + delimiter.length));
        continue;
      }
    }
    if (selected.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    selected.push(key);
  }
  const metadata = await Promise.all(
    selected.map((key) =>
      this.getMetadata(bucketName, key).catch((err) => {
        if (err.code === "ENOENT") return undefined;
        throw err;
      }),
    ),
  );
  return {
    objects: selected
      .map((key, i) => metadata[i] && new S3Object(bucketName, key, null, metadata[i]))
      .filter(Boolean),
    commonPrefixes: [...commonPrefixes].sort(),
    isTruncated,
  };
};

const innerAddress = await inner.run();

// ---- SigV4 verification (EXTENSION 1) ----

function awsEncode(text, keepSlash) {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === "/")) out += c;
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function decode(text) {
  return decodeURIComponent(text);
}

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => crypto.createHmac("sha256", key).update(data).digest();

function s3Error(res, status, code, message) {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
    `<Message>${message}</Message></Error>`;
  res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": body.length });
  res.end(body);
}

// Returns null when the request is properly signed, else [status, code, message].
function verify(req, rawPath, rawQuery, body) {
  const auth = req.headers.authorization || "";
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!match) return [403, "AccessDenied", "missing or malformed SigV4 Authorization"];
  const [, accessKey, day, region, signedHeaders, signature] = match;
  if (accessKey !== args["access-key"]) {
    return [403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist"];
  }
  const amzDate = req.headers["x-amz-date"] || "";
  if (!amzDate.startsWith(day)) return [403, "AccessDenied", "x-amz-date is not the scope's day"];
  const when = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
  if (!(Math.abs(Date.now() - when) < 15 * 60 * 1000)) {
    return [403, "RequestTimeTooSkewed", "request time too far from the server's"];
  }
  const payload = req.headers["x-amz-content-sha256"];
  if (!payload) return [400, "InvalidRequest", "x-amz-content-sha256 is required"];
  if (payload !== "UNSIGNED-PAYLOAD" && payload !== sha256(body)) {
    return [400, "XAmzContentSHA256Mismatch", "the body's SHA-256 is not x-amz-content-sha256"];
  }
  // As S3 does: decode the path, then encode each byte once.
  const canonicalUri = awsEncode(decode(rawPath), true);
  const query = rawQuery
    ? rawQuery.split("&").map((pair) => {
        const eq = pair.indexOf("=");
        const name = eq === -1 ? pair : pair.slice(0, eq);
        const value = eq === -1 ? "" : pair.slice(eq + 1);
        return [awsEncode(decode(name), false), awsEncode(decode(value), false)];
      })
    : [];
  query.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const names = signedHeaders.split(";");
  if (!names.includes("host")) return [403, "AccessDenied", "host must be signed"];
  const headers = names
    .map((name) => {
      const raw = req.headersDistinct[name];
      if (raw === undefined) return null;
      return `${name}:${raw.map((v) => v.trim().replace(/\s+/g, " ")).join(",")}\n`;
    })
    .join("");
  if (names.some((name) => req.headersDistinct[name] === undefined)) {
    return [403, "AccessDenied", "a signed header is missing"];
  }
  const canonical = [
    req.method,
    canonicalUri,
    query.map(([n, v]) => `${n}=${v}`).join("&"),
    headers,
    signedHeaders,
    payload,
  ].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`;
  let key = hmac(`AWS4${args["secret-key"]}`, day);
  key = hmac(key, region);
  key = hmac(key, "s3");
  key = hmac(key, "aws4_request");
  const expected = hmac(key, stringToSign).toString("hex");
  if (expected !== signature) {
    return [403, "SignatureDoesNotMatch", "The request signature we calculated does not match"];
  }
  return null;
}

// ---- per-key serialisation (EXTENSION 2) ----

const tails = new Map();
async function withKeyLock(id, fn) {
  const previous = tails.get(id) || Promise.resolve();
  let release;
  const mine = new Promise((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  tails.set(id, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (tails.get(id) === tail) tails.delete(id);
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function forward(req, res, forwardPath, body) {
  const headers = { ...req.headers };
  // s3rver would look the access key up in its own registry; the signature
  // has been checked here already.
  delete headers.authorization;
  delete headers.expect;
  delete headers["transfer-encoding"];
  headers.host = `127.0.0.1:${innerAddress.port}`;
  headers["content-length"] = String(body.length);
  return new Promise((resolve) => {
    const upstream = http.request(
      { host: "127.0.0.1", port: innerAddress.port, method: req.method, path: forwardPath, headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
        answer.on("end", resolve);
        answer.on("error", resolve);
        res.on("close", resolve);
      },
    );
    upstream.on("error", (err) => {
      s3Error(res, 500, "InternalError", String(err));
      resolve();
    });
    upstream.end(body);
  });
}

let failures = { count: 0, status: 503 };
let conditional = true;

const server = http.createServer(async (req, res) => {
  try {
    const q = req.url.indexOf("?");
    const rawPath = q === -1 ? req.url : req.url.slice(0, q);
    const rawQuery = q === -1 ? "" : req.url.slice(q + 1);
    const params = new URLSearchParams(rawQuery);

    if (rawPath.startsWith("/__peer/")) {
      if (rawPath === "/__peer/fail") {
        failures = { count: Number(params.get("count") || 1), status: params.get("status") || "503" };
      } else if (rawPath === "/__peer/conditional") {
        conditional = params.get("on") !== "0";
      }
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok\n");
      return;
    }

    const body = await readBody(req);
    if (failures.count > 0) {
      failures.count -= 1;
      if (failures.status === "drop") {
        req.socket.destroy();
        return;
      }
      s3Error(res, Number(failures.status), "SlowDown", "injected by the test peer");
      return;
    }

    // Path style (/bucket/key) or virtual-host style (Host: bucket.localhost).
    const hostName = (req.headers.host || "").replace(/:\d+$/, "");
    let requestBucket;
    let encodedKey;
    if (hostName.endsWith(".localhost")) {
      requestBucket = hostName.slice(0, -".localhost".length);
      encodedKey = rawPath.slice(1);
    } else {
      const slash = rawPath.indexOf("/", 1);
      requestBucket = decode(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
      encodedKey = slash === -1 ? "" : rawPath.slice(slash + 1);
    }

    const problem = verify(req, rawPath, rawQuery, body);
    if (problem) {
      s3Error(res, ...problem);
      return;
    }
    if (requestBucket !== bucket) {
      s3Error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
      return;
    }
    const key = decode(encodedKey);
    const forwardPath = `/${bucket}/${encodedKey}${rawQuery ? "?" + rawQuery : ""}`;

    // EXTENSION 3: AbortMultipartUpload.
    if (req.method === "DELETE" && params.has("uploadId")) {
      const dir = path.join(args.dir, bucket, "._S3rver_uploads", path.basename(params.get("uploadId")));
      if (!fs.existsSync(dir)) {
        s3Error(res, 404, "NoSuchUpload", "The specified upload does not exist");
        return;
      }
      fs.rmSync(dir, { recursive: true, force: true });
      res.writeHead(204);
      res.end();
      return;
    }

    if (!key) {
      await forward(req, res, forwardPath, body);
      return;
    }
    await withKeyLock(key, async () => {
      const writes =
        (req.method === "PUT" && !params.has("uploadId")) ||
        (req.method === "POST" && params.has("uploadId"));
      if (conditional && writes && req.headers["if-none-match"] === "*") {
        if (await inner.store.existsObject(bucket, key)) {
          s3Error(res, 412, "PreconditionFailed", "At least one of the preconditions you specified did not hold");
          return;
        }
      }
      await forward(req, res, forwardPath, body);
    });
  } catch (err) {
    if (!res.headersSent) s3Error(res, 500, "InternalError", String(err && err.message));
    else res.destroy();
  }
});
server.keepAliveTimeout = 30000;
server.listen(Number(args.port), "127.0.0.1");

const stop = () => {
  server.close();
  inner.close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
