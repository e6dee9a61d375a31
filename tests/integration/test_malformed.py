#!/usr/bin/env python3
"""Malformed-request suite: request smuggling and parser-differential payloads over raw sockets.

Usage: test_malformed.py PATH/TO/mayfly [unittest args]

Each row of CASES is sent on a fresh connection to one `mayfly serve` (header timeout 8 s).
For every row:
  * the first answer is one of the statuses the row allows, or (when the row allows it) the
    connection closes without an answer -- within ANSWER_WITHIN seconds, far below the header
    timeout, so a parser that waits for more bytes shows up as a hang, not as a close;
  * an error answer (400, 414, 431, 501, 505) closes the connection;
  * nothing smuggled is ever answered: the marker of /docs/guide/page.html never appears, and no
    second 2xx follows on the same connection;
  * the server process is still running, and a good request on a NEW connection gets a 200.
"""

import socket
import tempfile
import shutil
import time
import unittest

import harness as h

ANSWER_WITHIN = 4.0
SMUGGLED = b"GUIDE-PAGE"  # body marker of the smuggled target
SMUGGLE_REQ = b"GET /docs/guide/page.html HTTP/1.1\r\nHost: a\r\n\r\n"
ERRORS = {400, 414, 431, 501, 505}
CLOSE = "close"  # the connection closes without any response

CRLF = b"\r\n"


def req(head_lines, body=b"", start=b"GET / HTTP/1.1"):
    return start + CRLF + b"".join(l + CRLF for l in head_lines) + CRLF + body


def chunked_smuggle(te_line, extra=()):
    # A chunked body whose terminating chunk is followed by a smuggled request.
    return req([b"Host: a", te_line] + list(extra), body=b"0\r\n\r\n" + SMUGGLE_REQ, start=b"POST / HTTP/1.1")


LONG = b"a" * 9000

# (name, payload, allowed answers, options). Options: split=1 sends byte by byte;
# shut=True half-closes after sending.
CASES = [
    # --- Transfer-Encoding and Content-Length (smuggling) ---
    ("cl-te", req([b"Host: a", b"Content-Length: 6", b"Transfer-Encoding: chunked"], b"0\r\n\r\nG", b"POST / HTTP/1.1"), {400, 501}),
    ("te-cl", req([b"Host: a", b"Transfer-Encoding: chunked", b"Content-Length: 6"], b"0\r\n\r\nG", b"POST / HTTP/1.1"), {400, 501}),
    ("te-chunked-get", chunked_smuggle(b"Transfer-Encoding: chunked").replace(b"POST", b"GET", 1), {400, 501}),
    ("te-chunked-post", chunked_smuggle(b"Transfer-Encoding: chunked"), {400, 501}),
    ("te-space-before-value", chunked_smuggle(b"Transfer-Encoding:  chunked"), {400, 501}),
    ("te-tab-value", chunked_smuggle(b"Transfer-Encoding:\tchunked"), {400, 501}),
    ("te-trailing-space", chunked_smuggle(b"Transfer-Encoding: chunked "), {400, 501}),
    ("te-case", chunked_smuggle(b"Transfer-Encoding: CHUNKED"), {400, 501}),
    ("te-name-case", chunked_smuggle(b"tRANSFER-eNCODING: chunked"), {400, 501}),
    ("te-xchunked", chunked_smuggle(b"Transfer-Encoding: xchunked"), {400, 501}),
    ("te-chunked-list", chunked_smuggle(b"Transfer-Encoding: gzip, chunked"), {400, 501}),
    ("te-identity", chunked_smuggle(b"Transfer-Encoding: identity"), {400, 501}),
    ("te-empty", chunked_smuggle(b"Transfer-Encoding:"), {400, 501}),
    ("te-twice", chunked_smuggle(b"Transfer-Encoding: chunked", [b"Transfer-Encoding: x"]), {400, 501}),
    ("te-obs-fold", chunked_smuggle(b"Transfer-Encoding:", [b" chunked"]), {400, 501}),
    ("te-space-before-colon", chunked_smuggle(b"Transfer-Encoding : chunked"), {400}),
    ("te-vertical-tab", chunked_smuggle(b"Transfer-Encoding:\x0bchunked"), {400, 501}),
    ("te-underscore-name", chunked_smuggle(b"Transfer_Encoding: chunked"), {400, 405, 501}),
    ("te-http10", req([b"Transfer-Encoding: chunked"], b"0\r\n\r\n" + SMUGGLE_REQ, b"POST / HTTP/1.0"), {400, 501}),
    ("cl-duplicate-same", req([b"Host: a", b"Content-Length: 5", b"Content-Length: 5"], b"hello", b"POST / HTTP/1.1"), {400}),
    ("cl-conflicting", req([b"Host: a", b"Content-Length: 5", b"Content-Length: 44"], b"hello" + SMUGGLE_REQ[:39], b"POST / HTTP/1.1"), {400}),
    ("cl-list", req([b"Host: a", b"Content-Length: 5, 5"], b"hello", b"POST / HTTP/1.1"), {400}),
    ("cl-plus-sign", req([b"Host: a", b"Content-Length: +5"], b"hello", b"POST / HTTP/1.1"), {400}),
    ("cl-minus", req([b"Host: a", b"Content-Length: -1"], b"", b"POST / HTTP/1.1"), {400}),
    ("cl-hex", req([b"Host: a", b"Content-Length: 0x5"], b"hello", b"POST / HTTP/1.1"), {400}),
    ("cl-inner-space", req([b"Host: a", b"Content-Length: 1 0"], b"helloworld", b"POST / HTTP/1.1"), {400}),
    ("cl-overflow", req([b"Host: a", b"Content-Length: 99999999999999999999999"], b"", b"POST / HTTP/1.1"), {400}),
    ("cl-empty", req([b"Host: a", b"Content-Length:"], b"", b"POST / HTTP/1.1"), {400}),
    ("cl-space-before-colon", req([b"Host: a", b"Content-Length : 5"], b"hello"), {400}),
    ("body-on-get", req([b"Host: a", b"Content-Length: %d" % len(SMUGGLE_REQ)], SMUGGLE_REQ), {400}),
    ("body-on-head", req([b"Host: a", b"Content-Length: 5"], b"hello", b"HEAD / HTTP/1.1"), {400}),
    ("post-body-is-a-request", req([b"Host: a", b"Content-Length: %d" % len(SMUGGLE_REQ)], SMUGGLE_REQ, b"POST / HTTP/1.1"), {400, 405, 413}),
    ("get-cl-zero", req([b"Host: a", b"Content-Length: 0"]), {200}),
    # --- header syntax ---
    ("obs-fold", req([b"Host: a", b"X-A: b", b" c"]), {400}),
    ("obs-fold-tab", req([b"Host: a", b"X-A: b", b"\tc"]), {400}),
    ("space-before-colon", req([b"Host : a"]), {400}),
    ("tab-before-colon", req([b"Host\t: a"]), {400}),
    ("no-colon", req([b"Host: a", b"NoColonHere"]), {400}),
    ("empty-name", req([b"Host: a", b": value"]), {400}),
    ("first-header-folded", req([b" Host: a"]), {400}),
    ("nul-in-name", req([b"Host: a", b"X-\x00A: b"]), {400}),
    ("nul-in-value", req([b"Host: a", b"X-A: b\x00c"]), {400}),
    ("ctl-in-value", req([b"Host: a", b"X-A: b\x01c"]), {400}),
    ("del-in-value", req([b"Host: a", b"X-A: b\x7fc"]), {400}),
    ("esc-in-name", req([b"Host: a", b"X\x1bA: b"]), {400}),
    ("bare-cr-in-value", req([b"Host: a", b"X-A: b\rX-B: c"]), {400, CLOSE}),
    ("bare-cr-line-end", b"GET / HTTP/1.1\rHost: a\r\r", {400, CLOSE}),
    ("bare-cr-request-line", b"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", {400, CLOSE}),
    ("bare-lf-line-endings", b"GET / HTTP/1.1\nHost: a\n\n", {200, 400}),
    ("mixed-line-endings", b"GET / HTTP/1.1\r\nHost: a\n\r\n", {200, 400}),
    ("obs-text-value", req([b"Host: a", b"X-A: caf\xc3\xa9"]), {200}),
    ("utf8-in-name", req([b"Host: a", b"X-caf\xc3\xa9: b"]), {400}),
    ("too-many-headers", req([b"Host: a"] + [b"X-H%d: v" % i for i in range(200)]), {431, 400}),
    ("headers-too-large", req([b"Host: a"] + [b"X-Big-%d: %s" % (i, b"v" * 4000) for i in range(6)]), {431}),
    ("one-huge-header", req([b"Host: a", b"X-Huge: " + b"v" * 20000]), {431}),
    ("missing-host-11", req([]), {400}),
    ("duplicate-host", req([b"Host: a", b"Host: b"]), {400}),
    ("duplicate-host-case", req([b"Host: a", b"hOST: a"]), {400}),
    ("host-10-missing-ok", req([], start=b"GET / HTTP/1.0"), {200}),
    ("host-empty", req([b"Host:"]), {200, 400}),
    ("host-with-space", req([b"Host: a b"]), {200, 400}),
    # --- request line ---
    ("lowercase-method", req([b"Host: a"], start=b"get / HTTP/1.1"), {400, 405, 501}),
    ("method-with-paren", req([b"Host: a"], start=b"G(T / HTTP/1.1"), {400, 501}),
    ("method-with-nul", req([b"Host: a"], start=b"GE\x00T / HTTP/1.1"), {400}),
    ("method-utf8", req([b"Host: a"], start=b"G\xc3\x89T / HTTP/1.1"), {400, 501}),
    ("method-very-long", req([b"Host: a"], start=b"X" * 5000 + b" / HTTP/1.1"), {400, 405, 414, 501}),
    ("empty-method", req([b"Host: a"], start=b" / HTTP/1.1"), {400}),
    ("double-space", req([b"Host: a"], start=b"GET  / HTTP/1.1"), {400}),
    ("tab-separator", req([b"Host: a"], start=b"GET\t/\tHTTP/1.1"), {400}),
    ("trailing-space", req([b"Host: a"], start=b"GET / HTTP/1.1 "), {400}),
    ("leading-space", req([b"Host: a"], start=b" GET / HTTP/1.1"), {400}),
    ("space-in-target", req([b"Host: a"], start=b"GET /a b HTTP/1.1"), {400}),
    ("nul-in-target", req([b"Host: a"], start=b"GET /\x00 HTTP/1.1"), {400}),
    ("ctl-in-target", req([b"Host: a"], start=b"GET /\x01a HTTP/1.1"), {400}),
    ("del-in-target", req([b"Host: a"], start=b"GET /\x7f HTTP/1.1"), {400}),
    ("utf8-raw-in-target", req([b"Host: a"], start=b"GET /h\xc3\xa9llo HTTP/1.1"), {400, 404}),
    ("http09", b"GET /\r\n\r\n", {400, CLOSE}),
    ("http09-no-blank", b"GET /docs/guide/page.html\r\n", {400, CLOSE}),
    ("h2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 505, CLOSE}),
    ("http-1.2", req([b"Host: a"], start=b"GET / HTTP/1.2"), {200, 505}),
    ("http-2.0", req([b"Host: a"], start=b"GET / HTTP/2.0"), {505, 400}),
    ("http-3.0", req([b"Host: a"], start=b"GET / HTTP/3.0"), {505, 400}),
    ("http-0.9-version", req([b"Host: a"], start=b"GET / HTTP/0.9"), {505, 400}),
    ("http-lowercase", req([b"Host: a"], start=b"GET / http/1.1"), {400}),
    ("http-10-digits", req([b"Host: a"], start=b"GET / HTTP/10.1"), {400, 505}),
    ("http-missing-minor", req([b"Host: a"], start=b"GET / HTTP/1"), {400}),
    ("garbage-version", req([b"Host: a"], start=b"GET / FOO/1.1"), {400}),
    ("request-line-too-long", req([b"Host: a"], start=b"GET /" + LONG + b" HTTP/1.1"), {414}),
    ("request-line-too-long-unterminated", b"GET /" + b"a" * 12000, {414}),
    ("huge-unterminated-head", b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"v" * 17000, {431}),
    # A well-framed request whose path is too long for the router: 414, and the connection may
    # stay open (the framing is sound), unlike a request line over the parser's limit.
    ("very-long-path", req([b"Host: a"], start=b"GET /" + b"ab/" * 1500 + b" HTTP/1.1"), {404, 414}, {"keep_open_ok": True}),
    ("long-path-over-max", req([b"Host: a"], start=b"GET /" + b"a" * 4100 + b" HTTP/1.1"), {404, 414}, {"keep_open_ok": True}),
    ("many-dot-segments", req([b"Host: a"], start=b"GET /" + b"./" * 2000 + b"index.html HTTP/1.1"), {200, 414}),
    ("fragment", req([b"Host: a"], start=b"GET /index.html#frag HTTP/1.1"), {400, 200}),
    ("pct-00", req([b"Host: a"], start=b"GET /index.html%00.txt HTTP/1.1"), {400, 404}),
    ("pct-2e2e", req([b"Host: a"], start=b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1"), {400}),
    ("pct-2e2e-mixed", req([b"Host: a"], start=b"GET /docs/.%2e/.%2E/etc/passwd HTTP/1.1"), {400}),
    ("dotdot-raw", req([b"Host: a"], start=b"GET /../../etc/passwd HTTP/1.1"), {400}),
    ("backslash-dotdot", req([b"Host: a"], start=b"GET /..\\..\\etc\\passwd HTTP/1.1"), {400, 404}),
    ("pct-bad-hex", req([b"Host: a"], start=b"GET /%g0 HTTP/1.1"), {400}),
    ("pct-truncated", req([b"Host: a"], start=b"GET /abc% HTTP/1.1"), {400}),
    ("absolute-form-http", req([b"Host: a"], start=b"GET http://127.0.0.1/docs/ HTTP/1.1"), {200}),
    ("absolute-form-https", req([b"Host: a"], start=b"GET https://example.com/ HTTP/1.1"), {200}),
    ("absolute-form-no-path", req([b"Host: a"], start=b"GET http://example.com HTTP/1.1"), {200, 400}),
    ("absolute-form-ftp", req([b"Host: a"], start=b"GET ftp://example.com/ HTTP/1.1"), {400}),
    ("absolute-form-no-authority", req([b"Host: a"], start=b"GET http:///etc/passwd HTTP/1.1"), {400}),
    ("absolute-form-dotdot", req([b"Host: a"], start=b"GET http://a/../etc/passwd HTTP/1.1"), {400}),
    ("authority-form", req([b"Host: a"], start=b"CONNECT 127.0.0.1:80 HTTP/1.1"), {400, 405, 501}),
    ("asterisk-form", req([b"Host: a"], start=b"OPTIONS * HTTP/1.1"), {200, 204, 400, 405, 501}),
    ("asterisk-get", req([b"Host: a"], start=b"GET * HTTP/1.1"), {400}),
    ("relative-target", req([b"Host: a"], start=b"GET index.html HTTP/1.1"), {400}),
    ("empty-request-line", b"\r\n\r\n\r\n\r\n\r\n\r\n", {400, CLOSE}),
    ("only-crlfs-then-request", b"\r\n" + req([b"Host: a"]), {200}),
    ("binary-garbage", bytes(range(256)) * 4, {400, CLOSE}),
    # Invalid bytes with no line feed yet: refused at once, not after the header timeout
    # (fixed in 78cb4fc; they were KNOWN BUG rows before).
    ("tls-client-hello", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64, {400, CLOSE},
     {"no_newline": True}),
    ("nul-bytes-no-newline", b"\x00" * 32, {400, CLOSE},
     {"no_newline": True}),
    ("ctl-method-no-newline", b"G\x01T / HTTP/1.1", {400, CLOSE},
     {"no_newline": True}),
    # --- segmentation and pipelining ---
    ("one-byte-segments", req([b"Host: a", b"Accept-Encoding: gzip"], start=b"GET /docs/ HTTP/1.1"), {200}, {"split": 1}),
    ("one-byte-segments-smuggle", chunked_smuggle(b"Transfer-Encoding: chunked"), {400, 501}, {"split": 1}),
    ("half-close-mid-head", b"GET / HTTP/1.1\r\nHost: a\r\n", {400, CLOSE}, {"shut": True}),
    ("half-close-after-request", req([b"Host: a"]), {200}, {"shut": True}),
    ("pipelined-bad-after-good", req([b"Host: a"]) + b"GET / HTTP/1.1\r\nHost : a\r\n\r\n" + SMUGGLE_REQ, {200}),
    ("expect-100-continue-get", req([b"Host: a", b"Expect: 100-continue"]), {200, 417}),
]


def exchange(port, payload, split=0, shut=False, **_):
    """Sends payload on a new connection. Returns (responses, closed, elapsed, raw) where
    responses is a list of (status, headers, body) read until the connection closes or goes
    quiet, and closed tells whether the server closed it."""
    s = socket.create_connection((h.HOST, port), timeout=ANSWER_WITHIN)
    start = time.monotonic()
    raw = b""
    closed = False
    try:
        try:
            if split:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for i in range(0, len(payload), split):
                    s.sendall(payload[i:i + split])
                    if i < 400:
                        time.sleep(0.002)
            else:
                s.sendall(payload)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered early and closed; read what it sent
        deadline = start + ANSWER_WITHIN + (len(payload) * 0.0005 if split else 0)
        quiet_after = None
        while True:
            now = time.monotonic()
            if now >= deadline or (quiet_after is not None and now >= quiet_after):
                break
            s.settimeout(max(0.01, min(deadline, quiet_after or deadline) - now))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            raw += chunk
            if complete_responses(raw):
                # Something answered: wait a little longer for smuggled extras or the close.
                quiet_after = quiet_after or time.monotonic() + 0.5
    finally:
        s.close()
    return parse_all(raw), closed, time.monotonic() - start, raw


def complete_responses(raw):
    return len(parse_all(raw)) > 0


def parse_all(raw):
    out = []
    while b"\r\n\r\n" in raw:
        head, raw = raw.split(b"\r\n\r\n", 1)
        try:
            status, headers = h.parse_head(head)
        except (ValueError, IndexError):
            out.append((-1, [], head))
            break
        n = int(dict(headers).get("content-length", "0"))
        if len(raw) < n:
            break
        out.append((status, headers, raw[:n]))
        raw = raw[n:]
    return out


class MalformedRequests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="mayfly-malformed-")
        site = h.copy_fixture(cls.tmp)
        cls.log = cls.tmp + "/access.log"
        cls.srv = h.Server(site, "--header-timeout", "8000", "--access-log", cls.log, workdir=cls.tmp).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.srv.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if code != 0:
            raise AssertionError("server exit code %s after SIGTERM" % code)

    def good_request_works(self):
        self.assertTrue(self.srv.alive(), "mayfly serve died: " + self.srv.stderr()[-2000:])
        resp, closed, _, _ = exchange(self.srv.port, req([b"Host: a", b"Connection: close"], start=b"GET /robots.txt HTTP/1.1"))
        self.assertTrue(resp and resp[0][0] == 200, "a good request on a new connection failed: %r" % (resp,))

    def check(self, name, payload, allowed, opts):
        resp, closed, elapsed, raw = exchange(self.srv.port, payload, **opts)
        first = resp[0][0] if resp else None
        where = "%s: first=%s closed=%s elapsed=%.2fs raw=%r" % (name, first, closed, elapsed, raw[:300])
        self.assertNotIn(SMUGGLED, raw, "smuggled request answered; " + where)
        if not resp:
            if raw:
                self.fail("unparseable or incomplete response; " + where)
            self.assertIn(CLOSE, allowed, "no response; " + where)
            self.assertTrue(closed, "neither answered nor closed within %.1fs (hang); %s" % (ANSWER_WITHIN, where))
            return
        self.assertIn(first, allowed, "unexpected status; " + where)
        if first in ERRORS and not opts.get("keep_open_ok"):
            self.assertTrue(closed, "connection left open after a %d; %s" % (first, where))
            self.assertEqual(len(resp), 1, "answered after an error; " + where)
            hdrs = dict(resp[0][1])
            self.assertEqual(hdrs.get("connection", "").lower(), "close", where)
        for status, _, _ in resp[1:]:
            self.assertFalse(200 <= status < 300 and first >= 400, "2xx after an error; " + where)


def make_test(name, payload, allowed, opts):
    def test(self):
        self.check(name, payload, allowed, opts)
        self.good_request_works()
    if opts.get("known_bug"):
        # KNOWN BUG: flip by removing "known_bug" from the row once the server is fixed.
        test.__doc__ = "KNOWN BUG: " + opts["known_bug"]
        test = unittest.expectedFailure(test)
    return test


for _row in CASES:
    _name, _payload, _allowed = _row[:3]
    _opts = _row[3] if len(_row) > 3 else {}
    setattr(MalformedRequests, "test_" + _name.replace("-", "_").replace(".", "_"),
            make_test(_name, _payload, _allowed, _opts))


class NoNewlineGarbage(unittest.TestCase):
    def test_garbage_without_newline_closed_quickly(self):
        """The rows without a line feed are answered or closed well within a short header
        timeout too."""
        tmp = tempfile.mkdtemp(prefix="mayfly-malformed-to-")
        try:
            srv = h.Server(h.copy_fixture(tmp), "--header-timeout", "800", workdir=tmp).start()
            for row in CASES:
                if len(row) > 3 and row[3].get("no_newline"):
                    with self.subTest(row=row[0]):
                        s = h.raw_connect(srv.port)
                        s.sendall(row[1])
                        start = time.monotonic()
                        data = h.BufferedSocket(s).read_all(deadline=start + 4)
                        s.close()
                        self.assertLess(time.monotonic() - start, 3.5)
                        self.assertTrue(data == b"" or data.startswith(b"HTTP/1.1 4"), data[:100])
            self.assertEqual(srv.stop(), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class ServerSurvivesAll(unittest.TestCase):
    def test_all_in_one_connection_burst(self):
        """Every payload back to back, each on its own connection, without waiting, then a
        good request: the server is up and answers."""
        tmp = tempfile.mkdtemp(prefix="mayfly-malformed-burst-")
        try:
            srv = h.Server(h.copy_fixture(tmp), "--header-timeout", "2000", workdir=tmp).start()
            socks = []
            for row in CASES:
                try:
                    s = socket.create_connection((h.HOST, srv.port), timeout=2)
                    s.sendall(row[1])
                    socks.append(s)
                except OSError:
                    pass
            for s in socks:
                s.close()
            resp, _, _, _ = exchange(srv.port, req([b"Host: a", b"Connection: close"]))
            self.assertEqual(resp[0][0], 200)
            self.assertEqual(srv.stop(), 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    h.take_binary_from_argv()
    unittest.main(verbosity=2)
