"""What queries, searches and embeddings answer, as small read-only objects."""

import datetime

__all__ = ["Result", "SearchResult", "Embeddings"]

_PANDAS_MISSING = (
    "{what} needs pandas, which is not installed here: "
    "pip install pandas (on Debian: apt-get install python3-pandas); "
    "the rest of the lakehouse client works without it"
)

_INTEGER_TYPES = {
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


class Result:
    """The answer of ``Client.sql``.

    ``rows`` is a list of tuples, one value per column in the order of
    ``columns`` (the column names; ``types`` holds their SQL types). Values
    are as the API's JSON has them: numbers (DECIMAL as float), strings,
    booleans, None for NULL, DATE and TIMESTAMP as ISO text
    (``"2025-06-30"``, ``"2025-06-30 12:00:00"``); ``df()`` turns those into
    pandas datetimes. ``versions`` maps each dataset the query read to the
    version it read, so the answer can be replayed with ``as_of``.
    Iterating a result yields its rows.
    """

    def __init__(self, answer):
        self.columns = [c["name"] for c in answer.get("columns", [])]
        self.types = [c["type"] for c in answer.get("columns", [])]
        self.rows = [tuple(row) for row in answer.get("rows", [])]
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
    base = sql_type.split("(")[0].strip().upper()
    has_null = any(v is None for v in values)
    if base in _INTEGER_TYPES:
        return pd.Series(values, dtype="Int64" if has_null else "int64")
    if base == "BOOLEAN" and has_null:
        return pd.Series(values, dtype="boolean")
    if base in ("DATE", "TIMESTAMP"):
        try:
            return pd.Series(pd.to_datetime(values))
        except (ValueError, OverflowError):
            # Outside pandas' nanosecond range (year 1, year 9999): Python objects.
            return pd.Series([_parse_datetime(v, base) for v in values], dtype=object)
    if base in ("DOUBLE", "FLOAT", "DECIMAL", "REAL"):
        return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
    return pd.Series(values, dtype=object if not values else None)


def _parse_datetime(text, base):
    if text is None:
        return None
    if base == "DATE":
        return datetime.date.fromisoformat(text)
    return datetime.datetime.fromisoformat(text)


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
            row = {k: v for k, v in hit.items() if k != "metadata"}
            for k, v in (hit.get("metadata") or {}).items():
                row.setdefault(k, v)
            rows.append(row)
        return pd.DataFrame(rows)


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
