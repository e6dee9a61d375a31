"""Opens N connections to HOST:PORT at once, then sends one GET on each and checks every
response body's SHA-256. Run inside the test's namespace. Prints one JSON line:
{"connections": N, "open_at_once": K, "ok": M, "errors": [...], "seconds": T}.
Bounded: everything ends within TIMEOUT seconds.

usage: concurrent_client.py HOST PORT N PATH SHA256 TIMEOUT
"""

import hashlib
import json
import selectors
import socket
import sys
import time


def main():
    host, port, n, path, want, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        sys.argv[4], sys.argv[5], float(sys.argv[6])
    start = time.monotonic()
    deadline = start + timeout
    sel = selectors.DefaultSelector()
    conns = {}
    errors = []
    for i in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, port))
        conns[s] = {"i": i, "state": "connecting", "data": bytearray()}
        sel.register(s, selectors.EVENT_WRITE)
    # Phase 1: every connection established before any request, so they are open together.
    connected = 0
    while connected + len(errors) < n and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            c = conns[s]
            if c["state"] != "connecting":
                continue
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            sel.unregister(s)
            if err:
                errors.append("connect %d: errno %d" % (c["i"], err))
                c["state"] = "failed"
                s.close()
            else:
                c["state"] = "open"
                connected += 1
    open_at_once = connected
    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)).encode()
    for s, c in conns.items():
        if c["state"] == "open":
            s.sendall(request)  # small: fits the socket buffer at once
            c["state"] = "reading"
            sel.register(s, selectors.EVENT_READ)
    ok = 0
    pending = sum(1 for c in conns.values() if c["state"] == "reading")
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            c = conns[s]
            try:
                chunk = s.recv(65536)
            except OSError as e:
                chunk = b""
                errors.append("recv %d: %s" % (c["i"], e))
            if chunk:
                c["data"] += chunk
                continue
            sel.unregister(s)
            s.close()
            pending -= 1
            data = bytes(c["data"])
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append("conn %d: %r" % (c["i"], head[:40]))
            elif hashlib.sha256(body).hexdigest() != want:
                errors.append("conn %d: body of %d bytes differs" % (c["i"], len(body)))
            else:
                ok += 1
            c["state"] = "done"
    if pending:
        errors.append("%d connections unfinished after %ss" % (pending, timeout))
    for s in list(conns):
        s.close()
    print(json.dumps({"connections": n, "open_at_once": open_at_once, "ok": ok,
                      "errors": errors[:20], "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    main()
