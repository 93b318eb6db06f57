"""What queries, searches and embeddings answer, as small read-only objects."""

import datetime

__all__ = ["Result", "SearchResult", "Embeddings"]

_PANDAS_MISSING = (
    "{what} needs pandas, which is not installed here: "
    "pip install pandas (on Debian: apt-get install python3-pandas); "
    "the rest of the lakehouse client works without it"
)

_INTEGER_TYPES = {
    "HUGEINT",
    "UHUGEINT",
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}


def _pandas(what):
    # Imported here, not at the top: pandas is optional and slow to import.
    try:
        import pandas
    except ImportError as e:
        raise ImportError(_PANDAS_MISSING.format(what=what)) from e
    return pandas


def _sql_base(sql_type):
    return sql_type.split("(")[0].strip().upper()


def _to_int(v):
    return None if v is None else int(v)


def _to_float(v):
    return None if v is None else float(v)


def _convert_rows(types, rows):
    # The API writes HUGEINT and a DECIMAL wider than 18 digits (what
    # sum() of a BIGINT or a DECIMAL gives) as JSON text, since a JSON
    # number would not keep them; here they become numbers like the rest.
    converters = {}
    for i, sql_type in enumerate(types):
        base = _sql_base(sql_type)
        if base in ("HUGEINT", "UHUGEINT"):
            converters[i] = _to_int
        elif base == "DECIMAL":
            converters[i] = _to_float
    if not converters:
        return [tuple(row) for row in rows]
    out = []
    for row in rows:
        row = list(row)
        for i, convert in converters.items():
            if isinstance(row[i], str):
                row[i] = convert(row[i])
        out.append(tuple(row))
    return out


class Result:
    """The answer of ``Client.sql``.

    ``rows`` is a list of tuples, one value per column in the order of
    ``columns`` (the column names; ``types`` holds their SQL types). Values
    are as the API's JSON has them, with numbers kept as numbers: integers
    (HUGEINT too) as int, DOUBLE, FLOAT and DECIMAL as float (NaN and
    infinities arrive as None), strings, booleans, None for NULL; DATE,
    TIME, TIMESTAMP and INTERVAL as text (``"2025-06-30"``,
    ``"2025-06-30 12:00:00"``), which ``df()`` turns into pandas datetimes;
    LIST and STRUCT as lists and dicts. ``versions`` maps each dataset the
    query read to the version it read, so the answer can be replayed with
    ``as_of``. Iterating a result yields its rows.
    """

    def __init__(self, answer):
        self.columns = [c["name"] for c in answer.get("columns", [])]
        self.types = [c["type"] for c in answer.get("columns", [])]
        self.rows = _convert_rows(self.types, answer.get("rows", []))
        self.versions = dict(answer.get("versions") or {})
        self.row_count = answer.get("row_count", len(self.rows))
        self.truncated = bool(answer.get("truncated", False))
        self.elapsed_ms = answer.get("elapsed_ms")

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def __repr__(self):
        more = ", truncated" if self.truncated else ""
        return f"<lakehouse.Result {len(self.rows)} rows x {len(self.columns)} columns{more}, versions={self.versions}>"

    def dicts(self):
        """The rows as dicts keyed by column name (a later column wins a repeated name)."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def scalar(self):
        """The single value of a one-row, one-column result."""
        if len(self.rows) != 1 or len(self.columns) != 1:
            raise ValueError(f"scalar() needs 1 row and 1 column, the result has {len(self.rows)} x {len(self.columns)}")
        return self.rows[0][0]

    def df(self):
        """The result as a pandas DataFrame, typed by the columns' SQL types.

        Integer columns with NULLs become pandas' nullable ``Int64``, BOOLEAN
        ones ``boolean``, DATE and TIMESTAMP columns ``datetime64``.
        """
        pd = _pandas("Result.df()")
        columns = list(zip(*self.rows)) if self.rows else [() for _ in self.columns]
        data = {i: _series(pd, t, list(v)) for i, (t, v) in enumerate(zip(self.types, columns))}
        frame = pd.DataFrame(data, columns=list(range(len(self.columns))))
        # Positions first, names after: a result may repeat a column name.
        frame.columns = self.columns
        return frame


def _series(pd, sql_type, values):
    base = _sql_base(sql_type)
    has_null = any(v is None for v in values)
    if base in _INTEGER_TYPES:
        try:
            return pd.Series(values, dtype="Int64" if has_null else "int64")
        except (OverflowError, TypeError, ValueError):
            # Beyond int64 (a large UBIGINT or HUGEINT): Python ints.
            return pd.Series(values, dtype=object)
    if base == "BOOLEAN" and has_null:
        return pd.Series(values, dtype="boolean")
    if base == "DATE" or base.startswith("TIMESTAMP"):
        try:
            return pd.Series(pd.to_datetime(values, utc=base.endswith("WITH TIME ZONE")))
        except (ValueError, OverflowError):
            # Outside pandas' nanosecond range (year 1, year 9999): Python objects.
            return pd.Series([_parse_datetime(v, base) for v in values], dtype=object)
    if base in ("DOUBLE", "FLOAT", "DECIMAL", "REAL"):
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype=object if not values else None)


def _parse_datetime(text, base):
    if text is None:
        return None
    try:
        if base == "DATE":
            return datetime.date.fromisoformat(text)
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        return text  # a form fromisoformat does not read (BC dates): as the API sent it


class SearchResult:
    """The answer of ``Client.search``: ``hits`` best first, and the ``mode`` used.

    Each hit is a dict with ``id``, ``score`` (higher is better in every
    mode), ``distance``, ``metadata``, and in hybrid mode ``vector_rank`` and
    ``keyword_rank``. Iterating yields the hits.
    """

    def __init__(self, answer):
        self.mode = answer.get("mode")
        self.hits = list(answer.get("results", []))

    def __iter__(self):
        return iter(self.hits)

    def __len__(self):
        return len(self.hits)

    def __getitem__(self, i):
        return self.hits[i]

    def __repr__(self):
        return f"<lakehouse.SearchResult {len(self.hits)} hits, mode={self.mode!r}>"

    @property
    def ids(self):
        """The hits' ids, best first."""
        return [hit["id"] for hit in self.hits]

    def df(self):
        """The hits as a DataFrame, one column per hit field and per metadata key."""
        pd = _pandas("SearchResult.df()")
        rows = []
        for hit in self.hits:
            # id and score lead; then the rankers' fields, then the metadata.
            row = {"id": hit.get("id"), "score": hit.get("score")}
            row.update((k, v) for k, v in hit.items() if k != "metadata" and k not in row)
            for k, v in (hit.get("metadata") or {}).items():
                row.setdefault(k, v)
            rows.append(row)
        return pd.DataFrame(rows, columns=None if rows else ["id", "score"])


class Embeddings:
    """The answer of ``Client.embed``: one vector per text, in order."""

    def __init__(self, answer):
        self.model = answer.get("model")
        self.dim = answer.get("dim")
        self.vectors = list(answer.get("vectors", []))

    def __iter__(self):
        return iter(self.vectors)

    def __len__(self):
        return len(self.vectors)

    def __getitem__(self, i):
        return self.vectors[i]

    def __repr__(self):
        return f"<lakehouse.Embeddings {len(self.vectors)} x {self.dim}, model={self.model!r}>"
