"""The Python client against a real `lakehouse serve` (see conftest.py)."""

import builtins
import io
import math
import pickle
import re
import socket
import sys
import warnings

import pytest

import lakehouse
from conftest import READ_TOKEN, REPO, WRITE_TOKEN

pd = pytest.importorskip("pandas")

PEOPLE_V1 = "id,name,rate,hired,bio\n1,Ann,50.5,2024-01-15,forklift operator night shift\n2,Bob,60,2024-02-01,registered nurse in the ICU\n3,Cy,,2024-03-10,python data engineer\n"
PEOPLE_V2 = "id,name,rate,hired,bio\n4,Di,70,2024-04-20,welder with a CDL-A licence\n5,Ed,80.25,2024-05-05,accountant who knows excel\n"


@pytest.fixture(scope="module")
def people(server, tmp_path_factory):
    """A dataset of two versions: 3 rows from a CSV file, then 2 more appended."""
    c = lakehouse.connect(server.url)
    folder = tmp_path_factory.mktemp("people")
    first, second = folder / "people.csv", folder / "more.csv"
    first.write_text(PEOPLE_V1)
    second.write_text(PEOPLE_V2)
    one = c.ingest("people", first)
    two = c.ingest("people", str(second))
    return one, two


# --- sql -----------------------------------------------------------------------


def test_sql_rows_are_tuples_in_column_order(client, people):
    result = client.sql("SELECT id, name, rate FROM people ORDER BY id")
    assert result.columns == ["id", "name", "rate"]
    assert result.types[:2] == ["BIGINT", "VARCHAR"]
    assert result.rows == [
        (1, "Ann", 50.5),
        (2, "Bob", 60.0),
        (3, "Cy", None),
        (4, "Di", 70.0),
        (5, "Ed", 80.25),
    ]
    assert list(result) == result.rows
    assert len(result) == 5 and result[2] == (3, "Cy", None)
    assert result.dicts()[0] == {"id": 1, "name": "Ann", "rate": 50.5}
    assert result.versions == {"people": 2}
    assert result.truncated is False and result.row_count == 5


def test_sql_reads_the_demo_data(client):
    result = client.sql("SELECT count(*) AS n FROM candidates")
    assert result.columns == ["n"]
    assert result.scalar() == 2000
    assert result.versions == {"candidates": 1}


def test_sql_limit_truncates(client):
    result = client.sql("SELECT id FROM candidates ORDER BY id", limit=7)
    assert len(result.rows) == 7
    assert result.truncated is True
    assert [r[0] for r in result] == sorted(r[0] for r in result)


def test_sql_without_a_limit_warns_when_cut(client):
    with pytest.warns(lakehouse.TruncatedResultWarning, match="limit=N"):
        cut = client.sql("SELECT id FROM candidates")
    assert len(cut) == 1000 and cut.truncated is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        whole = client.sql("SELECT id FROM candidates", limit=5000)
    assert len(whole) == 2000 and whole.truncated is False


def test_wide_numbers_sent_as_text_arrive_as_numbers(client, people):
    # sum() of a BIGINT is a HUGEINT, of a DECIMAL(10,2) a DECIMAL(38,2):
    # the API writes both as JSON strings.
    result = client.sql("SELECT sum(id) AS s, sum(rate::DECIMAL(10,2)) AS d, max(rate::DECIMAL(10,2)) AS m FROM people")
    assert result.types == ["HUGEINT", "DECIMAL(38,2)", "DECIMAL(10,2)"]
    assert result.rows == [(15, 260.75, 80.25)]
    assert all(type(v) in (int, float) for v in result.rows[0])
    frame = result.df()
    assert str(frame["s"].dtype) == "int64" and str(frame["d"].dtype) == "float64"


def test_sql_as_of_reads_an_earlier_version(client, people):
    now = client.sql("SELECT count(*) FROM people")
    then = client.sql("SELECT count(*) FROM people", as_of={"people": 1})
    assert (now.scalar(), now.versions) == (5, {"people": 2})
    assert (then.scalar(), then.versions) == (3, {"people": 1})


def test_sql_name_at_version_time_travel(client, people):
    result = client.sql('SELECT max(id) FROM "people@1"')
    assert result.scalar() == 3
    assert result.versions == {"people": 1}


def test_df_types_the_columns(client, people):
    frame = client.sql("SELECT id, name, rate, hired, CASE WHEN id > 3 THEN id END AS late FROM people ORDER BY id").df()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["id", "name", "rate", "hired", "late"]
    assert frame.shape == (5, 5)
    assert str(frame["id"].dtype) == "int64"
    assert frame["rate"].dtype.kind == "f" and math.isnan(frame["rate"][2])
    assert frame["hired"].dtype.kind == "M"
    assert frame["hired"][0] == pd.Timestamp("2024-01-15")
    assert str(frame["late"].dtype) == "Int64"
    assert frame["late"].isna().tolist() == [True, True, True, False, False]
    assert frame["name"].tolist() == ["Ann", "Bob", "Cy", "Di", "Ed"]


def test_df_of_an_empty_result_keeps_the_columns(client, people):
    frame = client.sql("SELECT id, name FROM people WHERE id < 0").df()
    assert list(frame.columns) == ["id", "name"] and len(frame) == 0


def test_df_without_pandas_says_what_to_install(client, people, monkeypatch):
    result = client.sql("SELECT 1 AS one")
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail
    with pytest.raises(ImportError, match="needs pandas.*pip install pandas"):
        result.df()


# --- ingest -------------------------------------------------------------------


def test_ingest_a_file_answers_the_new_version(people):
    one, two = people
    assert one["dataset"] == "people" and one["version"] == 1 and one["operation"] == "create"
    assert one["rows_added"] == 3 and one["rows"] == 3
    assert two["operation"] == "append"
    assert two["version"] == 2 and two["rows_added"] == 2 and two["rows"] == 5


def test_ingest_a_file_in_chunks_reports_progress(client, tmp_path):
    lines = ["id,word"] + [f"{i},word{i}" for i in range(5000)]
    path = tmp_path / "words.csv"
    path.write_text("\n".join(lines) + "\n")
    size = path.stat().st_size
    client.upload_chunk_size = 4096
    calls = []
    answer = client.ingest("words", path, progress=lambda sent, total: calls.append((sent, total)))
    assert answer["rows"] == 5000
    assert len(calls) == math.ceil(size / 4096)
    assert all(total == size for _, total in calls)
    sent = [s for s, _ in calls]
    assert sent == sorted(sent) and sent[-1] == size and sent[0] == 4096
    # The server got every byte: the last row is there.
    assert client.sql("SELECT word FROM words WHERE id = 4999").scalar() == "word4999"
    assert client.dataset("words")["source"]["file_name"] == "words.csv"


def test_ingest_a_dataframe_sends_csv_with_progress(client):
    frame = pd.DataFrame(
        {
            "id": list(range(1, 2001)),
            "city": ["Austin" if i % 2 else "Boston, MA" for i in range(2000)],
            "score": [i / 4 for i in range(2000)],
            "seen": pd.to_datetime(["2025-03-01"] * 1999 + ["2025-03-02"]),
        }
    )
    frame.loc[5, "score"] = None
    client.upload_chunk_size = 8192
    calls = []
    answer = client.ingest("frame", frame, progress=lambda sent, total: calls.append((sent, total)))
    total = len(frame.to_csv(index=False).encode("utf-8"))
    assert answer["version"] == 1 and answer["rows"] == 2000
    assert len(calls) > 1 and calls[-1] == (total, total)
    back = client.sql("SELECT * FROM frame ORDER BY id", limit=5000).df()
    assert list(back.columns) == ["id", "city", "score", "seen"]
    assert back["id"].tolist() == frame["id"].tolist()
    assert back["city"].tolist() == frame["city"].tolist()
    assert back["score"].isna().tolist() == frame["score"].isna().tolist()
    assert back["score"].fillna(-1).tolist() == frame["score"].fillna(-1).tolist()
    assert back["seen"].max() == pd.Timestamp("2025-03-02")


def test_ingest_overwrite_and_upsert(client):
    client.ingest("modes", b"id,v\n1,a\n2,b\n", format="csv")
    over = client.ingest("modes", pd.DataFrame({"id": [1, 2, 3], "v": ["x", "y", "z"]}), mode="overwrite")
    assert (over["operation"], over["rows"]) == ("overwrite", 3)
    up = client.ingest("modes", pd.DataFrame({"id": [3, 4], "v": ["Z", "new"]}), mode="upsert", key="id")
    assert (up["rows_updated"], up["rows_inserted"], up["rows"]) == (1, 1, 4)
    assert client.sql("SELECT v FROM modes ORDER BY id").rows == [("x",), ("y",), ("Z",), ("new",)]


def test_ingest_an_unseekable_stream_is_sent_chunked(client):
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    body = ("n\n" + "".join(f"{i}\n" for i in range(3000))).encode()
    client.upload_chunk_size = 1000
    calls = []
    answer = client.ingest("piped", Pipe(body), format="csv", progress=lambda s, t: calls.append((s, t)))
    assert answer["rows"] == 3000
    assert calls[-1] == (len(body), None)
    assert client.sql("SELECT sum(n) FROM piped").scalar() == sum(range(3000))


def test_ingest_the_same_file_twice_is_a_conflict(client, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("a,b\n1,2\n")
    client.ingest("twice", path)
    with pytest.raises(lakehouse.Conflict) as caught:
        client.ingest("twice", path)
    assert caught.value.status == 409 and caught.value.code == "conflict"
    assert client.ingest("twice", path, force=True)["rows"] == 2


def test_ingest_a_bad_parameter_is_invalid_argument(client):
    with pytest.raises(lakehouse.InvalidArgument, match="delimiter"):
        client.ingest("badparam", b"a;b\n1;2\n", format="csv", delimiter=";;")
    with pytest.raises(TypeError, match="file path, a pandas DataFrame"):
        client.ingest("badparam", 42)


# --- datasets -----------------------------------------------------------------


def test_datasets_lists_every_dataset(client, people):
    listed = {d["name"]: d for d in client.datasets()}
    for name in ("candidates", "clients", "jobs", "placements", "timesheets", "people"):
        assert name in listed
    assert listed["people"]["version"] == 2 and listed["people"]["rows"] == 5
    assert listed["candidates"]["rows"] == 2000


def test_versions_are_oldest_first(client, people):
    versions = client.versions("people")
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["rows"] for v in versions] == [3, 5]
    assert versions[1]["source"]["file_name"] == "more.csv"
    assert [c["name"] for c in versions[0]["schema"]] == ["id", "name", "rate", "hired", "bio"]


# --- search and embed ---------------------------------------------------------


def test_embed_gives_one_vector_per_text(client):
    out = client.embed(["registered nurse", "forklift operator", "registered nurse"])
    assert len(out) == 3 and out.dim == len(out[0]) and out.dim > 0
    assert out.model
    assert out[0] == out[2] and out[0] != out[1]
    norm = math.sqrt(sum(x * x for x in out[0]))
    assert abs(norm - 1) < 1e-3
    assert client.embed("one text").vectors == [client.embed(["one text"])[0]]


def test_search_an_index_built_from_a_dataset(client, people):
    built = client.create_index("people", "people_bio", "bio", id_column="id", metadata_columns=["name"])
    assert built["count"] == 5 and built["build"]["upserted"] == 5
    hits = client.search("people_bio", text="night shift forklift", k=3)
    assert hits.mode == "hybrid"
    assert hits.ids[0] == "1" and hits[0]["metadata"]["name"] == "Ann"
    assert len(hits) <= 3 and [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    keyword = client.search("people_bio", text="nurse", mode="keyword", k=5)
    assert keyword.mode == "keyword" and keyword.ids == ["2"]
    # A vector from /v1/embed finds the text it embeds first.
    vector = client.embed(["python data engineer"])[0]
    nearest = client.search("people_bio", vector=vector, k=2)
    assert nearest.mode == "vector" and nearest.ids[0] == "3"
    frame = hits.df()
    assert "id" in frame.columns and "name" in frame.columns


def test_search_the_demo_index_with_a_filter(client):
    hits = client.search("candidates_resume", text="registered nurse", k=5, filter={"state": "TX"})
    assert 0 < len(hits) <= 5
    ids = ",".join(hits.ids)
    states = client.sql(f"SELECT DISTINCT state FROM candidates WHERE id IN ({ids})").rows
    assert states == [("TX",)]


def test_the_docs_notebook_session_runs(server, tmp_path, monkeypatch):
    # docs/python.md's example, as written, against a server with the demo.
    with open(f"{REPO}/docs/python.md") as f:
        section = f.read().split("## A notebook session", 1)[1].split("\n## ", 1)[0]
    code = "\n".join(re.findall(r"```python\n(.*?)```", section, re.S))
    assert "lh.search(" in code and "lh.ingest(" in code
    monkeypatch.chdir(tmp_path)
    scope = {}
    exec(compile(code.replace("http://127.0.0.1:8080", server.url), "docs/python.md", "exec"), scope)
    lh = scope["lh"]
    assert list(scope["by_state"].columns) == ["state", "placements", "billed"]
    assert scope["result"].columns == ["id", "name", "state"] and scope["result"].truncated
    assert [v["operation"] for v in lh.versions("wages")] == ["create", "append", "upsert"]
    assert lh.sql("SELECT min_wage FROM wages WHERE state = 'TX'").scalar() == 8.0
    assert lh.dataset("by_state")["rows"] == len(scope["by_state"])
    assert list(scope["hits"].df().columns[:2]) == ["id", "score"]
    assert len(scope["vectors"]) == 2


# --- errors -------------------------------------------------------------------


def test_bad_sql_is_invalid_argument(client):
    with pytest.raises(lakehouse.InvalidArgument) as caught:
        client.sql("SELEC 1")
    e = caught.value
    assert (e.status, e.code) == (400, "invalid_argument")
    assert "syntax error" in e.message
    assert isinstance(e, lakehouse.LakehouseError)
    assert "HTTP 400" in str(e)


def test_a_fenced_statement_is_forbidden(client, people):
    with pytest.raises(lakehouse.Forbidden) as caught:
        client.sql("DROP TABLE people")
    assert (caught.value.status, caught.value.code) == (403, "forbidden")
    assert "read-only" in caught.value.message
    assert client.sql("SELECT count(*) FROM people").scalar() == 5


def test_an_error_after_the_rows_started_is_raised(client):
    # The row that fails comes last, long after the answer's 200 and its
    # first rows went out: the error arrives in the JSON tail.
    with pytest.raises(lakehouse.InvalidArgument) as caught:
        client.sql(
            "SELECT CAST(CASE WHEN i = 1999999 THEN 'x' ELSE '1' END AS INTEGER) AS v FROM range(2000000) t(i)",
            limit=2000000,
        )
    assert caught.value.code == "invalid_argument" and caught.value.status is None
    assert "Could not convert" in caught.value.message


def test_an_unknown_dataset_is_not_found(client):
    with pytest.raises(lakehouse.NotFound) as caught:
        client.sql("SELECT * FROM nosuch")
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert "nosuch" in caught.value.message
    with pytest.raises(lakehouse.NotFound):
        client.versions("nosuch")
    with pytest.raises(lakehouse.NotFound):
        client.search("nosuch_index", text="x")
    with pytest.raises(lakehouse.NotFound, match="version 9"):
        client.sql('SELECT * FROM "people@9"')


def test_tokens_are_checked(auth_server):
    with pytest.raises(lakehouse.Unauthenticated) as caught:
        lakehouse.connect(auth_server.url, token="not-a-real-token-000000").datasets()
    assert (caught.value.status, caught.value.code) == (401, "unauthenticated")
    with pytest.raises(lakehouse.Unauthenticated):
        lakehouse.connect(auth_server.url, token="").sql("SELECT 1")

    writer = lakehouse.connect(auth_server.url, token=WRITE_TOKEN)
    assert writer.ingest("guarded", b"a\n1\n2\n", format="csv")["rows"] == 2
    reader = lakehouse.connect(auth_server.url, token=READ_TOKEN)
    assert reader.sql("SELECT count(*) FROM guarded").scalar() == 2
    # Too low a scope for an upload: refused before the body is read, and the
    # answer still comes through as the typed error, not a broken pipe.
    reader.upload_chunk_size = 1 << 16
    body = b"a\n" + b"3\n" * (8 << 20)
    calls = []
    with pytest.raises(lakehouse.Forbidden) as caught:
        reader.ingest("guarded", body, format="csv", progress=lambda s, t: calls.append(s))
    assert caught.value.status == 403 and "write" in caught.value.message
    assert calls and calls[-1] < len(body)  # it stopped sending
    assert reader.sql("SELECT count(*) FROM guarded").scalar() == 2


def test_the_token_comes_from_the_environment(auth_server, monkeypatch):
    monkeypatch.setenv("LAKEHOUSE_URL", auth_server.url)
    monkeypatch.setenv("LAKEHOUSE_TOKEN", READ_TOKEN)
    assert lakehouse.connect().sql("SELECT 42").scalar() == 42


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_a_connection_error():
    url = f"http://127.0.0.1:{_free_port()}"
    c = lakehouse.connect(url, timeout=5)
    with pytest.raises(lakehouse.ConnectionError) as caught:
        c.sql("SELECT 1")
    e = caught.value
    assert "connection refused" in str(e) and url in str(e)
    assert isinstance(e, lakehouse.LakehouseError) and isinstance(e, builtins.ConnectionError)
    assert e.status is None and e.code == "connection"
    with pytest.raises(lakehouse.ConnectionError):
        c.ingest("x", b"a\n1\n", format="csv")


def test_a_server_that_never_answers_times_out():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        c = lakehouse.connect(f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=0.5)
        with pytest.raises(lakehouse.ConnectionError, match="no answer"):
            c.datasets()


# --- error mapping, no server -------------------------------------------------


@pytest.mark.parametrize(
    "status,code,cls",
    [
        (400, "invalid_argument", lakehouse.InvalidArgument),
        (400, "invalid_key", lakehouse.InvalidKey),
        (401, "unauthenticated", lakehouse.Unauthenticated),
        (403, "forbidden", lakehouse.Forbidden),
        (404, "not_found", lakehouse.NotFound),
        (409, "conflict", lakehouse.Conflict),
        (412, "already_exists", lakehouse.AlreadyExists),
        (413, "too_large", lakehouse.TooLarge),
        (422, "unprocessable", lakehouse.Unprocessable),
        (422, "resource_exhausted", lakehouse.ResourceExhausted),
        (504, "timeout", lakehouse.Timeout),
        (503, "unavailable", lakehouse.Unavailable),
        (507, "insufficient_storage", lakehouse.InsufficientStorage),
        (500, "io_error", lakehouse.ServerError),
        # A code this client does not know maps by its status.
        (404, "some_new_code", lakehouse.NotFound),
        (418, "some_new_code", lakehouse.LakehouseError),
    ],
)
def test_error_codes_map_to_classes(status, code, cls):
    from lakehouse.errors import error_from_body

    body = ('{"error": {"code": "%s", "message": "it went wrong"}}' % code).encode()
    e = error_from_body(status, body)
    assert type(e) is cls
    assert (e.code, e.message, e.status) == (code, "it went wrong", status)
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls and (again.code, again.message, again.status) == (code, "it went wrong", status)


def test_an_error_without_json_keeps_its_text():
    from lakehouse.errors import error_from_body

    e = error_from_body(502, b"<html>Bad Gateway</html>")
    assert type(e) is lakehouse.Unavailable and e.code == "unavailable"
    assert "Bad Gateway" in e.message
