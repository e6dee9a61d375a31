#!/usr/bin/env python3
"""`mayfly serve` as a process, and `mayfly bundle` / `inspect`: access log, timeouts, the
connection cap, graceful SIGTERM, start-up errors, dotfiles, reproducible bundles.

Usage: test_serve.py PATH/TO/mayfly [unittest args]
Each test starts its own server (or none); every wait is bounded.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import harness as h
from harness import curl, curl_many


class TempDirCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mayfly-serve-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, path, *extra, threads=1):
        s = h.Server(path, *extra, workdir=self.tmp, threads=threads)
        self.servers.append(s)
        return s.start()

    def stop_ok(self, srv):
        code = srv.stop()
        self.assertEqual(code, 0, "exit code after SIGTERM; stderr: " + srv.stderr())

    def site(self, name="site"):
        return h.copy_fixture(self.tmp, name)

    def bundle(self, site, out, *extra, env=None):
        p = h.run_mayfly(["bundle", site, "-o", out] + list(extra), env=env)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p


def wait_closed(sock, limit):
    """Seconds until the peer closes (EOF or reset); reads and drops what arrives. None if
    still open after `limit` seconds."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            data = sock.recv(65536)
            if not data:
                return time.monotonic() - start
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


class AccessLog(TempDirCase):
    CLF = re.compile(r'^127\.0\.0\.1 - - \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] '
                     r'"(?P<line>[^"]*)" (?P<status>\d{3}) (?P<size>\d+|-)$')

    def test_one_clf_line_per_request(self):
        log = os.path.join(self.tmp, "access.log")
        srv = self.serve(self.site(), "--access-log", log)
        # The readiness probe made one request (HEAD /) already.
        reqs = [("/", 200), ("/large.txt", 200), ("/nope", 404), ("/docs", 301)]
        for path, status in reqs:
            self.assertEqual(curl(srv.url(path)).status, status)
        self.assertEqual(curl(srv.url("/"), "-I").status, 200)
        self.assertEqual(curl(srv.url("/"), "-X", "DELETE").status, 405)
        self.stop_ok(srv)  # flushes the log
        with open(log, encoding="utf-8") as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 1 + len(reqs) + 2, lines)
        parsed = [self.CLF.match(l) for l in lines]
        for l, m in zip(lines, parsed):
            self.assertIsNotNone(m, "not common log format: %r" % l)
        got = [(m.group("line"), int(m.group("status"))) for m in parsed[1:]]
        want = [("GET %s HTTP/1.1" % p, s) for p, s in reqs] + [("HEAD / HTTP/1.1", 200),
                                                                 ("DELETE / HTTP/1.1", 405)]
        self.assertEqual(got, want)
        large = [m for m in parsed if m.group("line") == "GET /large.txt HTTP/1.1"][0]
        self.assertEqual(large.group("size"), str(len(h.read_fixture("large.txt"))))
        head = [m for m in parsed if m.group("line").startswith("HEAD / ")]
        self.assertTrue(all(m.group("size") == "-" for m in head))

    def test_log_flushed_while_running(self):
        log = os.path.join(self.tmp, "access.log")
        srv = self.serve(self.site(), "--access-log", log)
        curl(srv.url("/docs/"))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with open(log) as f:
                if "GET /docs/ HTTP/1.1" in f.read():
                    break
            time.sleep(0.1)
        else:
            self.fail("access log line not written within 5s")
        self.stop_ok(srv)

    def test_hostile_request_line_escaped(self):
        log = os.path.join(self.tmp, "access.log")
        srv = self.serve(self.site(), "--access-log", log)
        s = h.raw_connect(srv.port)
        s.sendall(b'GET /"quoted"\\x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
        h.BufferedSocket(s).read_all(deadline=time.monotonic() + 5)
        s.close()
        self.stop_ok(srv)
        with open(log, "rb") as f:
            lines = f.read().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIsNotNone(self.CLF.match(lines[1].decode()), lines[1])


class Timeouts(TempDirCase):
    def test_slowloris_trickle_disconnected(self):
        srv = self.serve(self.site(), "--header-timeout", "500")
        s = h.raw_connect(srv.port)
        start = time.monotonic()
        closed_after = None
        s.sendall(b"GET / HTTP/1.1\r\n")
        try:
            for i in range(60):  # at most ~6 s of trickling
                s.sendall(b"X-Slow-%d: y\r\n" % i)
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - start
        if closed_after is None:
            rest = wait_closed(s, 3)
            closed_after = None if rest is None else time.monotonic() - start
        s.close()
        self.assertIsNotNone(closed_after, "a trickling client was not disconnected")
        self.assertGreaterEqual(closed_after, 0.4)
        self.assertLess(closed_after, 3.0)
        self.assertTrue(srv.alive())
        self.assertEqual(curl(srv.url("/")).status, 200)
        self.stop_ok(srv)

    def test_silent_client_disconnected(self):
        srv = self.serve(self.site(), "--header-timeout", "500")
        s = h.raw_connect(srv.port)
        t = wait_closed(s, 4)
        s.close()
        self.assertIsNotNone(t, "a client that sends nothing was not disconnected")
        self.assertLess(t, 3.0)
        self.stop_ok(srv)

    def test_slow_but_complete_head_within_timeout(self):
        srv = self.serve(self.site(), "--header-timeout", "2000")
        s = h.raw_connect(srv.port)
        for b in [b"GET / HT", b"TP/1.1\r\nHo", b"st: a\r\n", b"\r\n"]:
            s.sendall(b)
            time.sleep(0.1)
        r = h.read_response(h.BufferedSocket(s), deadline=time.monotonic() + 5)
        s.close()
        self.assertEqual(r[0], 200)
        self.stop_ok(srv)

    def test_header_timeout_restarts_per_request_when_pipelining(self):
        """The header timeout restarts for a request whose first bytes arrived with the end of
        the previous one: a client that keeps a partial next request in flight (each send =
        rest of request N + start of request N+1) and completes one every 200 ms is not cut
        off. (A KNOWN BUG until 78cb4fc.)"""
        srv = self.serve(self.site(), "--header-timeout", "1000")
        s = h.raw_connect(srv.port)
        b = h.BufferedSocket(s)
        r = b"GET /robots.txt HTTP/1.1\r\nHost: a\r\n\r\n"
        s.sendall(r[:10])
        served = 0
        try:
            for _ in range(12):  # ~2.4 s, well past the 1 s header timeout
                s.sendall(r[10:] + r[:10])
                resp = h.read_response(b, deadline=time.monotonic() + 3)
                if resp is None:
                    break
                served += 1
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass
        s.close()
        srv.stop()
        self.assertEqual(served, 12, "pipelining client cut off after %d requests" % served)

    def test_idle_keepalive_closed(self):
        srv = self.serve(self.site(), "--idle-timeout", "500")
        s = h.raw_connect(srv.port)
        s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        b = h.BufferedSocket(s)
        self.assertEqual(h.read_response(b, deadline=time.monotonic() + 5)[0], 200)
        t = wait_closed(s, 4)
        s.close()
        self.assertIsNotNone(t, "idle keep-alive connection not closed")
        self.assertGreaterEqual(t, 0.3)
        self.assertLess(t, 3.0)
        self.stop_ok(srv)

    def test_idle_connection_kept_within_timeout(self):
        srv = self.serve(self.site(), "--idle-timeout", "3000")
        s = h.raw_connect(srv.port)
        b = h.BufferedSocket(s)
        for _ in range(3):
            s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: a\r\n\r\n")
            self.assertEqual(h.read_response(b, deadline=time.monotonic() + 5)[0], 200)
            time.sleep(0.5)
        s.close()
        self.stop_ok(srv)


class ConnectionCap(TempDirCase):
    def test_fifth_waits_and_log_line(self):
        srv = self.serve(self.site(), "--max-connections", "4")
        held = []
        try:
            for _ in range(4):
                s = h.raw_connect(srv.port)
                s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: a\r\n\r\n")
                self.assertEqual(h.read_response(h.BufferedSocket(s), deadline=time.monotonic() + 5)[0], 200)
                held.append(s)
            fifth = h.raw_connect(srv.port)  # accepted by the kernel backlog
            fifth.sendall(b"GET /docs/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            fifth.settimeout(1.0)
            with self.assertRaises(socket.timeout, msg="the 5th connection was served while 4 were open"):
                fifth.recv(100)
            deadline = time.monotonic() + 5
            while "limit" not in srv.stderr() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertIn("connection limit", srv.stderr())
            held.pop().close()
            r = h.read_response(h.BufferedSocket(fifth), deadline=time.monotonic() + 5)
            self.assertEqual(r[0], 200)
            self.assertIn(b"DOCS-INDEX", r[2])
            fifth.close()
        finally:
            for s in held:
                s.close()
        self.stop_ok(srv)


class Shutdown(TempDirCase):
    def test_sigterm_finishes_large_response(self):
        big_site = os.path.join(self.tmp, "big")
        os.makedirs(big_site)
        size = 24 * 1024 * 1024
        pattern = bytes(range(256)) * 4096  # 1 MiB, incompressible enough not to matter
        with open(os.path.join(big_site, "big.bin"), "wb") as f:
            for _ in range(size // len(pattern)):
                f.write(pattern)
        mfb = os.path.join(self.tmp, "big.mfb")
        self.bundle(big_site, mfb, "--no-compress")
        srv = self.serve(mfb)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        s.settimeout(10)
        s.connect((h.HOST, srv.port))
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
        b = h.BufferedSocket(s)
        status, headers, _ = h.read_response(b, head_only=True, deadline=time.monotonic() + 10)
        self.assertEqual(status, 200)
        self.assertEqual(dict(headers)["content-length"], str(size))
        got = len(b.buf)
        b.buf = b""
        time.sleep(0.3)  # the server is now blocked on a full socket
        srv.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        self.assertTrue(srv.alive(), "server exited with a response in flight")
        # A new connection is not served any more (refused, or never answered).
        try:
            c = h.raw_connect(srv.port, timeout=1.0)
            c.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            try:
                self.assertEqual(c.recv(10), b"")
            except (socket.timeout, ConnectionResetError):
                pass
            c.close()
        except OSError:
            pass
        deadline = time.monotonic() + 30
        while True:
            try:
                chunk = s.recv(1 << 20)
            except ConnectionResetError:
                break
            if not chunk:
                break
            got += len(chunk)
            if time.monotonic() > deadline:
                break
        s.close()
        self.assertEqual(got, size, "in-flight response cut short by SIGTERM")
        srv.proc.wait(timeout=15)
        self.assertEqual(srv.stop(), 0, srv.stderr())

    def test_sigterm_with_stalled_reader_is_bounded(self):
        """A client that never reads cannot hold the shutdown forever: the drain ends (about
        10 s, the server's drain timeout) and the exit code is still 0."""
        site = os.path.join(self.tmp, "big")
        os.makedirs(site)
        with open(os.path.join(site, "big.bin"), "wb") as f:
            f.write(bytes(range(256)) * 4096 * 8)
        mfb = os.path.join(self.tmp, "big.mfb")
        self.bundle(site, mfb, "--no-compress")
        srv = self.serve(mfb)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((h.HOST, srv.port))
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
        time.sleep(0.3)
        start = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        try:
            srv.proc.wait(timeout=20)
        finally:
            s.close()
        self.assertLess(time.monotonic() - start, 20)
        self.assertEqual(srv.stop(), 0, srv.stderr())

    def test_sigterm_idle_exit_0_and_sigint(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig):
                srv = self.serve(self.site("s%d" % sig))
                idle = h.raw_connect(srv.port)
                idle.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                h.read_response(h.BufferedSocket(idle), deadline=time.monotonic() + 5)
                srv.proc.send_signal(sig)
                srv.proc.wait(timeout=10)
                self.assertEqual(srv.proc.returncode, 0, srv.stderr())
                idle.close()
                srv.stop()

    def test_serves_bundle_file(self):
        mfb = os.path.join(self.tmp, "site.mfb")
        self.bundle(self.site(), mfb)
        srv = self.serve(mfb)
        r = curl(srv.url("/docs/guide/page.html"))
        self.assertEqual(r.status, 200)
        self.assertIn(b"GUIDE-PAGE", r.body)
        self.assertEqual(curl(srv.url("/nope")).body, h.read_fixture("404.html"))
        self.stop_ok(srv)

    def test_plain_404_without_404_page(self):
        site = self.site()
        os.remove(os.path.join(site, "404.html"))
        srv = self.serve(site)
        r = curl(srv.url("/nope"))
        self.assertEqual(r.status, 404)
        self.assertTrue(r.header("content-type").startswith("text/plain"))
        self.assertIn(b"404", r.body)
        self.assertLess(len(r.body), 200)
        self.stop_ok(srv)

    def test_redirect_location_percent_encoded(self):
        site = self.site()
        for d in ["sp ace", "caf\u00e9"]:
            os.makedirs(os.path.join(site, d))
            with open(os.path.join(site, d, "index.html"), "w") as f:
                f.write("DIR %s\n" % d)
        srv = self.serve(site)
        for path, loc in [("/sp%20ace", "/sp%20ace/"), ("/caf%C3%A9?a=1", "/caf%C3%A9/?a=1")]:
            with self.subTest(path=path):
                r = curl(srv.url(path))
                self.assertEqual(r.status, 301)
                self.assertEqual(r.header("location"), loc)
                self.assertEqual(curl(srv.url(path), "-L").status, 200)
        self.stop_ok(srv)

    def test_threads_and_reuseport(self):
        srv = self.serve(self.site(), threads=2)
        res = []
        for _ in range(4):
            res += curl_many([srv.url("/"), srv.url("/large.txt")])
        self.assertTrue(all(c == 200 for c, _ in res))
        self.stop_ok(srv)


class Robustness(TempDirCase):
    """A server under a hostile client must not burn CPU while it has nothing to do."""

    def big_bundle(self, mib=8):
        site = os.path.join(self.tmp, "big")
        os.makedirs(site)
        with open(os.path.join(site, "big.bin"), "wb") as f:
            f.write(bytes(range(256)) * 4096 * mib)
        mfb = os.path.join(self.tmp, "big.mfb")
        self.bundle(site, mfb, "--no-compress")
        return mfb

    def cpu_over(self, srv, seconds):
        a = srv.cpu_seconds()
        time.sleep(seconds)
        return srv.cpu_seconds() - a

    def test_blocked_writer_idle_cpu(self):
        """Control for the test below: a client that stops reading costs no CPU."""
        srv = self.serve(self.big_bundle())
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((h.HOST, srv.port))
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
        time.sleep(0.5)
        used = self.cpu_over(srv, 2.0)
        s.close()
        self.assertLess(used, 0.25, "server used %.2fs CPU in 2s with one stalled reader" % used)
        self.stop_ok(srv)

    def test_half_closed_stalled_reader_no_busy_loop(self):
        """A client that requests a large file, half-closes its side (shutdown(SHUT_WR)) and
        stops reading costs no CPU while the server waits to write (it spun at 100% CPU until
        the write timeout before 64e8827: EPOLLRDHUP alone was ignored in the Writing state)."""
        srv = self.serve(self.big_bundle())
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((h.HOST, srv.port))
        s.sendall(b"GET /big.bin HTTP/1.1\r\nHost: a\r\n\r\n")
        time.sleep(0.3)
        s.shutdown(socket.SHUT_WR)
        time.sleep(0.3)
        used = self.cpu_over(srv, 2.0)
        s.close()
        self.assertTrue(srv.alive())
        srv.stop()
        self.assertLess(used, 0.25, "server used %.2fs CPU in 2s with one half-closed stalled reader" % used)

    @unittest.skipUnless(shutil.which("prlimit"), "needs prlimit (util-linux)")
    def test_out_of_file_descriptors_no_busy_loop(self):
        """When accept4 fails with EMFILE (more clients than RLIMIT_NOFILE allows), the worker
        does not spin on the readable listening socket, and serves again once descriptors are
        free (it spun at 100% CPU before 64e8827)."""
        srv = h.Server(self.site(), workdir=self.tmp, wrapper=["prlimit", "--nofile=40:40", "--"])
        self.servers.append(srv)
        srv.start()
        socks = []
        try:
            for _ in range(60):
                socks.append(socket.create_connection((h.HOST, srv.port), timeout=2))
            time.sleep(0.5)
            used = self.cpu_over(srv, 2.0)
        finally:
            for s in socks:
                s.close()
        time.sleep(0.3)
        self.assertEqual(curl(srv.url("/")).status, 200)
        self.assertEqual(srv.stop(), 0)
        self.assertLess(used, 0.25, "server used %.2fs CPU in 2s while out of descriptors" % used)


class StartupErrors(TempDirCase):
    def serve_fails(self, path, *extra):
        port = h.free_port()
        bind = [] if "--bind" in extra else ["--bind", h.HOST]
        p = subprocess.run([h.MAYFLY, "serve", path, "--port", str(port)] + bind + list(extra),
                           capture_output=True, timeout=30, env=h.clean_env())
        self.assertNotEqual(p.returncode, 0, "serve %s should fail" % path)
        err = p.stderr.decode("utf-8", "replace")
        self.assertTrue(err.strip(), "no error message")
        self.assertLess(len(err), 2000)
        return p.returncode, err

    def test_port_in_use(self):
        blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        blocker.bind((h.HOST, 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        try:
            for threads in ("1", "2"):
                p = subprocess.run([h.MAYFLY, "serve", self.site("s" + threads), "--port", str(port), "--bind", h.HOST,
                                    "--threads", threads], capture_output=True, timeout=30, env=h.clean_env())
                self.assertEqual(p.returncode, 1)
                self.assertIn("in use", p.stderr.decode())
                self.assertIn(str(port), p.stderr.decode())
        finally:
            blocker.close()

    def test_port_in_use_by_mayfly(self):
        srv = self.serve(self.site())
        p = subprocess.run([h.MAYFLY, "serve", srv.path, "--port", str(srv.port), "--bind", h.HOST],
                           capture_output=True, timeout=30, env=h.clean_env())
        self.assertEqual(p.returncode, 1)
        self.assertIn("in use", p.stderr.decode())
        self.stop_ok(srv)

    def test_missing_path(self):
        code, err = self.serve_fails(os.path.join(self.tmp, "does-not-exist"))
        self.assertEqual(code, 1)
        self.assertIn("does-not-exist", err)
        self.assertIn("no such file", err.lower())

    def test_bad_bundles(self):
        mfb = os.path.join(self.tmp, "good.mfb")
        self.bundle(self.site(), mfb)
        with open(mfb, "rb") as f:
            good = f.read()
        bad = {
            "empty": b"",
            "truncated-half": good[: len(good) // 2],
            "truncated-head": good[:16],
            "truncated-1": good[:-1],
            "garbage": bytes((i * 37 + 11) & 255 for i in range(4096)),
            "text": b"<html>not a bundle</html>\n",
        }
        for off in (len(good) // 3, len(good) // 2, len(good) - 8, 40):
            flipped = bytearray(good)
            flipped[off] ^= 0x55
            bad["flip-%d" % off] = bytes(flipped)
        for name, data in bad.items():
            with self.subTest(bundle=name):
                path = os.path.join(self.tmp, name + ".mfb")
                with open(path, "wb") as f:
                    f.write(data)
                code, err = self.serve_fails(path)
                self.assertEqual(code, 1, err)
                self.assertIn(name, err)
                ins = h.run_mayfly(["inspect", path])
                self.assertEqual(ins.returncode, 1, ins.stderr)
                self.assertTrue(ins.stderr.strip())

    def test_symlink_leaving_tree(self):
        outside = os.path.join(self.tmp, "outside.txt")
        with open(outside, "w") as f:
            f.write("SECRET OUTSIDE\n")
        site = self.site()
        os.symlink(outside, os.path.join(site, "leak.txt"))
        code, err = self.serve_fails(site)
        self.assertEqual(code, 1)
        self.assertIn("symlink", err)
        p = h.run_mayfly(["bundle", site, "-o", os.path.join(self.tmp, "x.mfb")])
        self.assertEqual(p.returncode, 1)
        self.assertIn("symlink", p.stderr.decode())
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.mfb")))

    def test_symlinked_dir_leaving_tree(self):
        site = self.site()
        os.symlink("/etc", os.path.join(site, "etc"))
        code, err = self.serve_fails(site)
        self.assertIn("symlink", err)

    @unittest.skipUnless(shutil.which("prlimit"), "needs prlimit (util-linux)")
    def test_symlink_cycle_inside_tree(self):
        """A directory symlink that points back into the tree (site/loop -> .) is refused at
        once with an error naming the symlink (before 64e8827 the scan recursed until
        std::bad_alloc). The address space is capped at 800 MB to protect the machine."""
        site = self.site()
        os.symlink(".", os.path.join(site, "loop"))
        start = time.monotonic()
        p = subprocess.run(["prlimit", "--as=800000000", "--", h.MAYFLY, "bundle", site, "-o",
                            os.path.join(self.tmp, "loop.mfb")],
                           capture_output=True, timeout=120, env=h.clean_env())
        elapsed = time.monotonic() - start
        err = p.stderr.decode("utf-8", "replace")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("symlink", err)
        self.assertLess(elapsed, 10)

    def test_symlink_inside_tree_ok(self):
        site = self.site()
        os.symlink("index.html", os.path.join(site, "alias.html"))
        srv = self.serve(site)
        r = curl(srv.url("/alias.html"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, h.read_fixture("index.html"))
        self.stop_ok(srv)

    def test_bad_command_line(self):
        for args in (["serve"], ["serve", self.tmp, "--port", "notaport"], ["serve", self.tmp, "--bogus"]):
            with self.subTest(args=args):
                p = h.run_mayfly(args)
                self.assertEqual(p.returncode, 2, p.stderr)

    def test_other_start_errors(self):
        empty = os.path.join(self.tmp, "empty")
        os.makedirs(empty)
        code, err = self.serve_fails(empty)
        self.assertEqual(code, 1)
        self.assertIn("no files", err)
        code, err = self.serve_fails(self.site(), "--access-log", os.path.join(self.tmp, "no", "dir", "a.log"))
        self.assertEqual(code, 1)
        self.assertIn("access log", err)
        p = h.run_mayfly(["inspect", os.path.join(self.tmp, "none.mfb")])
        self.assertEqual(p.returncode, 1)
        p = h.run_mayfly(["inspect", self.tmp])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"directory", p.stderr)

    def test_bad_extra_headers(self):
        for hdr in ["NoColon", "X-A: a\r\nSet-Cookie: evil=1", "X-B: a\nb"]:
            with self.subTest(header=hdr):
                code, err = self.serve_fails(self.site("h%d" % len(hdr)), "--header", hdr)
                self.assertEqual(code, 1, err)
                self.assertIn("header", err)

    def test_bad_bind_address(self):
        code, err = self.serve_fails(self.site(), "--bind", "203.0.113.7")
        self.assertEqual(code, 1)
        self.assertIn("203.0.113.7", err)


class BundleCommand(TempDirCase):
    def test_skips_dotfiles_and_backups_with_notice(self):
        site = self.site()
        with open(os.path.join(site, "notes.swp"), "w") as f:
            f.write("swap")
        os.makedirs(os.path.join(site, ".git"))
        with open(os.path.join(site, ".git", "config"), "w") as f:
            f.write("[core]\n")
        out = os.path.join(self.tmp, "s.mfb")
        p = self.bundle(site, out)
        err = p.stderr.decode()
        for name in ["/.secret", "/x~", "/notes.swp", "/.git"]:
            self.assertRegex(err, r"skipped .*%s" % re.escape(name))
        ins = h.run_mayfly(["inspect", "--json", out])
        self.assertEqual(ins.returncode, 0, ins.stderr)
        paths = [e["path"] for e in json.loads(ins.stdout)["entries"]]
        for bad in ["/.secret", "/x~", "/notes.swp", "/.git/config"]:
            self.assertNotIn(bad, paths)
        self.assertIn("/.well-known/security.txt", paths)

    def test_reproducible_with_source_date_epoch(self):
        a = h.copy_fixture(self.tmp, "a", mtime=1750000000)
        b = h.copy_fixture(self.tmp, "copy-b", mtime=1760000123)
        env = h.clean_env(SOURCE_DATE_EPOCH="1700000000")
        outs = []
        for i, site in enumerate([a, b, a]):
            out = os.path.join(self.tmp, "r%d.mfb" % i)
            self.bundle(site, out, env=env)
            with open(out, "rb") as f:
                outs.append(f.read())
        self.assertEqual(outs[0], outs[2], "same tree twice differs")
        self.assertEqual(outs[0], outs[1], "copied tree with other mtimes differs")
        single = os.path.join(self.tmp, "r-1thread.mfb")
        self.bundle(a, single, "--threads", "1", env=env)
        with open(single, "rb") as f:
            self.assertEqual(f.read(), outs[0], "thread count changes the bundle")

    def test_without_source_date_epoch_mtimes_kept(self):
        out = os.path.join(self.tmp, "s.mfb")
        self.bundle(self.site(), out)
        ins = json.loads(h.run_mayfly(["inspect", "--json", out]).stdout)
        e = [e for e in ins["entries"] if e["path"] == "/index.html"][0]
        self.assertEqual(e["last_modified"], h.FIXED_HTTP_DATE)

    def test_inspect_json_entries_and_variants(self):
        out = os.path.join(self.tmp, "s.mfb")
        self.bundle(self.site(), out)
        p = h.run_mayfly(["inspect", "--json", out])
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertRegex(json.dumps(doc), "[0-9a-f]{32}")  # the bundle id somewhere
        entries = {e["path"]: e for e in doc["entries"]}
        for path in ["/index.html", "/404.html", "/large.txt", "/assets/app.3f9a2c1b.css",
                     "/images/logo.png", "/h\u00e9llo w\u00f6rld.txt", "/docs/guide/page.html"]:
            self.assertIn(path, entries)
            self.assertEqual(entries[path]["kind"], "file")
        large = entries["/large.txt"]
        self.assertEqual(large["size"], len(h.read_fixture("large.txt")))
        self.assertIn("gzip", large)
        self.assertIn("br", large)
        self.assertLess(large["gzip"], large["size"] * 0.95)
        self.assertLess(large["br"], large["size"] * 0.95)
        self.assertNotIn("gzip", entries["/images/logo.png"])
        self.assertIn("immutable", entries["/assets/app.3f9a2c1b.css"]["cache_control"])
        self.assertEqual(entries["/docs"]["kind"], "redirect")
        # Plain listing names the same things.
        t = h.run_mayfly(["inspect", out]).stdout.decode()
        self.assertIn("/large.txt", t)
        self.assertIn(doc_id(doc), t)

    def test_no_compress(self):
        out = os.path.join(self.tmp, "n.mfb")
        self.bundle(self.site(), out, "--no-compress")
        doc = json.loads(h.run_mayfly(["inspect", "--json", out]).stdout)
        self.assertFalse(any("gzip" in e or "br" in e for e in doc["entries"]))

    def test_bundle_json(self):
        out = os.path.join(self.tmp, "j.mfb")
        p = self.bundle(self.site(), out, "--json")
        json.loads(p.stdout)

    def test_bundle_missing_dir(self):
        p = h.run_mayfly(["bundle", os.path.join(self.tmp, "nope"), "-o", os.path.join(self.tmp, "x.mfb")])
        self.assertEqual(p.returncode, 1)
        self.assertTrue(p.stderr.strip())


def doc_id(doc):
    for k in ("id", "bundle_id", "bundle"):
        if isinstance(doc.get(k), str):
            return doc[k]
    m = re.search("[0-9a-f]{32}", json.dumps(doc))
    return m.group(0)


if __name__ == "__main__":
    h.take_binary_from_argv()
    unittest.main(verbosity=2)
