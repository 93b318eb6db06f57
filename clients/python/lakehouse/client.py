"""The client: one HTTP connection per call to a Lakehouse server's JSON API.

A fresh connection per call keeps a ``Client`` safe to share between threads
and immune to a server that closed an idle keep-alive connection; the API's
calls are few and large enough that the handshake does not matter.
"""

import http.client
import io
import json
import os
import select
import socket
import urllib.parse
import warnings

from . import errors
from ._version import VERSION
from .results import Embeddings, Result, SearchResult

__all__ = ["Client", "connect", "DEFAULT_URL", "TruncatedResultWarning"]

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 300.0

_USER_AGENT = "lakehouse-python/" + VERSION


class TruncatedResultWarning(UserWarning):
    """A query without a limit came back cut at the server's default."""


def connect(url=None, token=None, timeout=DEFAULT_TIMEOUT):
    """A ``Client`` for the server at ``url``.

    ``url`` defaults to ``$LAKEHOUSE_URL``, then ``http://127.0.0.1:8080``;
    ``token`` to ``$LAKEHOUSE_TOKEN`` (the same as the ``lakehouse`` command
    line). ``timeout`` is in seconds, for connecting and for each wait on
    the server while a call runs. Nothing is sent until the first call.
    """
    return Client(url=url, token=token, timeout=timeout)


def _segment(name):
    # Names go into the path: a "/" or "?" in one must not change the route.
    return urllib.parse.quote(str(name), safe="")


def _is_dataframe(value):
    cls = type(value)
    return cls.__name__ == "DataFrame" and cls.__module__.split(".")[0] == "pandas"


class Client:
    """A Lakehouse server's HTTP API. Make one with ``lakehouse.connect()``."""

    def __init__(self, url=None, token=None, timeout=DEFAULT_TIMEOUT):
        url = url or os.environ.get("LAKEHOUSE_URL") or DEFAULT_URL
        if token is None:
            token = os.environ.get("LAKEHOUSE_TOKEN") or None
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://HOST[:PORT] or https://..., got {url!r}")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        # Bytes read and sent per step of an upload, and so how often an
        # ingest's progress callback is called.
        self.upload_chunk_size = 1 << 20
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")

    def __repr__(self):
        return f"lakehouse.Client({self.url!r})"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Nothing to release (no connection outlives a call); for ``with``."""

    # --- queries -----------------------------------------------------------

    def sql(self, q, as_of=None, limit=None):
        """Runs one read-only SQL statement and returns its ``Result``.

        ``as_of`` pins versions for the whole query, ``{"candidates": 3}``;
        a single version can also be named in the SQL, ``"candidates@3"``
        (in double quotes). ``limit`` caps the rows (up to the server's
        ``[queryd] max_rows``, 10,000,000 by default); left out, the server
        answers at most 1,000, and a cut result also warns
        (``TruncatedResultWarning``). ``Result.truncated`` says whether more
        rows existed.
        """
        body = {"sql": q}
        if limit is not None:
            body["limit"] = int(limit)
        if as_of:
            body["as_of"] = {str(name): int(version) for name, version in dict(as_of).items()}
        answer = self._call_json("POST", "/v1/query", body)
        # An error after the rows started comes in the tail under a 200.
        if isinstance(answer.get("error"), dict):
            error = answer["error"]
            code = error.get("code") or "internal"
            raise errors.error_class(code)(code, error.get("message") or "query failed", None)
        result = Result(answer)
        if limit is None and result.truncated:
            # The server's default limit is small (1,000 rows) so that a
            # stray SELECT * stays cheap; a silent cut would read as all.
            warnings.warn(
                f"the result stops at the server's default limit of {len(result.rows)} rows "
                "and more exist; pass limit=N for more (Result.truncated says so too)",
                TruncatedResultWarning,
                stacklevel=2,
            )
        return result

    # --- datasets ----------------------------------------------------------

    def datasets(self):
        """Every dataset: a list of ``{"name", "version", "rows", "bytes", "updated"}``."""
        return self._call_json("GET", "/v1/datasets")["datasets"]

    def dataset(self, name):
        """The current version's manifest of a dataset, with ``"name"`` and ``"updated"``."""
        return self._call_json("GET", f"/v1/datasets/{_segment(name)}")

    def versions(self, name):
        """Every version's manifest of a dataset, oldest first."""
        return self._call_json("GET", f"/v1/datasets/{_segment(name)}/versions")["versions"]

    def ingest(
        self,
        dataset,
        data,
        mode="append",
        key=None,
        progress=None,
        *,
        format=None,
        file_name=None,
        schema=None,
        force=False,
        delimiter=None,
        header=None,
        null=None,
        encoding=None,
        skip=None,
        dateformat=None,
        timestampformat=None,
    ):
        """Uploads a file as the dataset's next version; returns the server's answer.

        ``data`` is a path (CSV, JSON or Parquet, told by its extension or by
        ``format``), a pandas DataFrame (written to CSV in memory, without
        its index, then sent), a ``bytes`` object or a binary file object. The body is streamed in
        ``upload_chunk_size`` pieces and ``progress(sent_bytes, total_bytes)``
        is called after each (``total_bytes`` is None for an unseekable
        stream); an exception it raises aborts the upload.

        ``mode`` is ``"append"``, ``"overwrite"`` or ``"upsert"`` (which needs
        ``key``: a column or a list of columns). ``schema="evolve"`` lets an
        append or upsert add columns; ``force=True`` appends the bytes of the
        current version's source again. The CSV options are the ingest
        route's parameters of the same names (docs/api.md).

        The answer is ``{"dataset", "version", "operation", "rows_added",
        "rows"}``, with ``"rows_inserted"`` and ``"rows_updated"`` for upserts.
        """
        params = [("mode", mode)]
        stream, total, owned = None, None, False
        if _is_dataframe(data):
            stream = io.BytesIO(data.to_csv(index=False).encode("utf-8"))
            format = format or "csv"
        elif isinstance(data, (bytes, bytearray, memoryview)):
            stream = io.BytesIO(bytes(data))
        elif isinstance(data, (str, os.PathLike)):
            path = os.fspath(data)
            stream = open(path, "rb")
            owned = True
            file_name = file_name or os.path.basename(path)
        elif hasattr(data, "read"):
            stream = data
        else:
            raise TypeError(
                "data must be a file path, a pandas DataFrame, bytes or a binary file object, "
                f"not {type(data).__name__}"
            )
        try:
            total = _remaining_size(stream)
            if file_name:
                params.append(("file_name", file_name))
            if format:
                params.append(("format", format))
            if key is not None:
                params.append(("key", key if isinstance(key, str) else ",".join(key)))
            if schema:
                params.append(("schema", schema))
            if force:
                params.append(("force", "true"))
            for name, value in (
                ("delimiter", delimiter),
                ("header", header),
                ("null", null),
                ("encoding", encoding),
                ("skip", skip),
                ("dateformat", dateformat),
                ("timestampformat", timestampformat),
            ):
                if value is None:
                    continue
                if isinstance(value, bool):
                    value = "true" if value else "false"
                params.append((name, str(value)))
            path = f"/v1/datasets/{_segment(dataset)}/ingest?" + urllib.parse.urlencode(params)
            status, answer = self._upload(path, stream, total, progress)
        finally:
            if owned:
                stream.close()
        return self._json_or_raise(status, answer, (200, 201))

    # --- search and embeddings --------------------------------------------

    def indexes(self):
        """Every vector index: a list of ``{"name", "dim", "metric", "count", "persisted"}``."""
        return self._call_json("GET", "/v1/indexes")["indexes"]

    def index(self, name):
        """One index's settings, count, model and source dataset."""
        return self._call_json("GET", f"/v1/indexes/{_segment(name)}")

    def create_index(
        self,
        dataset,
        index,
        text_column,
        id_column="id",
        *,
        model=None,
        metadata_columns=None,
        rebuild=False,
        full_text=None,
        stemmer=None,
    ):
        """Builds (or refreshes) a text index over a dataset's column.

        Calling it again refreshes the index: only rows changed since the
        version it was built from are embedded again. Returns the index as
        ``index()`` does, plus ``"build"`` (what was done).
        """
        body = {"index": index, "id_column": id_column, "text_column": text_column}
        if model is not None:
            body["model"] = model
        if metadata_columns is not None:
            body["metadata_columns"] = list(metadata_columns)
        if rebuild:
            body["rebuild"] = True
        if full_text is not None:
            body["full_text"] = bool(full_text)
        if stemmer is not None:
            body["stemmer"] = stemmer
        return self._call_json("POST", f"/v1/datasets/{_segment(dataset)}/indexes", body)

    def search(
        self,
        index,
        text=None,
        vector=None,
        k=10,
        filter=None,
        mode=None,
        *,
        ef=None,
        highlight=False,
        rrf_k=None,
        weights=None,
    ):
        """Searches an index; returns a ``SearchResult`` of hits, best first.

        Give ``text`` (embedded by the index's model, and matched by keyword
        on an index with a full-text part) and/or ``vector``. ``mode`` is
        ``"hybrid"``, ``"vector"`` or ``"keyword"``; left out, the server
        chooses (hybrid for a text on an index with a full-text part).
        ``filter`` is a metadata filter, ``{"state": "TX"}``.
        """
        body = {"k": int(k)}
        if text is not None:
            body["text"] = text
        if vector is not None:
            body["vector"] = [float(x) for x in vector]
        if filter is not None:
            body["filter"] = filter
        if mode is not None:
            body["mode"] = mode
        if ef is not None:
            body["ef"] = int(ef)
        if highlight:
            body["highlight"] = True
        if rrf_k is not None:
            body["rrf_k"] = rrf_k
        if weights is not None:
            body["weights"] = weights
        return SearchResult(self._call_json("POST", f"/v1/indexes/{_segment(index)}/search", body))

    def embed(self, texts, model=None):
        """Embeds texts with the server's default embedder or ``model``.

        ``texts`` is a list of strings (a single string is one text). Returns
        ``Embeddings``: ``.vectors`` (one list of floats per text, in order),
        ``.model`` and ``.dim``.
        """
        if isinstance(texts, str):
            texts = [texts]
        body = {"texts": list(texts)}
        if model is not None:
            body["model"] = model
        return Embeddings(self._call_json("POST", "/v1/embed", body))

    # --- HTTP -------------------------------------------------------------

    def _headers(self, extra=None):
        headers = {"User-Agent": _USER_AGENT, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        if extra:
            headers.update(extra)
        return headers

    def _connect(self):
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        conn = cls(self._host, self._port, timeout=self.timeout)
        try:
            conn.connect()
        except OSError as e:
            conn.close()
            raise self._unreachable(e) from e
        return conn

    def _unreachable(self, e):
        if isinstance(e, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(e, socket.gaierror):
            reason = f"host {self._host} not found"
        elif isinstance(e, (socket.timeout, TimeoutError)):
            reason = f"timed out while connecting (after {self.timeout:g}s)"
        else:
            reason = str(e) or type(e).__name__
        return errors.ConnectionError(
            f"cannot reach {self.url}: {reason}; is `lakehouse serve` running there? "
            "Point the client elsewhere with lakehouse.connect(url=...) or LAKEHOUSE_URL",
            self.url,
        )

    def _no_answer(self, e):
        if isinstance(e, (socket.timeout, TimeoutError)):
            reason = f"no answer within {self.timeout:g}s"
        else:
            reason = f"the connection closed before the answer was complete ({type(e).__name__}: {e})"
        return errors.ConnectionError(f"no answer from {self.url}: {reason}", self.url)

    def _read_response(self, conn):
        try:
            response = conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as e:
            raise self._no_answer(e) from e
        finally:
            conn.close()

    def _call(self, method, path, body=None):
        """One request; returns (status, body bytes) whatever the status."""
        headers = self._headers()
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn = self._connect()
        try:
            conn.request(method, self._prefix + path, body=payload, headers=headers)
        except (OSError, http.client.HTTPException) as e:
            conn.close()
            raise self._no_answer(e) from e
        return self._read_response(conn)

    def _call_json(self, method, path, body=None):
        status, data = self._call(method, path, body)
        return self._json_or_raise(status, data, (200, 201))

    def _json_or_raise(self, status, data, ok):
        if status not in ok:
            raise errors.error_from_body(status, data)
        try:
            return json.loads(data.decode("utf-8"))
        except ValueError as e:
            raise errors.LakehouseError(
                "invalid_answer", f"the server's answer is not JSON: {data[:200]!r}", status
            ) from e

    def _upload(self, path, stream, total, progress):
        """POSTs a body read from ``stream``; returns (status, answer bytes)."""
        headers = self._headers({"Content-Type": "application/octet-stream"})
        if total is None:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(total)
        conn = self._connect()
        send_error = None
        try:
            conn.putrequest("POST", self._prefix + path, skip_accept_encoding=True)
            for name, value in headers.items():
                conn.putheader(name, value)
            conn.endheaders()
            sent = 0
            early = False
            while total is None or sent < total:
                want = self.upload_chunk_size
                if total is not None:
                    want = min(want, total - sent)
                chunk = stream.read(want)
                if not chunk:
                    break
                if total is None:
                    conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                else:
                    conn.send(chunk)
                sent += len(chunk)
                if progress is not None:
                    progress(sent, total)
                if _answered(conn):
                    # The server answers an upload before its end only to
                    # refuse it (a bad token, too large); sending on would
                    # end in a reset that can destroy that answer.
                    early = True
                    break
            if not early and total is None:
                conn.send(b"0\r\n\r\n")
            elif not early and sent < total:
                conn.close()
                raise ValueError(f"the upload ended after {sent} of its {total} bytes (did the file shrink?)")
        except (OSError, http.client.HTTPException) as e:
            # A server that refuses an upload (a bad token, too large) answers
            # before reading the body and closes the connection; its answer
            # is then waiting, and says more than the broken pipe.
            send_error = e
        except BaseException:
            conn.close()
            raise
        try:
            return self._read_response(conn)
        except errors.ConnectionError:
            if send_error is not None:
                raise self._no_answer(send_error) from send_error
            raise


def _answered(conn):
    """True when the server has sent something (or closed) while we still send."""
    sock = conn.sock
    if sock is None:
        return True
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def _remaining_size(stream):
    """Bytes left in a seekable stream, else None."""
    try:
        if not stream.seekable():
            return None
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end - here
    except (AttributeError, OSError, ValueError):
        return None
