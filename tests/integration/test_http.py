#!/usr/bin/env python3
"""HTTP behaviour of `mayfly serve`, driven with curl (raw sockets only for pipelining).

Usage: test_http.py PATH/TO/mayfly [unittest args]
One server serves a copy of tests/integration/site (every mtime FIXED_MTIME) for the whole
module, with an extra Content-Security-Policy header given on the command line.
"""

import email.utils
import gzip
import os
import shutil
import tempfile
import time
import unittest

import harness as h
from harness import curl, curl_many

CSP = "default-src self"
SRV = None
TMP = None
SITE = None


def setUpModule():
    global SRV, TMP, SITE
    TMP = tempfile.mkdtemp(prefix="mayfly-http-")
    SITE = h.copy_fixture(TMP)
    SRV = h.Server(SITE, "--header", "Content-Security-Policy: " + CSP, workdir=TMP).start()


def tearDownModule():
    try:
        if SRV is not None:
            code = SRV.stop()
            if code != 0:
                raise AssertionError("mayfly serve exited %s after SIGTERM: %s" % (code, SRV.stderr()))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


def U(path):
    return SRV.url(path)


LARGE = h.read_fixture("large.txt")
INDEX = h.read_fixture("index.html")
NOT_FOUND_PAGE = h.read_fixture("404.html")
CSS = h.read_fixture("assets/app.3f9a2c1b.css")


class Methods(unittest.TestCase):
    def test_get_root(self):
        r = curl(U("/"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, INDEX)

    def test_head_has_headers_no_body(self):
        r = curl(U("/large.txt"), "-I")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-length"), str(len(LARGE)))
        self.assertEqual(r.body, b"")
        g = curl(U("/large.txt"))
        self.assertEqual(r.header("etag"), g.header("etag"))
        self.assertEqual(r.header("content-type"), g.header("content-type"))

    def test_other_methods_405_with_allow(self):
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "BREW"]:
            with self.subTest(method=method):
                r = curl(U("/index.html"), "-X", method)
                self.assertEqual(r.status, 405)
                allow = [m.strip() for m in r.header("allow", "").split(",")]
                self.assertEqual(sorted(allow), ["GET", "HEAD"])
                self.assertEqual(r.header("x-content-type-options"), "nosniff")

    def test_post_with_body_405(self):
        r = curl(U("/"), "--data-binary", "a=1&b=2")
        self.assertEqual(r.status, 405)
        self.assertIn("GET", r.header("allow", ""))


class Routing(unittest.TestCase):
    def test_directory_index(self):
        for path, marker in [("/docs/", b"DOCS-INDEX"), ("/docs/guide/", b"GUIDE-INDEX"),
                             ("/docs/guide/page.html", b"GUIDE-PAGE"), ("/index.html", b"Fixture home")]:
            with self.subTest(path=path):
                r = curl(U(path))
                self.assertEqual(r.status, 200)
                self.assertIn(marker, r.body)

    def test_directory_without_slash_redirects(self):
        for path, loc in [("/docs", "/docs/"), ("/docs/guide", "/docs/guide/"),
                          ("/docs?x=1&y=two", "/docs/?x=1&y=two"), ("/docs/guide?q", "/docs/guide/?q")]:
            with self.subTest(path=path):
                r = curl(U(path))
                self.assertEqual(r.status, 301)
                self.assertEqual(r.header("location"), loc)

    def test_redirect_followed_by_curl(self):
        r = curl(U("/docs"), "-L")
        self.assertEqual(r.status, 200)
        self.assertIn(b"DOCS-INDEX", r.body)

    def test_missing_is_404_with_site_page(self):
        for path in ["/nope", "/nope/", "/docs/missing.html", "/noindex/", "/images/nothing.png"]:
            with self.subTest(path=path):
                r = curl(U(path))
                self.assertEqual(r.status, 404)
                self.assertEqual(r.body, NOT_FOUND_PAGE)
                self.assertTrue(r.header("content-type", "").startswith("text/html"))

    def test_head_404_has_no_body(self):
        r = curl(U("/nope"), "-I")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.body, b"")

    def test_directory_without_index(self):
        r = curl(U("/noindex"))
        self.assertIn(r.status, (301, 404))  # no index: a redirect to a 404, or a 404
        self.assertEqual(curl(U("/noindex/readme.txt")).status, 200)

    def test_percent_decoding(self):
        want = h.read_fixture("h\u00e9llo w\u00f6rld.txt")
        for path in ["/h%C3%A9llo%20w%C3%B6rld.txt", "/h%c3%a9llo%20w%c3%b6rld.txt",
                     "/docs/guide/%70age.html", "/docs%2Fguide%2Fpage.html"]:
            with self.subTest(path=path):
                r = curl(U(path), "--path-as-is")
                self.assertEqual(r.status, 200, path)
                if "llo" in path:
                    self.assertEqual(r.body, want)

    def test_dot_segments_within_root(self):
        for path in ["/docs/../index.html", "/./index.html", "/docs/guide/./../guide/page.html", "//index.html"]:
            with self.subTest(path=path):
                r = curl(U(path), "--path-as-is")
                self.assertEqual(r.status, 200)

    def test_escaping_root_400(self):
        for path in ["/../index.html", "/docs/../../etc/passwd", "/%2e%2e/index.html", "/%2E%2E%2Fetc%2Fpasswd",
                     "/docs/..%2f..%2fetc/passwd", "/.."]:
            with self.subTest(path=path):
                r = curl(U(path), "--path-as-is")
                self.assertEqual(r.status, 400, path)

    def test_bad_percent_encoding_400(self):
        for path in ["/%zz", "/index.html%", "/a%2", "/a%00b"]:
            with self.subTest(path=path):
                self.assertEqual(curl(U(path), "--path-as-is").status, 400, path)

    def test_query_ignored_for_lookup(self):
        for path in ["/?a=b", "/index.html?x=1", "/index.html?", "/large.txt?v=3&w=%2e%2e"]:
            with self.subTest(path=path):
                r = curl(U(path))
                self.assertEqual(r.status, 200)
        self.assertEqual(curl(U("/index.html?x=/../../etc/passwd")).body, INDEX)

    def test_dotfiles_and_backups_not_served(self):
        for path in ["/.secret", "/x~", "/x%7E"]:
            with self.subTest(path=path):
                r = curl(U(path), "--path-as-is")
                self.assertEqual(r.status, 404)
                self.assertNotIn(b"must not be served", r.body)

    def test_well_known_served(self):
        r = curl(U("/.well-known/security.txt"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, h.read_fixture(".well-known/security.txt"))

    def test_png(self):
        r = curl(U("/images/logo.png"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("content-type"), "image/png")
        self.assertEqual(r.body, h.read_fixture("images/logo.png"))


class Conditional(unittest.TestCase):
    PATH = "/index.html"

    @classmethod
    def setUpClass(cls):
        r = curl(U(cls.PATH))
        cls.etag = r.header("etag")
        cls.lm = r.header("last-modified")

    def get(self, *hdrs, method=None):
        args = []
        for x in hdrs:
            args += ["-H", x]
        if method:
            args += ["-X", method] if method != "HEAD" else ["-I"]
        return curl(U(self.PATH), *args)

    def test_etag_strong_and_quoted(self):
        self.assertRegex(self.etag, r'^"[^"]+"$')
        self.assertEqual(self.lm, h.FIXED_HTTP_DATE)

    def test_if_none_match(self):
        opaque = self.etag
        cases = [
            (opaque, 304), ("W/" + opaque, 304), ("*", 304),
            ('"nope", ' + opaque, 304), ('"a","b" , ' + opaque + ' ,"c"', 304),
            ('"nope"', 200), ('"nope", W/"other"', 200), (opaque[:-2] + '"', 200),
        ]
        for value, want in cases:
            with self.subTest(value=value):
                r = self.get("If-None-Match: " + value)
                self.assertEqual(r.status, want)
                if want == 304:
                    self.assertEqual(r.body, b"")
                    self.assertEqual(r.header("etag"), self.etag)
                    self.assertIsNone(r.header("content-length") if r.header("content-length") != "0" else None)

    def test_if_none_match_head(self):
        self.assertEqual(self.get("If-None-Match: " + self.etag, method="HEAD").status, 304)

    def test_if_modified_since(self):
        t = h.FIXED_MTIME
        for date, want in [(h.FIXED_HTTP_DATE, 304), (h.http_date(t + 3600), 304),
                           (h.http_date(t - 1), 200), (h.http_date(t - 86400 * 365), 200),
                           ("not a date", 200)]:
            with self.subTest(date=date):
                self.assertEqual(self.get("If-Modified-Since: " + date).status, want)

    def test_obsolete_date_formats(self):
        """RFC 9110 §5.6.7: recipients accept RFC 850 and asctime dates too."""
        for date, ims, ius in [("Tuesday, 14-Nov-23 22:13:20 GMT", 304, 200), ("Tue Nov 14 22:13:20 2023", 304, 200),
                               ("Monday, 13-Nov-23 22:13:20 GMT", 200, 412), ("Mon Nov 13 22:13:20 2023", 200, 412)]:
            with self.subTest(date=date):
                self.assertEqual(self.get("If-Modified-Since: " + date).status, ims)
                self.assertEqual(self.get("If-Unmodified-Since: " + date).status, ius)

    def test_if_match(self):
        for value, want in [(self.etag, 200), ("*", 200), ('"nope"', 412), ("W/" + self.etag, 412),
                            ('"nope", ' + self.etag, 200)]:
            with self.subTest(value=value):
                r = self.get("If-Match: " + value)
                self.assertEqual(r.status, want)

    def test_if_unmodified_since(self):
        t = h.FIXED_MTIME
        for date, want in [(h.http_date(t - 60), 412), (h.FIXED_HTTP_DATE, 200), (h.http_date(t + 60), 200)]:
            with self.subTest(date=date):
                self.assertEqual(self.get("If-Unmodified-Since: " + date).status, want)

    def test_precedence_rfc9110_13_2_2(self):
        old = h.http_date(h.FIXED_MTIME - 3600)
        cases = [
            # If-Match fails first, whatever If-None-Match says.
            (['If-Match: "nope"', "If-None-Match: " + self.etag], 412),
            # If-Match present: If-Unmodified-Since is ignored.
            (["If-Match: " + self.etag, "If-Unmodified-Since: " + old], 200),
            (["If-Match: " + self.etag, "If-None-Match: " + self.etag], 304),
            # If-Unmodified-Since fails before If-None-Match is looked at.
            (["If-Unmodified-Since: " + old, "If-None-Match: " + self.etag], 412),
            # If-None-Match present: If-Modified-Since is ignored.
            (['If-None-Match: "nope"', "If-Modified-Since: " + h.FIXED_HTTP_DATE], 200),
            (["If-None-Match: " + self.etag, "If-Modified-Since: " + old], 304),
        ]
        for hdrs, want in cases:
            with self.subTest(headers=hdrs):
                self.assertEqual(self.get(*hdrs).status, want)

    def test_conditional_with_encoding(self):
        r = curl(U(self.PATH), "-H", "Accept-Encoding: gzip")
        self.assertEqual(r.header("content-encoding"), "gzip")
        gz_tag = r.header("etag")
        self.assertNotEqual(gz_tag, self.etag)
        r2 = curl(U(self.PATH), "-H", "Accept-Encoding: gzip", "-H", "If-None-Match: " + gz_tag)
        self.assertEqual(r2.status, 304)
        self.assertEqual(r2.header("etag"), gz_tag)
        self.assertEqual(r2.header("vary"), "Accept-Encoding")


class Ranges(unittest.TestCase):
    PATH = "/large.txt"
    N = len(LARGE)

    def rng(self, spec, *extra):
        args = ["-H", "Range: " + spec]
        for x in extra:
            args += ["-H", x]
        return curl(U(self.PATH), *args)

    def check_206(self, r, first, last):
        self.assertEqual(r.status, 206)
        self.assertEqual(r.header("content-range"), "bytes %d-%d/%d" % (first, last, self.N))
        self.assertEqual(r.header("content-length"), str(last - first + 1))
        self.assertEqual(r.body, LARGE[first:last + 1])
        self.assertIsNone(r.header("content-encoding"))

    def test_single(self):
        self.check_206(self.rng("bytes=0-99"), 0, 99)
        self.check_206(self.rng("bytes=1000-1000"), 1000, 1000)
        self.check_206(self.rng("bytes=50000-99999999"), 50000, self.N - 1)

    def test_suffix(self):
        self.check_206(self.rng("bytes=-100"), self.N - 100, self.N - 1)
        self.check_206(self.rng("bytes=-999999"), 0, self.N - 1)

    def test_open(self):
        self.check_206(self.rng("bytes=102000-"), 102000, self.N - 1)
        self.check_206(self.rng("bytes=0-"), 0, self.N - 1)

    def test_multiple_may_answer_200(self):
        r = self.rng("bytes=0-1,5-6")
        self.assertIn(r.status, (200, 206))
        if r.status == 200:
            self.assertEqual(r.body, LARGE)

    def test_unsatisfiable_416(self):
        for spec in ["bytes=%d-" % self.N, "bytes=200000-300000", "bytes=-0"]:
            with self.subTest(spec=spec):
                r = self.rng(spec)
                self.assertEqual(r.status, 416)
                self.assertEqual(r.header("content-range"), "bytes */%d" % self.N)

    def test_invalid_range_ignored(self):
        for spec in ["bytes=9-3", "items=0-5", "bytes=abc"]:
            with self.subTest(spec=spec):
                r = self.rng(spec)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, LARGE)

    def test_accept_ranges(self):
        self.assertEqual(curl(U(self.PATH)).header("accept-ranges"), "bytes")

    def test_if_range(self):
        full = curl(U(self.PATH))
        etag, lm = full.header("etag"), full.header("last-modified")
        self.check_206(self.rng("bytes=0-9", "If-Range: " + etag), 0, 9)
        self.check_206(self.rng("bytes=0-9", "If-Range: " + lm), 0, 9)
        for stale in ['"stale"', "W/" + etag, h.http_date(h.FIXED_MTIME - 10)]:
            with self.subTest(if_range=stale):
                r = self.rng("bytes=0-9", "If-Range: " + stale)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.body, LARGE)

    def test_range_served_from_identity_bytes(self):
        for ae in ["gzip", "br", "br, gzip"]:
            with self.subTest(accept_encoding=ae):
                self.check_206(self.rng("bytes=100-199", "Accept-Encoding: " + ae), 100, 199)

    def test_range_with_curl_resume(self):
        r = curl(U(self.PATH), "-r", "10-19")
        self.check_206(r, 10, 19)


class Encoding(unittest.TestCase):
    def ae(self, value, path="/large.txt"):
        return curl(U(path), "-H", "Accept-Encoding: " + value)

    def test_gzip_decompresses_to_file(self):
        for path, want in [("/large.txt", LARGE), ("/index.html", INDEX), ("/assets/app.3f9a2c1b.css", CSS)]:
            with self.subTest(path=path):
                r = curl(U(path), "-H", "Accept-Encoding: gzip")
                self.assertEqual(r.header("content-encoding"), "gzip")
                self.assertEqual(r.header("vary"), "Accept-Encoding")
                self.assertLess(len(r.body), len(want))
                self.assertEqual(int(r.header("content-length")), len(r.body))
                self.assertEqual(gzip.decompress(r.body), want)

    def test_brotli_decoded_by_curl_equals_file(self):
        for path, want in [("/large.txt", LARGE), ("/index.html", INDEX)]:
            with self.subTest(path=path):
                raw = curl(U(path), "-H", "Accept-Encoding: br")
                self.assertEqual(raw.header("content-encoding"), "br")
                self.assertEqual(raw.header("vary"), "Accept-Encoding")
                self.assertLess(len(raw.body), len(want))
                decoded = curl(U(path), "--compressed", "-H", "Accept-Encoding: br")
                self.assertEqual(decoded.header("content-encoding"), "br")
                self.assertEqual(decoded.body, want)

    def test_curl_compressed(self):
        r = curl(U("/large.txt"), "--compressed")
        self.assertIn(r.header("content-encoding"), ("br", "gzip"))
        self.assertEqual(r.body, LARGE)

    def test_negotiation_table(self):
        cases = [
            ("br", "br"), ("gzip", "gzip"), ("x-gzip", "gzip"), ("identity", None),
            ("gzip, br", "br"), ("br;q=0.5, gzip;q=0.8", "gzip"), ("br;q=0.9, gzip;q=0.8", "br"),
            ("gzip;q=0", None), ("br;q=0, gzip;q=0", None), ("br;q=0, *", "gzip"),
            ("*", "br"), ("*;q=0, identity", None), ("*;q=0.5, gzip;q=1", "gzip"),
            ("deflate, compress", None), ("", None), ("GZIP", "gzip"), ("gzip;q=0.001", "gzip"),
            ("identity;q=1, gzip;q=0.5", None), ("gzip; q=0.5", "gzip"),
        ]
        for value, want in cases:
            with self.subTest(accept_encoding=value):
                r = self.ae(value)
                self.assertEqual(r.status, 200)
                self.assertEqual(r.header("content-encoding"), want)
                body = r.body if want is None else (gzip.decompress(r.body) if want == "gzip" else None)
                if body is not None:
                    self.assertEqual(body, LARGE)

    def test_no_accept_encoding_identity(self):
        r = curl(U("/large.txt"))
        self.assertIsNone(r.header("content-encoding"))
        self.assertEqual(r.header("vary"), "Accept-Encoding")
        self.assertEqual(r.body, LARGE)

    def test_head_encoded_length(self):
        g = self.ae("gzip")
        hd = curl(U("/large.txt"), "-I", "-H", "Accept-Encoding: gzip")
        self.assertEqual(hd.header("content-length"), str(len(g.body)))
        self.assertEqual(hd.header("content-encoding"), "gzip")

    def test_404_page_encoded(self):
        r = curl(U("/missing"), "--compressed", "-H", "Accept-Encoding: br")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.body, NOT_FOUND_PAGE)


class Headers(unittest.TestCase):
    def test_common_headers(self):
        before = time.time()
        r = curl(U("/index.html"))
        self.assertEqual(r.header("server", "")[:6], "mayfly")
        date = email.utils.parsedate_to_datetime(r.header("date")).timestamp()
        self.assertLess(abs(date - before), 5)
        self.assertTrue(r.header("date").endswith(" GMT"))
        self.assertEqual(r.header("content-type"), "text/html; charset=utf-8")
        self.assertEqual(r.header("content-length"), str(len(INDEX)))
        self.assertEqual(r.header("last-modified"), h.FIXED_HTTP_DATE)
        self.assertEqual(r.header("x-content-type-options"), "nosniff")
        self.assertRegex(r.header("etag"), r'^"[^"]+"$')
        cc = r.header("cache-control", "")
        self.assertNotIn("immutable", cc)

    def test_content_types(self):
        for path, ct in [("/assets/app.3f9a2c1b.css", "text/css; charset=utf-8"),
                         ("/large.txt", "text/plain; charset=utf-8"), ("/images/logo.png", "image/png"),
                         ("/docs/", "text/html; charset=utf-8")]:
            with self.subTest(path=path):
                self.assertEqual(curl(U(path)).header("content-type"), ct)

    def test_fingerprinted_immutable(self):
        cc = curl(U("/assets/app.3f9a2c1b.css")).header("cache-control", "")
        for part in ["public", "max-age=31536000", "immutable"]:
            self.assertIn(part, cc)

    def test_html_revalidates(self):
        cc = curl(U("/")).header("cache-control", "")
        self.assertTrue("no-cache" in cc or "max-age=0" in cc, cc)

    def test_distinct_etags(self):
        tags = {curl(U(p)).header("etag") for p in ["/", "/large.txt", "/docs/", "/images/logo.png"]}
        self.assertEqual(len(tags), 4)

    def test_nosniff_and_csp_everywhere(self):
        for path, status in [("/", 200), ("/nope", 404), ("/docs", 301), ("/%2e%2e/", 400)]:
            with self.subTest(path=path):
                r = curl(U(path), "--path-as-is")
                self.assertEqual(r.status, status)
                self.assertEqual(r.header("x-content-type-options"), "nosniff")
        for path in ["/", "/nope", "/large.txt"]:
            with self.subTest(path=path):
                self.assertEqual(curl(U(path)).header("content-security-policy"), CSP)
        r = curl(U("/"), "-X", "POST")
        self.assertEqual(r.header("content-security-policy"), CSP)

    def test_no_duplicate_fields(self):
        r = curl(U("/large.txt"), "-H", "Accept-Encoding: gzip")
        names = [n for n, _ in r.headers]
        self.assertEqual(len(names), len(set(names)), names)


class KeepAlive(unittest.TestCase):
    def test_reuse_one_connection(self):
        res = curl_many([U("/"), U("/large.txt"), U("/docs/"), U("/nope"), U("/images/logo.png")])
        self.assertEqual([c for c, _ in res], [200, 200, 200, 404, 200])
        self.assertEqual([n for _, n in res], [1, 0, 0, 0, 0])

    def test_connection_close(self):
        r = curl(U("/"), "-H", "Connection: close")
        self.assertEqual(r.header("connection"), "close")
        res = curl_many([U("/"), U("/")], "-H", "Connection: close")
        self.assertEqual(res, [(200, 1), (200, 1)])

    def test_http10_without_keepalive_closes(self):
        r = curl(U("/"), "--http1.0")
        self.assertEqual(r.status, 200)
        self.assertNotEqual((r.header("connection") or "").lower(), "keep-alive")
        res = curl_many([U("/"), U("/")], "--http1.0")
        self.assertEqual(res, [(200, 1), (200, 1)])

    def test_http10_with_keepalive(self):
        r = curl(U("/"), "--http1.0", "-H", "Connection: keep-alive")
        self.assertEqual(r.header("connection", "").lower(), "keep-alive")
        res = curl_many([U("/"), U("/large.txt"), U("/")], "--http1.0", "-H", "Connection: keep-alive")
        self.assertEqual(res, [(200, 1), (200, 0), (200, 0)])

    def test_keepalive_after_404_and_304_and_405(self):
        etag = curl(U("/")).header("etag")
        res = curl_many([U("/nope"), U("/")], "-H", "If-None-Match: " + etag)
        self.assertEqual(res, [(404, 1), (304, 0)])


class Pipelining(unittest.TestCase):
    def test_three_requests_in_one_send(self):
        s = h.raw_connect(SRV.port)
        try:
            req = (b"GET /docs/ HTTP/1.1\r\nHost: a\r\n\r\n"
                   b"HEAD /large.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                   b"GET /docs/guide/page.html HTTP/1.1\r\nHost: a\r\n\r\n")
            s.sendall(req)
            b = h.BufferedSocket(s)
            deadline = time.monotonic() + 10
            r1 = h.read_response(b, deadline=deadline)
            r2 = h.read_response(b, head_only=True, deadline=deadline)
            r3 = h.read_response(b, deadline=deadline)
            self.assertEqual(r1[0], 200)
            self.assertIn(b"DOCS-INDEX", r1[2])
            self.assertEqual(r2[0], 200)
            self.assertEqual(dict(r2[1])["content-length"], str(len(LARGE)))
            self.assertEqual(r3[0], 200)
            self.assertIn(b"GUIDE-PAGE", r3[2])
            # Still open: a fourth request on the same connection.
            s.sendall(b"GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            r4 = h.read_response(b, deadline=deadline)
            self.assertEqual(r4[0], 404)
            self.assertEqual(b.read_all(deadline=deadline), b"")
        finally:
            s.close()

    def test_pipelined_with_close_in_middle(self):
        s = h.raw_connect(SRV.port)
        try:
            s.sendall(b"GET /docs/ HTTP/1.1\r\nHost: a\r\n\r\n"
                      b"GET /docs/guide/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                      b"GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n")
            b = h.BufferedSocket(s)
            deadline = time.monotonic() + 10
            self.assertIn(b"DOCS-INDEX", h.read_response(b, deadline=deadline)[2])
            self.assertIn(b"GUIDE-INDEX", h.read_response(b, deadline=deadline)[2])
            self.assertEqual(b.read_all(deadline=deadline), b"")  # third never answered
        finally:
            s.close()

    def test_pipelined_beyond_read_buffer(self):
        """500 pipelined GETs of 100 KiB (about 24 KiB of requests, more than one read buffer,
        and 50 MB of responses) sent while reading: all answered, in order."""
        import threading
        s = h.raw_connect(SRV.port, timeout=20)
        n = 500
        data = b"".join(b"GET /large.txt?n=%d HTTP/1.1\r\nHost: a\r\n\r\n" % i for i in range(n))
        t = threading.Thread(target=s.sendall, args=(data,))
        t.start()
        try:
            b = h.BufferedSocket(s)
            deadline = time.monotonic() + 60
            for i in range(n):
                r = h.read_response(b, deadline=deadline)
                self.assertIsNotNone(r, "connection closed after %d responses" % i)
                self.assertEqual(r[0], 200)
                self.assertEqual(len(r[2]), len(LARGE))
        finally:
            t.join(timeout=30)
            s.close()

    def test_many_pipelined(self):
        s = h.raw_connect(SRV.port)
        try:
            n = 50
            s.sendall(b"GET /robots.txt HTTP/1.1\r\nHost: a\r\n\r\n" * n)
            b = h.BufferedSocket(s)
            deadline = time.monotonic() + 10
            for _ in range(n):
                r = h.read_response(b, deadline=deadline)
                self.assertEqual(r[0], 200)
                self.assertEqual(r[2], h.read_fixture("robots.txt"))
        finally:
            s.close()


if __name__ == "__main__":
    h.take_binary_from_argv()
    unittest.main(verbosity=2)
