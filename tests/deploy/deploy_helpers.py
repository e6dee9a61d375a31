"""What the local deploy tests share: the two-version test site, the bounded client load
that runs during a deploy, and finding a test's QEMU processes. Standard library only."""
import http.client
import os
import socket
import sqlite3
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_site(directory, version):
    os.makedirs(directory, exist_ok=True)
    pages = {
        "index.html": f"<!doctype html><title>blog</title><p>version {version}</p>\n" * 20,
        "404.html": f"<!doctype html><title>404</title><p>not here ({version})</p>\n",
        "about/index.html": f"<p>about {version}</p>\n",
        "style.css": f"body {{ color: #{'123456' if version == 'v1' else '654321'}; }}\n",
    }
    for name, text in pages.items():
        path = os.path.join(directory, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write(text)
    return pages["index.html"].encode()


class Load:
    """Two bounded clients against the address: one reuses keep-alive connections for up to
    20 requests each, one opens a fresh connection per request. Each runs at >= 20 req/s
    until stopped (and never longer than `limit` seconds)."""

    def __init__(self, port, bodies, limit=240, host="127.0.0.1"):
        self.host, self.port, self.bodies, self.limit = host, port, bodies, limit
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.results = []  # (time, version or None, error)
        self.threads = [threading.Thread(target=self.run, args=(keep,)) for keep in (True, False)]

    def record(self, version, error=None):
        with self.lock:
            self.results.append((time.monotonic(), version, error))

    def run(self, keep_alive):
        deadline = time.monotonic() + self.limit
        connection, used = None, 0
        while not self.stop_flag.is_set() and time.monotonic() < deadline:
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
                    used = 0
                connection.request("GET", "/")
                response = connection.getresponse()
                body = response.read()
                used += 1
                version = next((v for v, b in self.bodies.items() if b == body), None)
                if response.status != 200 or version is None:
                    self.record(None, f"status {response.status}, {len(body)} bytes not v1 or v2")
                else:
                    self.record(version)
                if not keep_alive or used >= 20 or response.will_close:
                    connection.close()
                    connection = None
            except Exception as error:  # noqa: BLE001 - every failure counts
                self.record(None, repr(error))
                if connection is not None:
                    connection.close()
                connection = None
            time.sleep(max(0.0, 0.04 - (time.monotonic() - started)))
        if connection is not None:
            connection.close()

    def __enter__(self):
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def failures(self):
        with self.lock:
            return [r for r in self.results if r[2] is not None]

    def since(self, moment):
        with self.lock:
            return [r for r in self.results if r[0] >= moment]


def vms(state_dir):
    """Pids of the QEMU processes started for a state folder."""
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if b"qemu-system" in cmdline and state_dir.encode() in cmdline:
            pids.append(int(pid))
    return pids


def http_get(host, port, path="/"):
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def wait_for_step(state_db, process, step, timeout):
    """Until the deploy `process` has journaled the start of `step` (True), or it ended or
    `timeout` seconds passed (False). Reads the state read-only, as any other command could."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            db = sqlite3.connect(f"file:{state_db}?mode=ro", uri=True, timeout=1)
            row = db.execute("SELECT step FROM journal WHERE phase='begin' "
                             "ORDER BY seq DESC LIMIT 1").fetchone()
            db.close()
        except sqlite3.Error:
            row = None
        if row and row[0] == step:
            return True
        time.sleep(0.002)
    return False
