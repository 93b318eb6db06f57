# PostgreSQL clients against a running serve's [pgwire] listener, for pgwire_test.sh:
#
#   python3 pgwire_clients.py psycopg2 PORT   # parameters, a named cursor, errors as classes
#   python3 pgwire_clients.py psycopg3 PORT NAME  # the extended protocol; NAME: candidate 7's
#   python3 pgwire_clients.py hostile PORT    # bad bytes and floods; others keep being served
#   python3 pgwire_clients.py catalog PORT    # pandas read_sql, SQLAlchemy's inspector
#
# Prints one line per check; a failed check prints "BUG ..." and exits 1.
import socket
import struct
import sys
import threading
import time

mode, port = sys.argv[1], int(sys.argv[2])


def bug(message):
    print("BUG " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        bug(message)
    print("ok " + message)


def run_psycopg2():
    import psycopg2
    import psycopg2.errors

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="x", dbname="lakehouse")
    cur = conn.cursor()
    # psycopg2 quotes parameters into the text itself (simple protocol).
    cur.execute("SELECT count(*) FROM candidates WHERE id <= %s", (3,))
    check(cur.fetchone()[0] == 3, "a parameterised count")
    cur.execute("SELECT id, name FROM candidates ORDER BY id LIMIT %s", (2,))
    rows = cur.fetchall()
    check(len(rows) == 2 and isinstance(rows[0][0], int), "rows with typed columns")
    cur.execute("SELECT true, 1.5::DOUBLE, DATE '2024-02-29', NULL")
    row = cur.fetchone()
    check(row[0] is True and row[1] == 1.5 and str(row[2]) == "2024-02-29" and row[3] is None,
          "booleans, doubles, dates and NULL parse as Python values")
    # A server-side cursor: DECLARE ... then FETCH FORWARD n in batches.
    named = conn.cursor(name="batches")
    named.itersize = 100
    named.execute("SELECT id FROM candidates ORDER BY id")
    seen = sum(1 for _ in named)
    named.close()
    cur.execute("SELECT count(*) FROM candidates")
    check(seen == cur.fetchone()[0] and seen > 100, "a named cursor fetched %d rows in batches" % seen)
    conn.commit()
    for sql, error in [
        ("SELECT * FROM nosuch", psycopg2.errors.UndefinedTable),
        ("DROP TABLE candidates", psycopg2.errors.InsufficientPrivilege),
        ("SELECT nosuch FROM candidates", psycopg2.errors.UndefinedColumn),
        ("SELEC 1", psycopg2.errors.SyntaxError),
    ]:
        try:
            cur.execute(sql)
            bug("%s did not fail" % sql)
        except error:
            conn.rollback()
            print("ok %s is %s" % (sql, error.__name__))
    cur.execute('SELECT count(*) FROM "candidates@1"')
    check(cur.fetchone()[0] > 0, "a version by name")
    # A cancel request (on its own connection, with the session's key)
    # interrupts the running query.
    timer = threading.Timer(0.5, conn.cancel)
    timer.start()
    started = time.time()
    try:
        cur.execute("SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3")
        bug("the long query was not cancelled")
    except psycopg2.errors.QueryCanceled as e:
        conn.rollback()
        check(time.time() - started < 10, "cancelled in %.1f s: %s" % (time.time() - started,
                                                                        str(e).strip()))
    timer.join()
    cur.execute("SELECT 1")
    check(cur.fetchone()[0] == 1, "the session goes on after the cancel")
    conn.close()


def run_psycopg3(expected_name):
    import datetime
    import decimal

    import psycopg

    conn = psycopg.connect(host="127.0.0.1", port=port, user="x", dbname="lakehouse",
                           autocommit=True)
    # psycopg 3 binds parameters on the server: Parse, Bind, Describe, Execute.
    row = conn.execute("SELECT name FROM candidates WHERE id = %s", (7,)).fetchone()
    check(row[0] == expected_name, "a parameter bound by the server (%r)" % (row[0],))
    row = conn.execute("SELECT count(*) FROM candidates WHERE state = %s AND id > %s",
                       ("TX", 0)).fetchone()
    check(isinstance(row[0], int), "text and integer parameters together")
    # Repeated, a statement is prepared under a name and then only bound.
    for i in range(8):
        got = conn.execute("SELECT id FROM candidates WHERE id = %s", (i + 1,)).fetchone()
        if got[0] != i + 1:
            bug("prepared statement run %d answered %r" % (i, got))
    print("ok a statement prepared after repeated use answers each binding")
    cur = conn.cursor(binary=True)
    cur.execute("SELECT id, 2::INTEGER, 3::SMALLINT, 1.5::DOUBLE, 2.5::FLOAT, true "
                "FROM candidates WHERE id = %s", (3,))
    check(cur.fetchone() == (3, 2, 3, 1.5, 2.5, True), "binary int8/int4/int2/float8/float4/bool")
    try:
        cur.execute("SELECT name FROM candidates WHERE id = %s", (3,))
        bug("binary text was not refused")
    except psycopg.errors.FeatureNotSupported:
        print("ok binary for a text column is 0A000")
    row = conn.execute("SELECT 12.50::DECIMAL(5,2), TIMESTAMPTZ '2024-01-02 03:04:05+00', "
                       "INTERVAL '1 day 2 hours', DATE '2024-02-29', [1, 2, NULL], "
                       "INTERVAL '2 months'").fetchone()
    check(row[0] == decimal.Decimal("12.50") and row[1].year == 2024 and
          row[2] == datetime.timedelta(days=1, hours=2) and row[3] == datetime.date(2024, 2, 29)
          and row[5] == datetime.timedelta(days=60),
          "numeric, timestamptz, interval and date parse as Python values (%r)" % (row,))
    for sql, error in [
        ("SELECT * FROM nosuch WHERE id = %s", psycopg.errors.UndefinedTable),
        ("DELETE FROM candidates WHERE id = %s", psycopg.errors.InsufficientPrivilege),
    ]:
        try:
            conn.execute(sql, (1,))
            bug("%s did not fail" % sql)
        except error:
            print("ok %s is %s" % (sql, error.__name__))
    check(conn.execute("SELECT 1").fetchone()[0] == 1, "the session goes on after errors")
    conn.close()


def startup(user="x"):
    body = struct.pack("!i", 196608) + b"user\0" + user.encode() + b"\0database\0lakehouse\0\0"
    return struct.pack("!i", len(body) + 4) + body


# Sends `data` and reads until the server closes (a FATAL error, or the
# Terminate the caller ended with) or `wait` seconds pass.
def exchange(data, wait=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=wait)
    s.sendall(data)
    got = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        pass
    s.close()
    return got


def select_one():
    q = b"SELECT 1\0"
    got = exchange(startup() + b"Q" + struct.pack("!i", len(q) + 4) + q + b"X\0\0\0\x04")
    return b"SELECT 1\0" in got


def run_hostile():
    got = exchange(struct.pack("!ii", 100 << 20, 196608))
    check(b"54000" in got, "a 100 MB startup length is refused with 54000")
    got = exchange(struct.pack("!ii", 3, 196608))
    check(b"08P01" in got, "a startup length shorter than its header is 08P01")
    got = exchange(startup() + b"Q" + struct.pack("!i", 1 << 30) + b"SELECT")
    check(b"54000" in got, "a query message claiming 1 GiB is refused before it arrives")
    got = exchange(startup() + b"Q" + struct.pack("!i", 2))
    check(b"08P01" in got, "a length that lies (2) is a protocol violation")
    got = exchange(startup() + b"\x7f" + struct.pack("!i", 4))
    check(b"08P01" in got, "an unknown message type is a protocol violation")
    # 10,000 parameters to a statement that takes one.
    parse = b"\0SELECT $1::INTEGER\0" + struct.pack("!h", 0)
    params = b"".join(struct.pack("!i", 1) + b"1" for _ in range(10000))
    bind = b"\0\0" + struct.pack("!hh", 0, 10000) + params + struct.pack("!h", 0)
    got = exchange(startup() + b"P" + struct.pack("!i", len(parse) + 4) + parse +
                   b"B" + struct.pack("!i", len(bind) + 4) + bind + b"S\0\0\0\x04X\0\0\0\x04")
    check(b"08P01" in got and b"supplies 10000 parameters" in got,
          "10,000 parameters are refused with a clear error")
    check(select_one(), "the server still answers after the bad input")
    # A sign-in trickled a byte every 2 s is cut off after 10 s in all.
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    started = time.time()
    closed = False
    for byte in startup():
        try:
            s.sendall(bytes([byte]))
            s.settimeout(2)
            if s.recv(1) == b"":
                closed = True
                break
        except socket.timeout:
            continue
        except OSError:
            closed = True
            break
    s.close()
    check(closed and time.time() - started < 16,
          "a trickled sign-in is closed after %.0f s" % (time.time() - started))
    # 200 connections at once: up to the cap are served, the rest refused
    # with 53300, and the server serves again once they are gone.
    results = []
    lock = threading.Lock()

    def one():
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(startup())
            got = b""
            while b"Z\0\0\0\x05" not in got and b"53300" not in got:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            with lock:
                results.append((s, got))
        except OSError as e:
            with lock:
                results.append((None, str(e).encode()))

    threads = [threading.Thread(target=one) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    served = sum(1 for _, got in results if b"Z\0\0\0\x05" in got)
    refused = sum(1 for _, got in results if b"53300" in got)
    check(served + refused == 200 and served >= 1,
          "200 connections at once: %d served, %d refused with 53300" % (served, refused))
    for s, _ in results:
        if s is not None:
            s.close()
    deadline = time.time() + 10
    while not select_one():
        if time.time() > deadline:
            bug("the server did not serve again after the flood")
        time.sleep(0.2)
    print("ok the server serves again after the flood")


def run_catalog():
    import warnings

    import pandas as pd
    import psycopg2
    from sqlalchemy import create_engine, inspect, text

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="x", dbname="lakehouse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas would rather have SQLAlchemy than a DBAPI connection
        df = pd.read_sql("SELECT id, name FROM candidates WHERE id <= 3 ORDER BY id", conn)
    check(list(df.columns) == ["id", "name"] and list(df["id"]) == [1, 2, 3],
          "pandas read_sql over psycopg2: %d rows" % len(df))
    conn.close()
    # SQLAlchemy's dialect reads version(), current_schema() and pg_catalog at connect.
    engine = create_engine("postgresql+psycopg2://x@127.0.0.1:%d/lakehouse" % port)
    df = pd.read_sql(text('SELECT count(*) AS n FROM "candidates@1" WHERE id <= :n'), engine,
                     params={"n": 5})
    check(df["n"][0] == 5, "pandas read_sql through a SQLAlchemy engine, with a parameter")
    inspector = inspect(engine)
    tables = inspector.get_table_names()
    check(tables == ["candidates", "clients", "jobs", "placements", "timesheets"],
          "SQLAlchemy lists the datasets: %s" % tables)
    columns = {c["name"]: str(c["type"]) for c in inspector.get_columns("candidates")}
    check(columns.get("id") == "BIGINT" and columns.get("name") == "TEXT" and
          columns.get("desired_rate") == "DOUBLE_PRECISION",
          "SQLAlchemy describes candidates: %s" % columns)
    check(engine.dialect.server_version_info[:2] == (15, 0),
          "SQLAlchemy reads the server as PostgreSQL %s" % (engine.dialect.server_version_info,))


if mode == "psycopg2":
    run_psycopg2()
elif mode == "catalog":
    run_catalog()
elif mode == "psycopg3":
    run_psycopg3(sys.argv[3])
elif mode == "hostile":
    run_hostile()
else:
    bug("unknown mode " + mode)
