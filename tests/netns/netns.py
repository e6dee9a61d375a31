"""Network namespaces for testing `mayfly serve --stack user` against Linux (root only).

Standard library only. A `Namespace` holds one TAP device: mayfly opens it as its link,
and Linux (inside the namespace) has the peer address on the same TAP, so Linux's ARP,
ICMP, TCP, curl and dnsmasq talk to mayfly's stack over it. Everything is removed in
close(), which the tests call from finally/tearDown even when they fail. Every wait here is
bounded.
"""

import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time

IP = shutil.which("ip") or "/usr/sbin/ip"
PEER_IP = "10.201.0.1"     # Linux's address on the TAP
STACK_IP = "10.201.0.2"    # mayfly's static address
PREFIX = 24
TAP = "mft0"
STACK_MAC = "02:00:00:00:02:02"


def run(args, timeout=30, check=True, **kw):
    r = subprocess.run(args, capture_output=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), r.returncode,
                                                r.stderr.decode(errors="replace").strip()))
    return r


def usable():
    """Why these tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, TAP devices)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    if not os.path.exists(IP):
        return "no ip(8) (iproute2)"
    return None


class Namespace:
    """A fresh namespace with lo up and a TAP owned by nobody yet (mayfly attaches)."""

    def __init__(self, mtu=1500, peer_ip=PEER_IP):
        self.name = "mfy-%d-%06d" % (os.getpid(), random.randrange(10**6))
        self.procs = []
        run([IP, "netns", "add", self.name])
        try:
            self.ip("link", "set", "lo", "up")
            # A persistent TAP: it exists before mayfly opens it, so Linux's side can be
            # configured first, and it survives mayfly restarts.
            self.ip("tuntap", "add", "dev", TAP, "mode", "tap")
            self.ip("link", "set", TAP, "mtu", str(mtu))
            self.ip("addr", "add", "%s/%d" % (peer_ip, PREFIX), "dev", TAP)
            self.ip("link", "set", TAP, "up")
        except Exception:
            self.close()
            raise

    def ip(self, *args, check=True):
        return run([IP, "-n", self.name] + list(args), check=check)

    def exec_args(self, args):
        return [IP, "netns", "exec", self.name] + list(args)

    def run(self, args, timeout=60, check=True, **kw):
        return run(self.exec_args(args), timeout=timeout, check=check, **kw)

    def popen(self, args, **kw):
        p = subprocess.Popen(self.exec_args(args), stdin=subprocess.DEVNULL, **kw)
        self.procs.append(p)
        return p

    def nft(self, script):
        return self.run(["nft", "-f", "-"], input=script.encode(), timeout=10)

    def close(self):
        for p in self.procs:
            stop_process(p)
        # Deleting the namespace removes its TAP, addresses and nftables tables with it.
        run([IP, "netns", "del", self.name], check=False, timeout=10)


def stop_process(p, timeout=10):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


class UserStack:
    """`mayfly serve BUNDLE --stack user --tap mft0 ...` inside a namespace."""

    def __init__(self, ns, mayfly, bundle, *extra, ip=STACK_IP, port=80, env=None):
        self.ns = ns
        self.port = port
        self.lines = []
        self.lock = threading.Lock()
        self.address = None
        args = [mayfly, "serve", bundle, "--stack", "user", "--tap", TAP, "--mac", STACK_MAC,
                "--port", str(port), "--access-log", "off"]
        if ip:
            args += ["--ip", "%s/%d" % (ip, PREFIX)]
        args += list(extra)
        self.proc = ns.popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=dict(os.environ, **(env or {})))
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip("\n")
            with self.lock:
                self.lines.append(line)
                m = re.search(r"address (\d+\.\d+\.\d+\.\d+)/\d+", line)
                if m:
                    self.address = m.group(1)

    def output(self):
        with self.lock:
            return "\n".join(self.lines)

    def wait_for_address(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.address:
                    return self.address
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("no address within %ss; mayfly said:\n%s" % (timeout, self.output()))

    def wait_until_serving(self, timeout=10):
        """Until curl gets an answer from the stack (bounded)."""
        addr = self.wait_for_address(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.ns.run(["curl", "-s", "-o", "/dev/null", "-m", "1", "-w", "%{http_code}",
                             "http://%s:%d/" % (addr, self.port)], check=False, timeout=5)
            if r.stdout not in (b"", b"000"):  # any HTTP answer (a site may lack an index)
                return addr
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError("not serving within %ss; mayfly said:\n%s" % (timeout, self.output()))

    def stop(self, timeout=15):
        """SIGTERM and wait; returns the exit code. The summary line is in output()."""
        stop_process(self.proc, timeout)
        self.reader.join(timeout=5)
        if not self.reader.is_alive():
            self.proc.stderr.close()
        return self.proc.returncode
