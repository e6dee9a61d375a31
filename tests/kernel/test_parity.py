#!/usr/bin/env python3
"""Parity: the unikernel (QEMU TCG, user networking) and `mayfly serve` answer every request
of a fixed list with the same bytes (status line, every header in order, body), the Date
field aside. Both serve the same bundle file. Raw sockets, one connection per request
(Connection: close), so the comparison sees exactly what each server wrote.

Usage: test_parity.py PATH/TO/mayfly PATH/TO/mayfly-kernel [unittest args]
"""

import re
import shutil
import socket
import tempfile
import time
import unittest

import vm as v  # noqa: I100 (puts tests/integration on sys.path)
import harness as h  # noqa: E402

TMP = None
VM = None
SRV = None
CSP = "default-src self"


def setUpModule():
    global TMP, VM, SRV
    TMP = tempfile.mkdtemp(prefix="mayfly-parity-")
    bundle = v.make_bundle(TMP, None, "site.mfb", "--header", "Content-Security-Policy: " + CSP)
    VM = v.Vm(bundle, TMP).start()
    SRV = h.Server(bundle, workdir=TMP).start()
    VM.wait_http()


def tearDownModule():
    try:
        if VM:
            VM.stop()
        if SRV:
            SRV.stop()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


def exchange(port, raw, timeout=20.0):
    """Sends raw bytes, reads until the server closes (bounded)."""
    out = b""
    deadline = time.monotonic() + timeout
    with socket.create_connection((h.HOST, port), timeout=timeout) as s:
        s.sendall(raw)
        try:
            s.shutdown(socket.SHUT_WR) if raw.endswith(b"\r\n\r\n") and b"Connection: close" in raw else None
        except OSError:
            pass
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
    return out


DATE = re.compile(rb"\r\nDate: [^\r]*\r\n")


def normalized(resp):
    return DATE.sub(b"\r\nDate: -\r\n", resp)


def request(target, method="GET", version="HTTP/1.1", headers=(), close=True):
    lines = ["%s %s %s" % (method, target, version), "Host: parity.test"]
    lines += list(headers)
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def cases(etag_root, etag_css):
    paths = ["/", "/index.html", "/large.txt", "/robots.txt", "/missing", "/docs", "/docs/",
             "/docs/guide/", "/docs/guide/page.html", "/noindex/", "/images/logo.png",
             "/assets/app.3f9a2c1b.css", "/.secret", "/x~", "/.well-known/security.txt",
             "/h%C3%A9llo%20w%C3%B6rld.txt", "/%2e%2e/%2e%2e/etc/passwd", "/a%zz", "/docs/../index.html",
             "/index.html?x=1&y=2", "//index.html", "*"]
    out = []
    for p in paths:
        for m in ("GET", "HEAD"):
            out.append(("%s %s" % (m, p), request(p, m)))
    for enc in ("gzip", "br", "gzip, br", "br;q=0, gzip", "identity;q=0", "*", "deflate", "gzip;q=0, *;q=0"):
        for p in ("/", "/large.txt", "/assets/app.3f9a2c1b.css", "/missing"):
            out.append(("AE %s %s" % (enc, p), request(p, headers=["Accept-Encoding: " + enc])))
    for rng in ("bytes=0-9", "bytes=-5", "bytes=5-", "bytes=0-1,3-4", "bytes=999999-", "bytes=x",
                "bytes=10-5", "items=0-1"):
        out.append(("Range %s" % rng, request("/large.txt", headers=["Range: " + rng])))
    cond = [
        ["If-None-Match: \"%s\"" % etag_root], ["If-None-Match: *"], ["If-None-Match: \"nope\""],
        ["If-Modified-Since: " + h.FIXED_HTTP_DATE], ["If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"],
        ["If-Match: \"nope\""], ["If-Match: *"], ["If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT"],
        ["If-None-Match: \"%s\"" % etag_root, "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"],
        ["If-None-Match: \"%s\"" % etag_root, "Accept-Encoding: gzip"],
    ]
    for c in cond:
        out.append(("Cond %s" % c, request("/", headers=c)))
    out.append(("If-Range", request("/assets/app.3f9a2c1b.css",
                                    headers=["Range: bytes=0-3", "If-Range: \"%s\"" % etag_css])))
    for m in ("POST", "PUT", "DELETE", "OPTIONS", "TRACE", "BREW"):
        out.append(("method %s" % m, request("/", m)))
    out.append(("HTTP/1.0", request("/", version="HTTP/1.0", close=False)))
    out.append(("HTTP/1.0 keep-alive then close", request("/", version="HTTP/1.0")))
    out.append(("no Host", b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"))
    out.append(("two Hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n"))
    out.append(("garbage", b"GARBAGE\r\n\r\n"))
    out.append(("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: x\r\n\r\n"))
    out.append(("bare LF", b"GET / HTTP/1.1\nHost: x\nConnection: close\n\n"))
    out.append(("space before colon", b"GET / HTTP/1.1\r\nHost : x\r\nConnection: close\r\n\r\n"))
    out.append(("long target", request("/" + "a" * 9000)))
    out.append(("big head", request("/", headers=["X-Fill-%d: %s" % (i, "v" * 900) for i in range(20)])))
    out.append(("many fields", request("/", headers=["X-F%d: 1" % i for i in range(120)])))
    out.append(("content-length body", b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"))
    out.append(("chunked", b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"))
    out.append(("pipelined", request("/robots.txt", close=False) + request("/missing", close=False) +
                request("/", "HEAD")))
    return out


class Parity(unittest.TestCase):
    def test_every_response_equals_hosted(self):
        head = exchange(SRV.port, request("/", "HEAD"))
        etag_root = re.search(rb'ETag: "([^"]*)"', head).group(1).decode()
        css = exchange(SRV.port, request("/assets/app.3f9a2c1b.css", "HEAD"))
        etag_css = re.search(rb'ETag: "([^"]*)"', css).group(1).decode()
        mismatches = []
        all_cases = cases(etag_root, etag_css)
        for name, raw in all_cases:
            hosted = normalized(exchange(SRV.port, raw))
            uni = normalized(exchange(VM.port, raw))
            if not hosted:
                mismatches.append("%s: the hosted server sent nothing" % name)
            elif hosted != uni:
                mismatches.append("%s:\n  hosted    %r\n  unikernel %r" % (name, hosted[:400], uni[:400]))
        self.assertEqual(mismatches, [], "%d of %d cases differ:\n%s" % (
            len(mismatches), len(all_cases), "\n".join(mismatches)))
        print("parity: %d requests, identical responses" % len(all_cases))


if __name__ == "__main__":
    v.take_binaries_from_argv()
    unittest.main()
