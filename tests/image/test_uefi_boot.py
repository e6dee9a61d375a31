#!/usr/bin/env python3
"""The disk image boots: QEMU q35 (TCG) with OVMF (Debian's `ovmf`) boots `mayfly image`'s
output from a virtio disk, mayfly's UEFI loader enters the unikernel, and the site answers
through user-mode port forwarding exactly as `mayfly serve` does (the kernel tests' parity
request list, Date aside). Prints the time from QEMU start to the first HTTP response.

Usage: test_uefi_boot.py PATH/TO/mayfly [unittest args]
"""

import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "kernel"))
import vm as v  # noqa: E402 (puts tests/integration on sys.path)
import harness as h  # noqa: E402
import test_parity as parity  # noqa: E402

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS.fd"
CSP = parity.CSP

TMP = None
VM = None
SRV = None
BOOT_SECONDS = None


class ImageVm(v.Vm):
    """The same VM as the kernel tests', booted by firmware from a disk instead of -kernel."""

    def __init__(self, image, workdir):
        super().__init__(image, workdir, transport="pci-transitional", memory="128M")
        vars_copy = os.path.join(workdir, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_copy)
        i = self.args.index("-kernel")
        del self.args[i:i + 6]  # -kernel K -initrd B -append A
        self.args += ["-drive", "if=pflash,format=raw,readonly=on,file=" + OVMF_CODE,
                      "-drive", "if=pflash,format=raw,file=" + vars_copy,
                      "-drive", "if=none,id=disk0,format=raw,file=" + image,
                      "-device", "virtio-blk-pci,drive=disk0"]


def setUpModule():
    global TMP, VM, SRV, BOOT_SECONDS
    if not os.path.exists(OVMF_CODE) or not shutil.which("qemu-system-x86_64"):
        raise unittest.SkipTest("needs qemu-system-x86 and ovmf (scripts/install-deps build)")
    TMP = tempfile.mkdtemp(prefix="mayfly-uefi-")
    bundle = v.make_bundle(TMP, None, "site.mfb", "--header", "Content-Security-Policy: " + CSP)
    image = os.path.join(TMP, "site.img")
    p = h.run_mayfly(["image", bundle, "-o", image, "--cmdline", "ip=dhcp"], timeout=120)
    if p.returncode != 0:
        raise AssertionError("mayfly image failed: %s" % p.stderr.decode())
    VM = ImageVm(image, TMP).start()
    SRV = h.Server(bundle, workdir=TMP).start()
    BOOT_SECONDS = VM.wait_http(timeout=120.0)
    sys.stderr.write("\nOVMF/TCG: QEMU start to first HTTP response: %.1f s (image %d bytes)\n"
                     % (BOOT_SECONDS, os.path.getsize(image)))


def tearDownModule():
    try:
        if VM:
            VM.stop()
        if SRV:
            SRV.stop()
    finally:
        if TMP:
            shutil.rmtree(TMP, ignore_errors=True)


class UefiBoot(unittest.TestCase):
    def test_loader_then_kernel_on_the_console(self):
        console = VM.console()
        self.assertIn("mayfly-uefi: loading", console)
        self.assertIn("exiting boot services", console)
        self.assertIn("unikernel", console)
        self.assertIn("command line: ip=dhcp", console)
        p = h.run_mayfly(["inspect", "--json", os.path.join(TMP, "site.img")], timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        import json
        bundle_id = json.loads(p.stdout)["bundle_id"]
        self.assertIn("bundle %s" % bundle_id, console)

    def test_responses_equal_mayfly_serve(self):
        head = parity.exchange(SRV.port, parity.request("/", "HEAD"))
        import re
        etag_root = re.search(rb'ETag: "([^"]*)"', head).group(1).decode()
        css = parity.exchange(SRV.port, parity.request("/assets/app.3f9a2c1b.css", "HEAD"))
        etag_css = re.search(rb'ETag: "([^"]*)"', css).group(1).decode()
        mismatches = []
        deadline = time.monotonic() + 90
        for name, raw in parity.cases(etag_root, etag_css):
            if time.monotonic() > deadline:
                self.fail("the request list took more than 90 s")
            hosted = parity.normalized(parity.exchange(SRV.port, raw))
            uni = parity.normalized(parity.exchange(VM.port, raw))
            if hosted != uni:
                mismatches.append("%s:\n  serve: %r\n  image: %r" % (name, hosted[:300], uni[:300]))
        self.assertEqual(mismatches, [], "\n".join(mismatches))


if __name__ == "__main__":
    h.take_binary_from_argv()
    unittest.main(verbosity=2)
