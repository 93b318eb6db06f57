# PostgreSQL clients over TLS against a running serve's [pgwire] listener, for pgwire_tls_test.sh:
#
#   python3 pgwire_tls_clients.py verify PORT TOKEN CERT  # psycopg2, sslmode=verify-full; a cancel
#   python3 pgwire_tls_clients.py garbage PORT            # not TLS after 'S': dropped, others served
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


def run_verify(token, cert):
    import psycopg2
    import psycopg2.errors

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="ci", password=token,
                            dbname="lakehouse", sslmode="verify-full", sslrootcert=cert)
    check(conn.info.ssl_in_use, "psycopg2 with sslmode=verify-full is on TLS (%s)" %
          conn.info.ssl_attribute("protocol"))
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM candidates")
    check(cur.fetchone()[0] == 2000, "a count over verified TLS")
    # The cancel goes on a connection of its own (libpq sends it in plain
    # text, also when the session is on TLS).
    timer = threading.Timer(0.5, conn.cancel)
    timer.start()
    started = time.time()
    try:
        cur.execute("SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3")
        bug("the long query was not cancelled")
    except psycopg2.errors.QueryCanceled:
        conn.rollback()
        check(time.time() - started < 10, "a query over TLS cancelled in %.1f s" %
              (time.time() - started))
    timer.join()
    cur.execute("SELECT 1")
    check(cur.fetchone()[0] == 1, "the TLS session goes on after the cancel")
    conn.close()


def run_garbage():
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    s.sendall(struct.pack("!ii", 8, 80877103))
    check(s.recv(1) == b"S", "an SSLRequest is answered 'S'")
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\x00" * 100)
    started = time.time()
    try:
        while s.recv(4096):
            pass
    except (ConnectionResetError, socket.timeout) as e:
        if isinstance(e, socket.timeout):
            bug("the server kept a client that sent garbage instead of a ClientHello")
    check(time.time() - started < 12, "garbage instead of a ClientHello: dropped in %.1f s" %
          (time.time() - started))
    s.close()


if mode == "verify":
    run_verify(sys.argv[3], sys.argv[4])
elif mode == "garbage":
    run_garbage()
else:
    bug("unknown mode " + mode)
