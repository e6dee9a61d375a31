#!/usr/bin/python3
"""Blue/green deploys with the local provider, end to end: real QEMU VMs running mayfly's
kernel, the detached forwarder as the stable address, a steady bounded client load.

usage: test_local_deploy.py MAYFLY
"""
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from deploy_helpers import Load, free_port, http_get, vms, write_site
from deploy_helpers import wait_for_step as wait_for_journal_step

MAYFLY = None


class LocalDeployTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="mayfly-deploy-")
        self.state = os.path.join(self.tmp.name, "state", "state.db")
        self.port = free_port()
        self.sites = {}
        self.bodies = {}
        for version in ("v1", "v2"):
            site = os.path.join(self.tmp.name, version)
            self.bodies[version] = write_site(site, version)
            self.sites[version] = site

    def tearDown(self):
        self.mayfly("destroy", self.sites["v1"], "--yes", check=False)
        leftovers = self.vms()
        for pid in leftovers:
            os.kill(pid, signal.SIGKILL)
        self.tmp.cleanup()
        self.assertEqual(leftovers, [], "destroy left VMs running")

    def mayfly(self, command, site, *flags, check=True, timeout=240):
        env = dict(os.environ, MAYFLY_ACCEL="tcg", NO_COLOR="1")
        args = [MAYFLY, command, site, "--state", self.state, *flags]
        if command == "deploy":
            args += ["--address", f"127.0.0.1:{self.port}", "--drain-timeout", "20"]
        result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)
        if check and result.returncode != 0:
            self.fail(f"{' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result

    def status(self):
        return json.loads(self.mayfly("status", self.sites["v1"], "--json").stdout)

    def vms(self):
        """QEMU processes of this test's state folder."""
        return vms(os.path.dirname(self.state))

    def get(self, path="/"):
        return http_get("127.0.0.1", self.port, path)

    def deploy_under_load(self, version, *flags, expect_ok=True):
        with Load(self.port, self.bodies) as load:
            time.sleep(1.0)
            result = self.mayfly("deploy", self.sites[version], *flags, check=expect_ok)
            finished = time.monotonic()
            time.sleep(1.0)
        self.assertEqual(load.failures(), [], "failed requests during the deploy")
        return result, load, finished

    def test_blue_green(self):
        # v1, then v2 under load: zero failures, every answer wholly v1 or v2, only v2 after.
        result = self.mayfly("deploy", self.sites["v1"], "--json", "--keep", "2")
        report = json.loads(result.stdout)
        self.assertIn("switch", [s["step"] for s in report["steps"]])
        self.assertEqual(self.get(), (200, self.bodies["v1"]))
        first_vm = self.vms()
        self.assertEqual(len(first_vm), 1)
        # A loopback address runs with the forwarder, even as root (nat refuses loopback).
        self.assertEqual(self.status()["target"]["network"], "forwarder")

        _, load, finished = self.deploy_under_load("v2")
        versions = {r[1] for r in load.results}
        self.assertEqual(versions, {"v1", "v2"})
        self.assertGreater(len(load.results), 40)
        self.assertEqual({r[1] for r in load.since(finished)}, {"v2"})
        self.assertEqual(len(self.vms()), 1)
        self.assertNotEqual(self.vms(), first_vm, "the old VM is gone, a new one serves")
        status = self.status()
        self.assertEqual(status["serving"]["alive"], True)
        self.assertEqual([d["state"] for d in status["deployments"]], ["done", "done"])

        # The same bundle again: nothing to do.
        self.assertIn("nothing to do", self.mayfly("deploy", self.sites["v2"]).stderr)

        # A kernel that never comes up: the deploy fails, v2 keeps serving, nothing left.
        # (A new bundle, so that no image made earlier with the good kernel is reused.)
        self.sites["v3"] = os.path.join(self.tmp.name, "v3")
        write_site(self.sites["v3"], "v3")
        broken = self.mayfly("deploy", self.sites["v3"], "--kernel", "/bin/true",
                             check=False)
        self.assertEqual(broken.returncode, 1, broken.stderr)
        self.assertIn("deploy failed", broken.stderr)
        self.assertEqual(self.get(), (200, self.bodies["v2"]))
        self.assertEqual(len(self.vms()), 1)
        self.assertEqual(self.status()["deployments"][0]["state"], "failed")

        # A bundle that fails the health check (no front page; "/" answers 404): the deploy
        # fails at the health step and v2 keeps serving.
        no_index = os.path.join(self.tmp.name, "no-index")
        write_site(no_index, "v4")
        os.remove(os.path.join(no_index, "index.html"))
        unhealthy = self.mayfly("deploy", no_index, "--health-timeout", "3", check=False)
        self.assertEqual(unhealthy.returncode, 1, unhealthy.stderr)
        self.assertIn("does not serve the new content", unhealthy.stderr)
        self.assertIn("GET /: status 404", unhealthy.stderr)
        self.assertEqual(self.get(), (200, self.bodies["v2"]))
        self.assertEqual(len(self.vms()), 1)

        # Rollback under load: back to v1.
        with Load(self.port, self.bodies) as load:
            time.sleep(0.5)
            self.mayfly("rollback", self.sites["v1"])
        self.assertEqual(load.failures(), [])
        self.assertEqual(self.get(), (200, self.bodies["v1"]))
        # Retention: --keep 2 keeps exactly two images.
        self.assertEqual(len(self.status()["images"]), 2)
        self.assertEqual(len(self.vms()), 1)

    def test_kill_9_at_each_step_converges(self):
        self.mayfly("deploy", self.sites["v1"])
        env = dict(os.environ, MAYFLY_ACCEL="tcg", NO_COLOR="1")
        versions = ["v2", "v1"]
        with Load(self.port, self.bodies) as load:
            for round_number, step in enumerate(["instance", "boot", "health", "drain", "terminate"]):
                version = versions[round_number % 2]
                process = subprocess.Popen(
                    [MAYFLY, "deploy", self.sites[version], "--state", self.state, "--address",
                     f"127.0.0.1:{self.port}", "--drain-timeout", "20"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                killed = self.kill_at(process, step)
                process.wait(timeout=60)
                # The next deploy finishes or undoes what was cut off, then deploys.
                self.mayfly("deploy", self.sites[version])
                self.assertEqual(self.get()[1], self.bodies[version], f"after kill at {step}")
                self.assertEqual(len(self.vms()), 1, f"one VM after kill at {step} ({killed})")
            time.sleep(0.5)
        self.assertEqual(load.failures(), [])
        status = self.status()
        self.assertTrue(status["serving"]["alive"])
        self.assertEqual(len(status["instances"]), 1)

    def test_settings_from_the_site_and_their_errors(self):
        site = self.sites["v1"]
        with open(os.path.join(site, "mayfly.toml"), "w") as out:
            out.write('[deploy]\naddress = "127.0.0.1:18181"\nkeep = 4\nmemory = "48M"\n')
        target = self.status()["target"]
        self.assertEqual((target["address"], target["keep"], target["memory_mib"]),
                         ("127.0.0.1:18181", 4, 48))
        with open(os.path.join(site, "mayfly.toml"), "w") as out:
            out.write('[deploy]\nkeep = "two"\n')
        result = self.mayfly("status", site, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("mayfly.toml:2:8: deploy.keep: expected a number", result.stderr)
        os.remove(os.path.join(site, "mayfly.toml"))
        result = self.mayfly("deploy", site, "--memory", "lots", check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--memory", result.stderr)
        result = self.mayfly("deploy", site, "--network", "bridge", check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("network must be auto, nat or forwarder", result.stderr)

    def test_status_and_a_second_deploy_leave_a_running_deploy_alone(self):
        self.mayfly("deploy", self.sites["v1"])
        # An open keep-alive connection to v1 holds the deploy in its drain step for as long
        # as this test needs.
        held = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        held.request("GET", "/")
        self.assertEqual(held.getresponse().read(), self.bodies["v1"])
        env = dict(os.environ, MAYFLY_ACCEL="tcg", NO_COLOR="1")
        process = subprocess.Popen(
            [MAYFLY, "deploy", self.sites["v2"], "--state", self.state, "--address",
             f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self.assertTrue(self.wait_for_step(process, "drain"))
        status = self.status()  # must not "recover" (undo) the deploy in progress
        self.assertEqual(status["deployments"][0]["state"], "running")
        second = self.mayfly("deploy", self.sites["v1"], "--force", check=False)
        self.assertEqual(second.returncode, 1)
        self.assertIn("another mayfly command", second.stderr)
        held.close()
        _, stderr = process.communicate(timeout=120)
        self.assertEqual(process.returncode, 0, stderr)
        self.assertEqual(self.get(), (200, self.bodies["v2"]))
        self.assertEqual(len(self.vms()), 1)

    def wait_for_step(self, process, step):
        return wait_for_journal_step(self.state, process, step, 120)

    def kill_at(self, process, step):
        """SIGKILL `process` once the journal shows `step` begun (or it has exited)."""
        if self.wait_for_step(process, step) and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            return f"killed in {step}"
        return "finished before the step was seen"

if __name__ == "__main__":
    MAYFLY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
