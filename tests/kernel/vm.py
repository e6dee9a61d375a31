"""Boots mayfly-kernel in QEMU for the kernel tests: direct qemu-system-x86_64 command lines
(so each test picks the machine and the virtio transport), console to a file, user-mode
networking with one forwarded loopback port. Every wait is bounded; stop() always kills.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness as h  # noqa: E402

QEMU = shutil.which("qemu-system-x86_64") or "/usr/bin/qemu-system-x86_64"
KERNEL = os.environ.get("MAYFLY_KERNEL", "")

TRANSPORTS = {
    # virtio 1.x only: device 0x1041
    "pci-modern": ["-M", "q35", "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,romfile="],
    # transitional device (0x1000) driven through its legacy interface
    "pci-legacy": ["-M", "q35", "-device", "virtio-net-pci,netdev=n0,disable-modern=on,romfile="],
    # transitional device (0x1000) with both interfaces: the kernel takes the modern one
    "pci-transitional": ["-M", "q35", "-device", "virtio-net-pci,netdev=n0,romfile="],
    # the i440FX PC: PCI without ECAM (no MCFG), configuration through the ports
    "pci-i440fx": ["-M", "pc", "-device", "virtio-net-pci,netdev=n0,disable-legacy=on,romfile="],
    # QEMU microvm: virtio-mmio version 2
    "mmio": ["-M", "microvm", "-global", "virtio-mmio.force-legacy=false",
             "-device", "virtio-net-device,netdev=n0"],
}


def take_binaries_from_argv():
    """test_x.py MAYFLY KERNEL [unittest args]"""
    global KERNEL
    if len(sys.argv) > 2 and not sys.argv[2].startswith("-"):
        KERNEL = os.path.abspath(sys.argv.pop(2))
    h.take_binary_from_argv()
    if not KERNEL or not os.path.exists(KERNEL):
        sys.stderr.write("usage: %s PATH/TO/mayfly PATH/TO/mayfly-kernel [unittest args]\n" % sys.argv[0])
        sys.exit(2)


def make_bundle(workdir, site=None, name="site.mfb", *extra):
    site = site or h.copy_fixture(workdir)
    out = os.path.join(workdir, name)
    p = h.run_mayfly(["bundle", site, "-o", out] + list(extra), timeout=120)
    if p.returncode != 0:
        raise AssertionError("mayfly bundle failed: %s" % p.stderr.decode())
    return out


class Vm:
    def __init__(self, bundle, workdir, transport="pci-modern", append="", memory="64M"):
        self.port = h.free_port()
        self.console_path = os.path.join(workdir, "console-%d.log" % self.port)
        self.args = [QEMU, "-accel", os.environ.get("MAYFLY_ACCEL", "tcg"), "-m", memory,
                     "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                     "-serial", "file:" + self.console_path,
                     "-kernel", KERNEL, "-initrd", bundle, "-append", append,
                     "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:%d-:80" % self.port]
        self.args += TRANSPORTS[transport]
        self.proc = None
        self.started = None

    def start(self):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        return self

    def console(self):
        try:
            with open(self.console_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_console(self, text, timeout=60.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.console():
                return True
            if self.proc.poll() is not None:
                return text in self.console()
            time.sleep(0.1)
        return False

    def wait_http(self, timeout=90.0):
        """Seconds from QEMU start to the first HTTP response to HEAD /."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("QEMU exited (%s); console:\n%s" % (self.proc.returncode, self.console()))
            try:
                with socket.create_connection((h.HOST, self.port), timeout=1.0) as s:
                    s.settimeout(2.0)
                    s.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 "):
                        return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("the unikernel did not answer within %.0fs; console:\n%s" % (timeout, self.console()))

    def url(self, path="/"):
        return "http://%s:%d%s" % (h.HOST, self.port, path)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
