"""Fixtures: real `lakehouse serve` processes on free loopback ports.

The binary comes from $LAKEHOUSE_BIN (tests/smoke/python_client_test.sh sets
it), else build/lakehouse of this repository. Each server has a temporary
data folder and is stopped with SIGTERM at the end of the session.
"""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

try:
    import lakehouse  # noqa: F401
except ImportError:
    # Not installed: the package beside these tests, for a quick loop.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
START_TIMEOUT = float(os.environ.get("SMOKE_START_TIMEOUT", "30"))

# Tokens of the server that checks them: at least 16 characters each.
READ_TOKEN = "py-reader-token-0123456789"
WRITE_TOKEN = "py-writer-token-0123456789"


def _binary():
    path = os.environ.get("LAKEHOUSE_BIN") or os.path.join(REPO, "build", "lakehouse")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no lakehouse binary at {path}: build it, or set LAKEHOUSE_BIN", pytrace=False)
    return path


class Server:
    """One `lakehouse serve` child, listening on 127.0.0.1 at a port it chose."""

    def __init__(self, binary, folder, config=None):
        self.binary = binary
        self.folder = folder
        os.makedirs(folder, exist_ok=True)
        args = [binary, "serve", "--data", os.path.join(folder, "data"), "--listen", "127.0.0.1:0"]
        if config:
            args += ["--config", config]
        self.log_path = os.path.join(folder, "serve.log")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.url = self._wait_listening()
        self._wait_healthy()

    def _log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(r"listening on (http://127\.0\.0\.1:\d+)", self._log_text())
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                raise RuntimeError(f"lakehouse serve exited ({self.process.returncode}): {self._log_text()}")
            time.sleep(0.05)
        raise RuntimeError(f"lakehouse serve did not log 'listening on' within {START_TIMEOUT}s")

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.url}/healthz did not answer 200 within {START_TIMEOUT}s")
            time.sleep(0.05)

    def run_cli(self, *args, token=None):
        env = dict(os.environ, LAKEHOUSE_URL=self.url)
        env.pop("LAKEHOUSE_TOKEN", None)
        if token:
            env["LAKEHOUSE_TOKEN"] = token
        return subprocess.run([self.binary, *args], env=env, capture_output=True, text=True, timeout=600)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def binary():
    return _binary()


@pytest.fixture(scope="session")
def server(binary, tmp_path_factory):
    """An open server (no tokens) with the demo data set loaded."""
    s = Server(binary, str(tmp_path_factory.mktemp("serve")))
    try:
        demo = s.run_cli("demo", "--url", s.url)
        if demo.returncode != 0:
            raise RuntimeError(f"lakehouse demo failed ({demo.returncode}): {demo.stderr}{demo.stdout}")
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def auth_server(binary, tmp_path_factory):
    """A server that checks tokens: READ_TOKEN reads, WRITE_TOKEN writes."""
    folder = str(tmp_path_factory.mktemp("serve-auth"))
    with open(os.path.join(folder, "tokens"), "w") as f:
        f.write(f"reader read {READ_TOKEN}\nwriter write {WRITE_TOKEN}\n")
    config = os.path.join(folder, "lakehouse.toml")
    with open(config, "w") as f:
        f.write('[auth]\ntoken_file = "tokens"\n')
    s = Server(binary, folder, config=config)
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def client(server):
    import lakehouse

    return lakehouse.connect(server.url, timeout=120)
