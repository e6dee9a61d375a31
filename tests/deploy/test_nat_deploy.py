#!/usr/bin/python3
"""Blue/green deploys with the local provider's root path (network = nat), end to end, in a
network namespace this test makes: QEMU VMs on TAPs on mayfly's bridge, the stable address a
DNAT rule in mayfly's nftables table, drained through conntrack, under a steady bounded load.

usage: test_nat_deploy.py MAYFLY        (root only; exits 77, skipped, elsewhere)

The outer run makes the namespace and runs itself inside it (`ip netns exec`); the namespace
and anything of the test still running in it are removed however the inner run ends.
"""
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from deploy_helpers import Load, http_get, vms, write_site
from deploy_helpers import wait_for_step as wait_for_journal_step

MAYFLY = None
# The stable address: on the namespace's loopback device but not in 127.0.0.0/8 (nat mode
# refuses loopback addresses); every client of the test runs inside the namespace.
ADDRESS, PORT = "10.77.0.1", 8080


def from_client(path="/"):
    """GET through the address from the client namespace: another host as far as the
    server namespace is concerned, so this goes through the prerouting rule."""
    result = subprocess.run(["ip", "netns", "exec", os.environ["MAYFLY_NAT_CLIENT"], "curl",
                             "-s", "-m", "5", f"http://{ADDRESS}:{PORT}{path}"],
                            capture_output=True, timeout=30)
    return result.stdout


def links(prefix):
    return sorted(n for n in os.listdir("/sys/class/net") if n.startswith(prefix))


def nft_tables():
    out = subprocess.run(["nft", "list", "tables"], capture_output=True, text=True).stdout
    return [line.split()[-1] for line in out.splitlines() if "mayfly" in line]


class NatDeployTest(unittest.TestCase):
    def setUp(self):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "addr", "replace", f"{ADDRESS}/32", "dev", "lo"], check=True)
        self.tmp = tempfile.TemporaryDirectory(prefix="mayfly-nat-")
        self.state = os.path.join(self.tmp.name, "state", "state.db")
        self.sites, self.bodies = {}, {}
        for version in ("v1", "v2"):
            self.sites[version] = os.path.join(self.tmp.name, version)
            self.bodies[version] = write_site(self.sites[version], version)

    def tearDown(self):
        self.mayfly("destroy", "v1", "--yes", check=False)
        leftovers = self.vms()
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)
        self.tmp.cleanup()
        self.assertEqual(leftovers, [], "destroy left VMs running")

    def mayfly(self, command, version, *flags, check=True, timeout=120,
               address=f"{ADDRESS}:{PORT}", network="nat"):
        env = dict(os.environ, MAYFLY_ACCEL="tcg", NO_COLOR="1")
        args = [MAYFLY, command, self.sites[version], "--state", self.state, *flags]
        if command == "deploy":
            args += ["--address", address, "--network", network, "--drain-timeout", "20"]
        result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
        if check and result.returncode != 0:
            self.fail(f"{' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def vms(self):
        return vms(os.path.dirname(self.state))

    def get(self):
        return http_get(ADDRESS, PORT)

    def test_blue_green_through_dnat(self):
        started = time.monotonic()
        # auto (the default) picks nat: root, nft, and an address off loopback.
        report = json.loads(self.mayfly("deploy", "v1", "--json", network="auto").stdout)
        self.assertEqual(self.get(), (200, self.bodies["v1"]))
        self.assertEqual(from_client(), self.bodies["v1"])
        status = json.loads(self.mayfly("status", "v1", "--json").stdout)
        self.assertEqual(status["target"]["network"], "nat")
        self.assertEqual(len(links("mfbr-")), 1)
        self.assertEqual(len(nft_tables()), 1)
        first_vm = self.vms()
        self.assertEqual(len(first_vm), 1)
        print(f"\nv1: deploy -> switch {report['to_switch_ms']} ms", file=sys.stderr)

        # v2 under load (keep-alive and fresh connections): no failure, each answer wholly
        # v1 or v2, only v2 once the deploy returned.
        with Load(PORT, self.bodies, limit=60, host=ADDRESS) as load:
            time.sleep(1.0)
            result = self.mayfly("deploy", "v2", "--json")
            finished = time.monotonic()
            time.sleep(1.0)
        self.assertEqual(load.failures(), [], "failed requests during the deploy")
        self.assertEqual({r[1] for r in load.results}, {"v1", "v2"})
        self.assertGreater(len(load.results), 40)
        self.assertEqual({r[1] for r in load.since(finished)}, {"v2"})
        self.assertEqual(from_client(), self.bodies["v2"])
        report = json.loads(result.stdout)
        steps = {s["step"]: s for s in report["steps"]}
        print(f"v2 under load: {len(load.results)} requests, 0 failed; deploy -> switch "
              f"{report['to_switch_ms']} ms; drain {steps['drain']['ms']} ms "
              f"({steps['drain']['detail']}); terminate {steps['terminate']['ms']} ms",
              file=sys.stderr)
        vm_now = self.vms()
        self.assertEqual(len(vm_now), 1)
        self.assertNotEqual(vm_now, first_vm, "the old VM is gone, a new one serves")
        self.assertEqual(len(links("mft")), 1, "one TAP: the old one went with its VM")
        status = json.loads(self.mayfly("status", "v1", "--json").stdout)
        self.assertTrue(status["serving"]["alive"])

        # Rollback under load: back to v1, through the same DNAT swap.
        with Load(PORT, self.bodies, limit=60, host=ADDRESS) as load:
            time.sleep(0.5)
            self.mayfly("rollback", "v1")
            time.sleep(0.5)
        self.assertEqual(load.failures(), [])
        self.assertEqual(self.get(), (200, self.bodies["v1"]))

        # A connection set up before the switch goes on to the old instance (its DNAT is
        # in conntrack) and holds the drain; kill -9 in the drain step, and the next command
        # finishes the deploy once that connection has closed.
        kept = http.client.HTTPConnection(ADDRESS, PORT, timeout=10)
        kept.request("GET", "/")
        self.assertEqual(kept.getresponse().read(), self.bodies["v1"])
        held = Load(PORT, self.bodies, limit=60, host=ADDRESS)
        with held:
            time.sleep(0.5)
            env = dict(os.environ, MAYFLY_ACCEL="tcg", NO_COLOR="1")
            process = subprocess.Popen(
                [MAYFLY, "deploy", self.sites["v2"], "--state", self.state, "--address",
                 f"{ADDRESS}:{PORT}", "--drain-timeout", "20"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            self.assertTrue(self.wait_for_step(process, "drain"))
            time.sleep(0.5)  # still draining: the kept connection is open
            self.assertIsNone(process.poll(), "the drain waits for the kept connection")
            self.assertEqual(http_get(ADDRESS, PORT)[1], self.bodies["v2"])  # new: v2
            kept.request("GET", "/")
            self.assertEqual(kept.getresponse().read(), self.bodies["v1"])  # old: v1
            kept.close()
            process.send_signal(signal.SIGKILL)
            killed = time.monotonic()
            process.wait(timeout=30)
            self.mayfly("status", "v1")  # recovers: drains and terminates the old VM
            recovered = time.monotonic()
            time.sleep(0.5)
        print(f"kill -9 in drain: recovered {recovered - killed:.2f} s after the kill",
              file=sys.stderr)
        self.assertEqual(held.failures(), [], "failed requests around the kill")
        self.assertEqual(self.get(), (200, self.bodies["v2"]))
        self.assertEqual(len(self.vms()), 1)
        self.assertEqual(len(links("mft")), 1)

        # kill -9 at each step before and at the switch, then deploy again: converges to
        # one VM and one TAP serving the version asked for, no request failing meanwhile.
        env = dict(os.environ, MAYFLY_ACCEL="tcg", NO_COLOR="1")
        with Load(PORT, self.bodies, limit=60, host=ADDRESS) as load:
            for round_number, step in enumerate(["instance", "boot", "health", "switch"]):
                version = ["v1", "v2"][round_number % 2]
                process = subprocess.Popen(
                    [MAYFLY, "deploy", self.sites[version], "--state", self.state,
                     "--address", f"{ADDRESS}:{PORT}", "--drain-timeout", "20"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                if self.wait_for_step(process, step) and process.poll() is None:
                    process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                self.mayfly("deploy", version)
                self.assertEqual(self.get(), (200, self.bodies[version]), f"kill at {step}")
                self.assertEqual(len(self.vms()), 1, f"one VM after kill at {step}")
                self.assertEqual(len(links("mft")), 1, f"one TAP after kill at {step}")
        self.assertEqual(load.failures(), [], "failed requests around the kills")
        self.assertEqual(self.get(), (200, self.bodies["v2"]))

        # A kernel that never comes up: the deploy fails before the switch, v2 still
        # serves, and the failed VM's TAP went with it.
        self.sites["v3"] = os.path.join(self.tmp.name, "v3")
        write_site(self.sites["v3"], "v3")
        broken = self.mayfly("deploy", "v3", "--kernel", "/bin/true", check=False)
        self.assertEqual(broken.returncode, 1, broken.stderr)
        self.assertEqual(self.get(), (200, self.bodies["v2"]))
        self.assertEqual(len(self.vms()), 1)
        self.assertEqual(len(links("mft")), 1)

        # Everything mayfly made goes with destroy.
        self.mayfly("destroy", "v1", "--yes")
        self.assertEqual(self.vms(), [])
        self.assertEqual(links("mfbr-") + links("mft"), [])
        self.assertEqual(nft_tables(), [])
        print(f"test body: {time.monotonic() - started:.1f} s", file=sys.stderr)

    def test_nat_refuses_a_loopback_address(self):
        result = self.mayfly("deploy", "v1", address="127.0.0.1:18080", check=False)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("loopback", result.stderr)
        self.assertEqual(self.vms(), [])

    def wait_for_step(self, process, step):
        return wait_for_journal_step(self.state, process, step, 60)


def unusable():
    if os.geteuid() != 0:
        return "needs root (a network namespace, a bridge, TAPs, nftables)"
    for tool in ("ip", "nft", "qemu-system-x86_64"):
        if not shutil.which(tool):
            return f"no {tool}"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    return None


def outer(mayfly):
    why = unusable()
    if why:
        print(f"skipped: {why}")
        return 77
    tag = "%d-%04d" % (os.getpid(), random.randrange(10**4))
    namespace, client = "mfnat-" + tag, "mfnatc-" + tag
    subprocess.run(["ip", "netns", "add", namespace], check=True)
    try:
        # A client namespace behind a veth pair, routed through the server namespace.
        subprocess.run(["ip", "netns", "add", client], check=True)
        for command in (
                ["ip", "-n", namespace, "link", "add", "mfc0", "type", "veth", "peer", "name",
                 "mfc1", "netns", client],
                ["ip", "-n", namespace, "addr", "add", "10.78.0.1/24", "dev", "mfc0"],
                ["ip", "-n", namespace, "link", "set", "mfc0", "up"],
                ["ip", "-n", client, "addr", "add", "10.78.0.2/24", "dev", "mfc1"],
                ["ip", "-n", client, "link", "set", "mfc1", "up"],
                ["ip", "-n", client, "route", "add", "default", "via", "10.78.0.1"],
                # This namespace's own setting; the host's stays as it is.
                ["ip", "netns", "exec", namespace, "sh", "-c",
                 "echo 1 > /proc/sys/net/ipv4/ip_forward"]):
            subprocess.run(command, check=True)
        env = dict(os.environ, MAYFLY_NAT_CLIENT=client)
        return subprocess.run(["ip", "netns", "exec", namespace, sys.executable,
                               os.path.abspath(__file__), "--inside", mayfly],
                              env=env).returncode
    finally:
        subprocess.run(["ip", "netns", "del", client])
        # Whatever the inner run left (a QEMU keeps the namespace alive) dies here.
        for pid in subprocess.run(["ip", "netns", "pids", namespace], capture_output=True,
                                  text=True).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        subprocess.run(["ip", "netns", "del", namespace])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--inside":
        MAYFLY = sys.argv.pop(2)
        sys.argv.pop(1)
        unittest.main(verbosity=2)
    else:
        sys.exit(outer(os.path.abspath(sys.argv[1])))
