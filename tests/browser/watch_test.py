#!/usr/bin/env python3
"""`mayfly serve --watch` without a browser: rebuilds, bundle swaps and live-reload events.

A copy of examples/blog is served with --watch on a loopback port chosen by the kernel. One
keep-alive connection is opened before any change and reused after each rebuild (a swap must
not drop it). Checks: /__mayfly/livereload answers text/event-stream with the generation;
editing a post bumps it and the post shows the edit; a post in a directory created after
the start is picked up (new directories are watched); a broken layout is reported as
file:line:col while the last good site stays served. Every wait is bounded; the server and
the copy are removed on every exit path.

usage: watch_test.py MAYFLY EXAMPLES_BLOG
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


class Server:
    def __init__(self, mayfly, blog):
        env = dict(os.environ, NO_COLOR="1")
        self.proc = subprocess.Popen(
            [mayfly, "serve", blog, "--watch", "--port", "0", "--access-log", "off"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
        self.log = ""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        self.port = None
        deadline = time.monotonic() + 20
        while self.port is None and time.monotonic() < deadline:
            m = re.search(r"at http://[^:]+:(\d+)/", self.output())
            if m:
                self.port = int(m.group(1))
            elif self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if self.port is None:
            raise AssertionError("the server did not start:\n" + self.output())

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.log += line

    def output(self):
        with self.lock:
            return self.log

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


class Connection:
    """One keep-alive HTTP/1.1 connection: GETs answered with Content-Length bodies."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.buf = b""

    def get(self, path):
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed while waiting for {path}")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(fields.get("content-length", "0"))
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed in the body of {path}")
            self.buf += chunk
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, fields, body.decode("utf-8", "replace")


def generation(conn):
    status, fields, body = conn.get("/__mayfly/livereload")
    assert status == 200, status
    assert fields.get("content-type") == "text/event-stream", fields
    m = re.search(r"^data: (\d+)$", body, re.M)
    assert m and "retry: " in body, body
    return int(m.group(1))


def wait_for(what, cond, bound=10.0):
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out after {bound} s waiting for {what}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mayfly, examples = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="mayfly-watch-")
    server = None
    try:
        blog = os.path.join(tmp, "blog")
        shutil.copytree(examples, blog)
        server = Server(mayfly, blog)
        conn = Connection(server.port)
        status, _, home = conn.get("/")
        assert status == 200 and "/__mayfly/livereload" in home, "home page has the live-reload script"
        gen1 = generation(conn)
        post_name = sorted(f for f in os.listdir(os.path.join(blog, "_posts")) if f.endswith(".md"))[0]
        link = re.search(r'href="(/\d{4}/\d{2}/\d{2}/[^"]+/)"', home).group(1)
        print(f"ok: serving, generation {gen1}, post {link}")

        # An edit: a new generation, the edit on the same keep-alive connection.
        marker = f"Edited by watch_test {time.time()}"
        with open(os.path.join(blog, "_posts", post_name), "a") as f:
            f.write(f"\n{marker}\n")
        gen2 = wait_for("a rebuild after the edit", lambda: (g := generation(conn)) > gen1 and g)
        status, _, post = conn.get(link)
        assert status == 200 and marker in post, "the post shows the edit"
        assert re.search(r"rebuilt in [\d.]+ ms", server.output()), server.output()
        print(f"ok: edit rebuilt (generation {gen2}) and served on the connection opened before it")

        # A post in a directory made after the start.
        newdir = os.path.join(blog, "_posts", "later")
        os.mkdir(newdir)
        time.sleep(0.2)  # the new directory's watch is added when its creation is seen
        with open(os.path.join(newdir, "2026-11-29-a-later-post.md"), "w") as f:
            f.write("---\nlayout: post\ntitle: A later post\n---\nWritten after the start.\n")
        wait_for("the post in the new directory",
                 lambda: conn.get("/2026/11/29/a-later-post/")[0] == 200)
        print("ok: a post in a directory created after the start is built")

        # A broken layout: an error with its place, and the last good site stays.
        layout = os.path.join(blog, "_layouts", "post.html")
        with open(layout, "a") as f:
            f.write("\n{% if %}\n")
        wait_for("the error for the broken layout",
                 lambda: re.search(r"_layouts/post\.html:\d+:\d+: .*still serving", server.output()))
        status, _, post = conn.get(link)
        assert status == 200 and marker in post, "the last good post is still served"
        assert server.proc.poll() is None, "the server is still running"
        print("ok: a broken layout is reported as file:line:col; the last good site stays")
        print("PASS")
    except Exception as e:  # noqa: BLE001 - report anything, then clean up
        print(f"FAIL: {e}")
        if server:
            print("--- mayfly serve output ---\n" + server.output())
        sys.exit(1)
    finally:
        if server:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
