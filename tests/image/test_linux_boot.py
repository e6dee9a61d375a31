#!/usr/bin/env python3
"""The Linux fallback flavour (`mayfly image --kernel linux`, docs/image.md): two builds
give the same bytes; sgdisk -v and fsck.fat -n find nothing; inspect shows flavour linux;
QEMU q35 (TCG) with OVMF boots it (mayfly's loader chain-loads Debian's kernel through its
EFI stub, mayfly-init serves the bundle from the initramfs) and every request of the kernel
tests' parity list (404s included) answers the same bytes as `mayfly serve` (Date aside).
Prints progress and the time from QEMU start to the first HTTP response.

Needs Debian's kernel: scripts/install-deps linux (the test group includes it); skipped
with a message when it is missing.

Usage: test_linux_boot.py PATH/TO/mayfly [unittest args]
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "kernel"))
import vm as v  # noqa: E402
import harness as h  # noqa: E402
import test_parity as parity  # noqa: E402
import test_uefi_boot as uefi  # noqa: E402

CSP = parity.CSP
TMP = None
VM = None
SRV = None
IMAGE = None
BUNDLE = None
BOOT_SECONDS = None


def linux_dir():
    d = os.environ.get("MAYFLY_LINUX_DIR")
    if d:
        return d
    found = sorted(glob.glob("/var/cache/mayfly/linux/*/"))
    return found[-1] if found else None


def build_image(out, cmdline="ip=dhcp panic=reboot"):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    cmd = [h.MAYFLY, "image", BUNDLE, "-o", out, "--kernel", "linux", "--cmdline", cmdline]
    p = subprocess.run(cmd, capture_output=True, timeout=180, env=env)
    if p.returncode != 0:
        raise AssertionError("mayfly image --kernel linux failed: %s" % p.stderr.decode())
    return p.stdout.decode()


class LinuxVm(uefi.ImageVm):
    def __init__(self, image, workdir):
        super().__init__(image, workdir)
        i = self.args.index("-m")
        self.args[i + 1] = "512M"


def setUpModule():
    global TMP, VM, SRV, IMAGE, BUNDLE, BOOT_SECONDS
    if not os.path.exists(uefi.OVMF_CODE) or not shutil.which("qemu-system-x86_64"):
        raise unittest.SkipTest("needs qemu-system-x86 and ovmf (scripts/install-deps build)")
    if not linux_dir():
        raise unittest.SkipTest("needs Debian's kernel: scripts/install-deps linux")
    TMP = tempfile.mkdtemp(prefix="mayfly-linux-")
    BUNDLE = v.make_bundle(TMP, None, "site.mfb", "--header", "Content-Security-Policy: " + CSP)
    IMAGE = os.path.join(TMP, "site.img")
    t0 = time.monotonic()
    sys.stderr.write("\n" + build_image(IMAGE))
    sys.stderr.write("image built in %.1f s; booting under QEMU TCG + OVMF\n" % (time.monotonic() - t0))
    VM = LinuxVm(IMAGE, TMP).start()
    SRV = h.Server(BUNDLE, workdir=TMP).start()
    stop = threading.Event()

    def progress():  # TCG Linux boots take tens of seconds: say what the console says
        seen = 0
        while not stop.wait(10):
            lines = [l for l in VM.console().splitlines() if "mayfly" in l]
            for l in lines[seen:]:
                sys.stderr.write("  [%5.1f s] %s\n" % (time.monotonic() - VM.started, l.strip()))
            seen = len(lines)
    t = threading.Thread(target=progress, daemon=True)
    t.start()
    try:
        BOOT_SECONDS = VM.wait_http(timeout=240.0)
    finally:
        stop.set()
    sys.stderr.write("Linux flavour, OVMF/TCG: QEMU start to first HTTP response: %.1f s "
                     "(image %d bytes)\n" % (BOOT_SECONDS, os.path.getsize(IMAGE)))


def tearDownModule():
    try:
        if VM:
            VM.stop()
        if SRV:
            SRV.stop()
    finally:
        if TMP:
            shutil.rmtree(TMP, ignore_errors=True)


class LinuxImage(unittest.TestCase):
    def test_reproducible(self):
        again = os.path.join(TMP, "again.img")
        build_image(again)
        with open(IMAGE, "rb") as a, open(again, "rb") as b:
            self.assertTrue(a.read() == b.read(), "two builds differ")

    def test_sgdisk_and_fsck(self):
        if not shutil.which("sgdisk") or not shutil.which("fsck.fat"):
            self.skipTest("needs gdisk and dosfstools")
        p = subprocess.run(["sgdisk", "-v", IMAGE], capture_output=True, text=True, timeout=60)
        self.assertIn("No problems found", p.stdout + p.stderr)
        info = subprocess.run(["sgdisk", "-i", "1", IMAGE], capture_output=True, text=True,
                              timeout=60).stdout
        first = int(re.search(r"First sector: (\d+)", info).group(1))
        last = int(re.search(r"Last sector: (\d+)", info).group(1))
        esp = os.path.join(TMP, "esp.fat")
        with open(IMAGE, "rb") as f, open(esp, "wb") as o:
            f.seek(first * 512)
            o.write(f.read((last - first + 1) * 512))
        p = subprocess.run(["fsck.fat", "-n", esp], capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_inspect_shows_linux(self):
        p = h.run_mayfly(["inspect", "--json", IMAGE], timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)
        self.assertEqual(r["flavour"], "linux")
        self.assertTrue(r["kernel_version"].endswith("-amd64"), r["kernel_version"])
        paths = [f["path"] for f in r["files"]]
        for want in ("/EFI/BOOT/BOOTX64.EFI", "/mayfly/vmlinuz", "/mayfly/initrd.img",
                     "/mayfly/cmdline.txt", "/mayfly/image.txt"):
            self.assertIn(want, paths)
        self.assertIn("bundle %s" % r["bundle_id"], VM.console())
        text = h.run_mayfly(["inspect", IMAGE], timeout=60).stdout.decode()
        self.assertIn("kernel   linux", text)

    def test_console(self):
        console = VM.console()
        self.assertIn("mayfly-uefi: starting Linux", console)
        self.assertIn("mayfly-init: ", console)
        self.assertIn("modules loaded", console)
        self.assertIn("serving on http://10.0.2.15:80/", console)

    def test_responses_equal_mayfly_serve(self):
        head = parity.exchange(SRV.port, parity.request("/", "HEAD"))
        etag_root = re.search(rb'ETag: "([^"]*)"', head).group(1).decode()
        css = parity.exchange(SRV.port, parity.request("/assets/app.3f9a2c1b.css", "HEAD"))
        etag_css = re.search(rb'ETag: "([^"]*)"', css).group(1).decode()
        mismatches = []
        deadline = time.monotonic() + 120
        n = 0
        for name, raw in parity.cases(etag_root, etag_css):
            if time.monotonic() > deadline:
                self.fail("the request list took more than 120 s")
            hosted = parity.normalized(parity.exchange(SRV.port, raw))
            linux = parity.normalized(parity.exchange(VM.port, raw))
            n += 1
            if hosted != linux:
                mismatches.append("%s:\n  serve: %r\n  image: %r" % (name, hosted[:300], linux[:300]))
        self.assertEqual(mismatches, [], "\n".join(mismatches))
        self.assertGreater(n, 40)
        missing = parity.exchange(VM.port, parity.request("/missing"))
        self.assertTrue(missing.startswith(b"HTTP/1.1 404 "), missing[:100])


class LinuxImageOtherCommandLines(unittest.TestCase):
    """Each boots a second VM (about 20 s under TCG) after the shared one is done with."""

    def boot(self, cmdline):
        image = os.path.join(TMP, "other.img")
        build_image(image, cmdline)
        return LinuxVm(image, TMP).start()

    def test_static_address(self):
        vm = self.boot("ip=10.0.2.15/24,10.0.2.2 port=80 panic=reboot")
        try:
            vm.wait_http(timeout=240.0)
            self.assertIn("eth0: 10.0.2.15/24 via 10.0.2.2", vm.console())
            self.assertNotIn("DHCP", vm.console())
            got = parity.normalized(parity.exchange(vm.port, parity.request("/missing")))
            want = parity.normalized(parity.exchange(SRV.port, parity.request("/missing")))
            self.assertEqual(got, want)
        finally:
            vm.stop()

    def test_fatal_error_is_printed_then_reboots(self):
        # A malformed word of ours is fatal: printed on the console, then reboot(2), which
        # ends QEMU (-no-reboot) instead of a silent hang.
        vm = self.boot("ip=10.0.2.15 panic=reboot")
        try:
            self.assertTrue(vm.wait_console("rebooting (panic=reboot)", timeout=240.0),
                            vm.console())
            self.assertIn("fatal: bad command line word: ip=10.0.2.15", vm.console())
            vm.proc.wait(timeout=60)
        finally:
            vm.stop()


if __name__ == "__main__":
    h.take_binary_from_argv()
    unittest.main(verbosity=2)
