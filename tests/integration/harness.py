"""Shared helpers for mayfly's integration tests: start `mayfly serve`, drive curl, raw sockets.

Standard library only. Every wait is bounded in time; every server listens on 127.0.0.1.
The mayfly binary comes from the command line (CTest passes $<TARGET_FILE:mayfly>) or from
the MAYFLY environment variable.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_SITE = os.path.join(HERE, "site")
# Every fixture file gets this mtime, so Last-Modified is known: Tue, 14 Nov 2023 22:13:20 GMT.
FIXED_MTIME = 1700000000
FIXED_HTTP_DATE = "Tue, 14 Nov 2023 22:13:20 GMT"
CURL = shutil.which("curl") or "/usr/bin/curl"
HOST = "127.0.0.1"

MAYFLY = os.environ.get("MAYFLY", "")


def take_binary_from_argv():
    """unittest.main() must not see the binary path: pop it from sys.argv."""
    global MAYFLY
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        MAYFLY = os.path.abspath(sys.argv.pop(1))
    if not MAYFLY or not os.access(MAYFLY, os.X_OK):
        sys.stderr.write("usage: %s PATH/TO/mayfly [unittest args]\n" % sys.argv[0])
        sys.exit(2)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(extra)
    return env


def free_port():
    """A port that was free a moment ago (the server has no port-0 reporting yet)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def copy_fixture(dest_parent, name="site", mtime=FIXED_MTIME):
    """Copies the fixture site and sets every mtime to `mtime` (git does not keep mtimes)."""
    dest = os.path.join(dest_parent, name)
    shutil.copytree(FIXTURE_SITE, dest, symlinks=True)
    set_mtimes(dest, mtime)
    return dest


def set_mtimes(root, mtime):
    for dirpath, dirnames, filenames in os.walk(root):
        for n in filenames + dirnames:
            os.utime(os.path.join(dirpath, n), (mtime, mtime), follow_symlinks=False)
    os.utime(root, (mtime, mtime))


def read_fixture(rel):
    with open(os.path.join(FIXTURE_SITE, rel), "rb") as f:
        return f.read()


# MAYFLY_TARGET=unikernel: every Server is `mayfly run` (the unikernel in QEMU, TCG unless
# MAYFLY_ACCEL says otherwise) instead of `mayfly serve`; options other than --header are
# hosted-only and dropped. tests/kernel runs the HTTP suite this way.
# MAYFLY_TARGET=image / image-linux: the site is made into a disk image of that flavour
# (`mayfly image`, headers baked in) and booted by `mayfly run` under OVMF.
TARGET = os.environ.get("MAYFLY_TARGET", "serve")
VM_TARGETS = ("unikernel", "image", "image-linux")


def unikernel_args(path, port, extra):
    args = [MAYFLY, "run", path, "--port", str(port), "--accel", os.environ.get("MAYFLY_ACCEL", "tcg"),
            "--ready-timeout", "90"]
    if os.environ.get("MAYFLY_KERNEL_APPEND"):
        args += ["--append", os.environ["MAYFLY_KERNEL_APPEND"]]
    extra = list(extra)
    for i, a in enumerate(extra):
        if a == "--header" and i + 1 < len(extra):
            args += ["--header", extra[i + 1]]
    return args


def image_args(path, port, extra, workdir):
    headers = []
    extra = list(extra)
    for i, a in enumerate(extra):
        if a == "--header" and i + 1 < len(extra):
            headers += ["--header", extra[i + 1]]
    image = os.path.join(workdir, "site-%d.img" % port)
    flavour = "linux" if TARGET == "image-linux" else "mayfly"
    made = subprocess.run([MAYFLY, "image", path, "-o", image, "--kernel", flavour] + headers,
                          capture_output=True, timeout=300, env=clean_env())
    if made.returncode != 0:
        raise RuntimeError("mayfly image failed: %s" % made.stderr.decode())
    return [MAYFLY, "run", image, "--port", str(port), "--accel",
            os.environ.get("MAYFLY_ACCEL", "tcg"), "--ready-timeout", "240"]


def run_mayfly(args, timeout=60, env=None):
    return subprocess.run([MAYFLY] + list(args), capture_output=True, timeout=timeout,
                          env=env if env is not None else clean_env())


class Server:
    """One `mayfly serve` process on 127.0.0.1:<free port>."""

    def __init__(self, path, *extra, workdir=None, threads=1, wrapper=()):
        self.path = path
        self.workdir = workdir or tempfile.mkdtemp(prefix="mayfly-it-")
        self.port = free_port()
        self.args = list(wrapper) + [MAYFLY, "serve", path, "--port", str(self.port), "--bind", HOST]
        if threads is not None and "--threads" not in extra:
            self.args += ["--threads", str(threads)]
        if "--access-log" not in extra:
            self.args += ["--access-log", "off"]
        self.args += list(extra)
        if TARGET == "unikernel":
            self.args = unikernel_args(path, self.port, extra)
        elif TARGET in ("image", "image-linux"):
            self.args = image_args(path, self.port, extra, self.workdir)
        self.stdout_path = os.path.join(self.workdir, "serve-%d.out" % self.port)
        self.stderr_path = os.path.join(self.workdir, "serve-%d.err" % self.port)
        self.proc = None

    def start(self, timeout=None):
        if timeout is None:
            timeout = 240.0 if TARGET in VM_TARGETS else 20.0
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=self._out, stderr=self._err,
                                     stdin=subprocess.DEVNULL, env=clean_env())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mayfly serve exited with %s: %s" % (self.proc.returncode, self.stderr()))
            try:
                with socket.create_connection((HOST, self.port), timeout=1.0) as s:
                    s.settimeout(2.0)
                    s.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 "):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("mayfly serve did not answer within %.0fs: %s" % (timeout, self.stderr()))

    def url(self, path="/"):
        return "http://%s:%d%s" % (HOST, self.port, path)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def cpu_seconds(self):
        """utime+stime of the server process (all threads), in seconds."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout=15.0):
        """SIGTERM, then wait (bounded). Returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                raise AssertionError("mayfly serve did not exit within %.0fs of SIGTERM" % timeout)
        self._out.close()
        self._err.close()
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


class CurlResult:
    def __init__(self, status, headers, body, raw_headers):
        self.status = status
        self.headers = headers  # list of (lower-case name, value) of the last response
        self.body = body
        self.raw_headers = raw_headers

    def header(self, name, default=None):
        name = name.lower()
        for n, v in self.headers:
            if n == name:
                return v
        return default

    def header_all(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def __repr__(self):
        return "<%s %r %r>" % (self.status, self.headers, self.body[:80])


def parse_head(raw):
    """Parses one response head (bytes, CRLF) into (status, [(name, value)])."""
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        name, _, value = line.partition(":")
        headers.append((name.strip().lower(), value.strip()))
    return status, headers


def curl(url, *args, timeout=15):
    """One transfer with curl. Returns CurlResult of the final response (no redirects followed)."""
    with tempfile.TemporaryDirectory(prefix="mayfly-curl-") as d:
        hdr = os.path.join(d, "h")
        body = os.path.join(d, "b")
        cmd = [CURL, "-sS", "--max-time", str(timeout), "-D", hdr, "-o", body] + list(args) + [url]
        p = subprocess.run(cmd, capture_output=True, timeout=timeout + 10)
        if p.returncode != 0:
            raise AssertionError("curl failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.decode()))
        with open(hdr, "rb") as f:
            raw = f.read()
        data = b""
        if os.path.exists(body):
            with open(body, "rb") as f:
                data = f.read()
    # -D holds every response head (e.g. a 100-continue); keep the last one.
    heads = [h for h in raw.split(b"\r\n\r\n") if h.strip()]
    if "-I" in args and data.startswith(raw):
        data = data[len(raw):]  # curl -I writes the head to the output too
    status, headers = parse_head(heads[-1])
    return CurlResult(status, headers, data, heads[-1])


def curl_many(urls, *args, timeout=20):
    """Several URLs in one curl process (one connection when keep-alive works).
    Returns a list of (status, num_connects)."""
    cmd = [CURL, "-sS", "--max-time", str(timeout), "-o", "/dev/null",
           "-w", "%{http_code} %{num_connects}\\n"] + list(args)
    for u in urls:
        cmd += [u, "-o", "/dev/null"]
    p = subprocess.run(cmd, capture_output=True, timeout=timeout + 10)
    if p.returncode != 0:
        raise AssertionError("curl failed (%d): %s" % (p.returncode, p.stderr.decode()))
    out = []
    for line in p.stdout.decode().split("\n"):
        if line.strip():
            code, conns = line.split()
            out.append((int(code), int(conns)))
    return out


def raw_connect(port, timeout=5.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_response(sock, head_only=False, deadline=None):
    """Reads one HTTP/1.1 response (Content-Length framing) from a socket with a buffer.
    sock is a BufferedSocket. Returns (status, headers, body) or None on EOF before a head."""
    head = sock.read_until(b"\r\n\r\n", deadline=deadline)
    if head is None:
        return None
    status, headers = parse_head(head[:-4])
    length = 0
    for n, v in headers:
        if n == "content-length":
            length = int(v)
    body = b"" if head_only or status == 304 else sock.read_exact(length, deadline=deadline)
    return status, headers, body


class BufferedSocket:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.eof = False

    def _fill(self, deadline):
        if self.eof:
            return False
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise socket.timeout("deadline passed")
        if remaining is not None:
            self.sock.settimeout(min(remaining, self.sock.gettimeout() or remaining))
        chunk = self.sock.recv(65536)
        if not chunk:
            self.eof = True
            return False
        self.buf += chunk
        return True

    def read_until(self, marker, deadline=None):
        while marker not in self.buf:
            if not self._fill(deadline):
                return None
        i = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_exact(self, n, deadline=None):
        while len(self.buf) < n:
            if not self._fill(deadline):
                break
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_all(self, deadline=None):
        """Reads to EOF. Raises socket.timeout when the peer neither sends nor closes."""
        try:
            while self._fill(deadline):
                pass
        except ConnectionResetError:
            self.eof = True
        out, self.buf = self.buf, b""
        return out


def http_date(t):
    import email.utils
    return email.utils.formatdate(t, usegmt=True)
