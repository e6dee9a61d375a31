#!/usr/bin/env python3
"""The unikernel under QEMU TCG: boots on each virtio transport and serves the fixture site;
a corrupt bundle panics with a clear message; a bounded soak shows no memory growth.

Usage: test_kernel.py PATH/TO/mayfly PATH/TO/mayfly-kernel [unittest args]
"""

import os
import re
import shutil
import socket
import tempfile
import subprocess
import time
import unittest

import vm as v  # noqa: I100 (puts tests/integration on sys.path)
import harness as h  # noqa: E402
from harness import curl, read_fixture  # noqa: E402

TMP = None
BUNDLE = None


def setUpModule():
    global TMP, BUNDLE
    TMP = tempfile.mkdtemp(prefix="mayfly-kernel-")
    BUNDLE = v.make_bundle(TMP)


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


class Boot(unittest.TestCase):
    def boot_and_serve(self, transport, expect, also=()):
        m = v.Vm(BUNDLE, TMP, transport=transport).start()
        try:
            m.wait_http()
            r = curl(m.url("/"))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, read_fixture("index.html"))
            r = curl(m.url("/large.txt"), "--compressed")
            self.assertEqual(r.body, read_fixture("large.txt"))
            console = m.console()
            self.assertIn("mayfly ", console)
            self.assertRegex(console, r"bundle [0-9a-f]{32}: ")
            self.assertIn(expect, console)
            for line in also:
                self.assertIn(line, console)
            self.assertIn("serving on http://10.0.2.15:80/", console)
        finally:
            m.stop()

    def test_pci_modern(self):
        # q35 describes its ECAM window in ACPI's MCFG table; the kernel uses it.
        self.boot_and_serve("pci-modern", "virtio-net: virtio-pci (modern)",
                            ["pci: ECAM at 0xb0000000 for buses 0-255 (ACPI MCFG)"])

    def test_pci_on_i440fx_uses_the_ports(self):
        self.boot_and_serve("pci-i440fx", "virtio-net: virtio-pci (modern)",
                            ["pci: configuration through ports 0xCF8/0xCFC (no ACPI MCFG table)"])

    def test_pci_legacy(self):
        self.boot_and_serve("pci-legacy", "virtio-net: virtio-pci (legacy)")

    def test_pci_transitional(self):
        self.boot_and_serve("pci-transitional", "virtio-net: virtio-pci (modern)")

    def test_mmio_microvm(self):
        self.boot_and_serve("mmio", "virtio-net: virtio-mmio")

    def test_mmio_named_on_command_line(self):
        # As Firecracker passes devices: the slot microvm uses for the first card, named
        # explicitly (the kernel then does not probe).
        m = v.Vm(BUNDLE, TMP, transport="mmio", append="virtio_mmio.device=512@0xfeb02e00:47").start()
        try:
            m.wait_http()
            self.assertIn("virtio-mmio: network device at 0xfeb02e00 irq 47", m.console())
        finally:
            m.stop()

    def test_static_ip(self):
        m = v.Vm(BUNDLE, TMP, append="ip=10.0.2.15/24,10.0.2.2 port=80").start()
        try:
            m.wait_http()
            self.assertIn("serving on http://10.0.2.15:80/ (/24, gateway 10.0.2.2)", m.console())
        finally:
            m.stop()


class Panics(unittest.TestCase):
    def expect_panic(self, bundle, message, append=""):
        m = v.Vm(bundle, TMP, append=append).start()
        try:
            self.assertTrue(m.wait_console("halted (panic=halt)", timeout=60), m.console())
            console = m.console()
            self.assertIn("PANIC: ", console)
            self.assertIn(message, console)
            self.assertIn("backtrace:", console)
        finally:
            m.stop()

    def test_corrupt_bundle(self):
        with open(BUNDLE, "rb") as f:
            data = bytearray(f.read())
        data[len(data) // 2] ^= 0x5A  # one flipped byte in the data section
        bad = os.path.join(TMP, "corrupt.mfb")
        with open(bad, "wb") as f:
            f.write(data)
        self.expect_panic(bad, "bundle: module 0 (%d bytes at 0x" % len(data))
        self.expect_panic(bad, "is not a valid bundle")

    def test_not_a_bundle(self):
        bad = os.path.join(TMP, "text.mfb")
        with open(bad, "wb") as f:
            f.write(b"this is not a bundle\n" * 100)
        self.expect_panic(bad, "is not a valid bundle")

    def test_bad_command_line(self):
        self.expect_panic(BUNDLE, "command line: 'ip=10.0.2/24': expected", append="ip=10.0.2/24")

    def test_write_to_code_faults(self):  # W^X: text is read-only
        self.expect_panic(BUNDLE, "(protection violation, write)", append="selftest=wx")

    def test_execute_data_faults(self):  # NX on data
        self.expect_panic(BUNDLE, "(protection violation, instruction fetch)", append="selftest=nx")

    def test_stack_overflow_hits_guard_page(self):
        self.expect_panic(BUNDLE, "-- stack overflow (guard page)", append="selftest=stack")

    def test_stack_protector(self):
        self.expect_panic(BUNDLE, "PANIC: stack smashing detected", append="selftest=canary")

    def test_reboot_on_panic_stops_qemu(self):
        bad = os.path.join(TMP, "text2.mfb")
        with open(bad, "wb") as f:
            f.write(b"x" * 4096)
        m = v.Vm(bad, TMP, append="panic=reboot").start()
        try:
            m.proc.wait(timeout=60)  # -no-reboot: the reset ends QEMU
            self.assertIn("rebooting (panic=reboot)", m.console())
        finally:
            m.stop()


class RunCommand(unittest.TestCase):
    """`mayfly run` itself: exit codes for a panicking guest and for bad options."""

    def test_panic_exits_1(self):
        env = h.clean_env(MAYFLY_KERNEL=v.KERNEL)
        p = subprocess.run([h.MAYFLY, "run", BUNDLE, "--accel", "tcg", "--port", str(h.free_port()),
                            "--append", "ip=bogus"], capture_output=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(b"PANIC: command line: 'ip=bogus'", p.stdout)
        self.assertIn(b"rebooting (panic=reboot)", p.stdout)
        self.assertIn(b"the VM stopped on its own", p.stderr)

    def test_not_a_bundle_exits_1_before_booting(self):
        bad = os.path.join(TMP, "run-bad.mfb")
        with open(bad, "wb") as f:
            f.write(b"not a bundle" * 100)
        p = h.run_mayfly(["run", bad, "--accel", "tcg"], env=h.clean_env(MAYFLY_KERNEL=v.KERNEL))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(p.stdout, b"")

    def test_bad_memory_exits_2(self):
        p = h.run_mayfly(["run", BUNDLE, "--memory", "lots", "--accel", "tcg"],
                         env=h.clean_env(MAYFLY_KERNEL=v.KERNEL))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(b"--memory", p.stderr)

    def test_missing_kernel_exits_1(self):
        p = h.run_mayfly(["run", BUNDLE, "--kernel", os.path.join(TMP, "nope")])
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"mayfly-kernel not found", p.stderr)


class Soak(unittest.TestCase):
    """A bounded load (count and time) with memstats on: the allocator's high-water mark and
    the stack's do not move after the first requests."""

    def memstats(self, m):
        return [(int(a), int(s)) for a, s in re.findall(
            r"memstats: allocated (\d+) bytes, stack high-water (\d+) bytes", m.console())]

    def test_no_memory_growth(self):
        m = v.Vm(BUNDLE, TMP, append="memstats=1").start()
        try:
            m.wait_http()
            paths = [b"/", b"/large.txt", b"/missing", b"/assets/app.3f9a2c1b.css", b"/sub"]
            sent = 0
            deadline = time.monotonic() + 40
            warm = None
            while sent < 1500 and time.monotonic() < deadline:
                # keep-alive batches of 10 pipelined requests, plus new connections
                with socket.create_connection(("127.0.0.1", m.port), timeout=10) as s:
                    req = b"".join(b"GET " + paths[(sent + i) % len(paths)] +
                                   b" HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n"
                                   for i in range(10))
                    s.sendall(req + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    while s.recv(65536):
                        pass
                sent += 11
                if warm is None and sent >= 110:
                    time.sleep(1.2)
                    warm = self.memstats(m)[-1]
            time.sleep(1.5)
            stats = self.memstats(m)
            self.assertGreaterEqual(sent, 300, "too few requests in the time bound")
            self.assertIsNotNone(warm)
            self.assertEqual(stats[-1][0], warm[0], "allocator grew: %s" % stats)
            self.assertEqual(stats[-1][1], warm[1], "stack grew: %s" % stats)
            m.requests = sent
        finally:
            m.stop()


if __name__ == "__main__":
    v.take_binaries_from_argv()
    unittest.main()
