#!/usr/bin/python3
"""`mayfly deploy --provider ec2` end to end against fake_aws.py on loopback: every call
signed (checked with botocore's signer) and shaped as botocore's EC2/EBS models say, under
throttling and 500s. Deploy, deploy again, a failing health check, rollback, prune, --plan,
kill -9 during the upload, destroy. The endpoint's instances are not machines, so health
checks go to `mayfly serve` stand-ins (--health-url), one per site version.

usage: test_ec2_deploy.py MAYFLY
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_endpoint import Endpoint  # noqa: E402
MAYFLY = None
EIP = "eipalloc-0mayfly"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Metadata(BaseHTTPRequestHandler):
    """An instance metadata service that speaks IMDSv2 only: reads without the session
    token from PUT /latest/api/token are refused with 401, as on a hardened instance."""
    protocol_version = "HTTP/1.1"
    TOKEN = "imds-session-token"
    seen = []

    def log_message(self, *args):
        pass

    def reply(self, status, body=""):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self):
        Metadata.seen.append(("PUT", self.path))
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, Metadata.TOKEN)
        self.reply(400)

    def do_GET(self):
        Metadata.seen.append(("GET", self.path))
        if self.headers.get("X-aws-ec2-metadata-token") != Metadata.TOKEN:
            return self.reply(401)
        answers = {
            "/latest/meta-data/placement/region": "eu-west-1",
            "/latest/meta-data/iam/security-credentials/": "mayfly-deployer",
            "/latest/meta-data/iam/security-credentials/mayfly-deployer": json.dumps({
                "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "AKIDMAYFLYTEST",
                "SecretAccessKey": "mayfly-test-secret/+=", "Token": "role-session-token",
                "Expiration": "2099-01-01T00:00:00Z"}),
        }
        if self.path in answers:
            return self.reply(200, answers[self.path])
        self.reply(404)


class StandIn:
    """`mayfly serve` of one bundle: what a healthy instance of that version answers."""

    def __init__(self, bundle):
        self.port = free_port()
        self.process = subprocess.Popen([MAYFLY, "serve", bundle, "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("stand-in server did not start")

    def close(self):
        self.process.kill()
        self.process.wait(timeout=10)


def make_bundle(directory, version):
    site = os.path.join(directory, "site-" + version)
    os.makedirs(os.path.join(site, "about"), exist_ok=True)
    for name, text in {"index.html": f"<!doctype html><title>blog</title><p>version {version}</p>\n",
                       "404.html": f"<p>not here ({version})</p>\n",
                       "about/index.html": f"<p>about {version}</p>\n"}.items():
        with open(os.path.join(site, name), "w") as out:
            out.write(text)
    bundle = os.path.join(directory, version + ".mfb")
    subprocess.run([MAYFLY, "bundle", site, "-o", bundle], check=True, capture_output=True, timeout=60)
    return bundle


class Ec2DeployTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.state_db = os.path.join(self.dir, "state", "state.db")
        self.closers = []

    def tearDown(self):
        for close in reversed(self.closers):
            close()
        self.tmp.cleanup()

    def endpoint(self, *flags):
        endpoint = Endpoint(*flags)
        self.closers.append(endpoint.close)
        return endpoint

    def stand_in(self, bundle):
        server = StandIn(bundle)
        self.closers.append(server.close)
        return server

    def mayfly(self, endpoint, *args, key="AKIDMAYFLYTEST", expect=0, timeout=180):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir, "NO_COLOR": "1",
               "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": "mayfly-test-secret/+=",
               "AWS_REGION": "eu-west-1"}
        command = [MAYFLY, *args, "--state", self.state_db, "--endpoint-url", endpoint.url]
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
        if expect is not None:
            self.assertEqual(result.returncode, expect, f"{args}\n{result.stdout}\n{result.stderr}")
        return result

    def deploy(self, endpoint, bundle, stand_in, *extra, expect=0):
        result = self.mayfly(endpoint, "deploy", bundle, "--provider", "ec2", "--elastic-ip", EIP,
                             "--instance-type", "t3.micro", "--subnet", "subnet-1",
                             "--security-group", "sg-1", "--health-url", stand_in.url, "--json",
                             *extra, expect=expect)
        return json.loads(result.stdout) if expect == 0 else result

    @staticmethod
    def live(state, kind):
        if kind == "instances":
            return {i: v for i, v in state["instances"].items() if v["state"] in ("pending", "running")}
        return state[kind]

    def test_deploy_redeploy_fail_rollback_prune_destroy(self):
        endpoint = self.endpoint("--throttle-every", "9", "--error-every", "13")
        v1, v2, v3 = (make_bundle(self.dir, v) for v in ("v1", "v2", "v3"))
        s1, s2 = self.stand_in(v1), self.stand_in(v2)

        first = self.deploy(endpoint, v1, s1)
        self.assertTrue(any("stand-in" in note for note in first["notes"]), first["notes"])
        state = endpoint.state()
        instances = self.live(state, "instances")
        self.assertEqual(len(instances), 1)
        (i1, inst1), = instances.items()
        self.assertEqual(inst1["tags"]["mayfly:target"], "default")
        self.assertEqual(state["addresses"][EIP]["instanceId"], i1)
        self.assertEqual(len(state["images"]), 1)
        (ami1, image1), = state["images"].items()
        self.assertEqual(image1["bootMode"], "uefi")
        snapshot = state["snapshots"][image1["snapshotId"]]
        self.assertEqual(snapshot["state"], "completed")
        self.assertEqual(snapshot["tags"]["mayfly:ami"], ami1)
        # t3.micro is a Nitro type: the image is the Linux flavour (Debian's kernel, 8 MiB
        # and more), not the unikernel's few hundred KiB.
        self.assertGreater(snapshot["blockCount"], 16)
        self.assertIn([s["step"] for s in first["steps"]][-3:], [["switch", "verify", "prune"]])

        # Deploying the same bundle again does nothing.
        calls = endpoint.state()["calls"]
        again = self.deploy(endpoint, v1, s1)
        self.assertTrue(again["unchanged"])

        # --plan: the steps and calls, and not one call made.
        calls = endpoint.state()["calls"]
        plan = json.loads(self.mayfly(endpoint, "deploy", v2, "--provider", "ec2", "--elastic-ip", EIP,
                                      "--health-url", s2.url, "--plan", "--json").stdout)["plan"]
        self.assertEqual(endpoint.state()["calls"], calls)
        steps = [p["step"] for p in plan]
        self.assertEqual(steps, ["image", "instance", "health", "switch", "terminate"])
        self.assertTrue(any("RunInstances" in c for c in plan[1]["calls"]))
        self.assertTrue(any(c.startswith("EBS PutSnapshotBlock") for c in plan[0]["calls"]))
        self.assertTrue(any("kernel flavour linux" in c for c in plan[0]["calls"]), plan[0])

        second = self.deploy(endpoint, v2, s2)
        self.assertFalse(second["unchanged"])
        state = endpoint.state()
        (i2, _), = self.live(state, "instances").items()
        self.assertNotEqual(i1, i2)
        self.assertEqual(state["addresses"][EIP]["instanceId"], i2)
        self.assertIn(state["instances"][i1]["state"], ("shutting-down", "terminated"))
        self.assertEqual(len(state["images"]), 2)

        # v3's instance does not serve v3 (its stand-in serves v2): the deploy fails before
        # the switch, the address stays, the new instance is terminated.
        failed = self.deploy(endpoint, v3, s2, "--health-timeout", "2", expect=1)
        self.assertIn("does not serve the new content", failed.stderr)
        self.assertIn("console", failed.stderr)
        state = endpoint.state()
        self.assertEqual(list(self.live(state, "instances")), [i2])
        self.assertEqual(state["addresses"][EIP]["instanceId"], i2)

        # Rollback to v1 (its stand-in for the health check).
        rolled = json.loads(self.mayfly(endpoint, "rollback", "--health-url", s1.url, "--json").stdout)
        state = endpoint.state()
        (i3, inst3), = self.live(state, "instances").items()
        self.assertEqual(inst3["imageId"], ami1)
        self.assertEqual(state["addresses"][EIP]["instanceId"], i3)
        self.assertEqual(rolled["instance"], i3)

        # Prune to one image: everything but v1's image and its snapshot goes.
        self.deploy(endpoint, v1, s1, "--keep", "1", "--force")
        state = endpoint.state()
        self.assertEqual(list(state["images"]), [ami1])
        self.assertEqual(len(state["snapshots"]), 1)

        status = json.loads(self.mayfly(endpoint, "status", "--json").stdout)
        self.assertEqual(status["target"]["provider"], "ec2")
        self.assertEqual(status["target"]["address"], EIP)
        self.assertTrue(status["serving"]["alive"])

        self.mayfly(endpoint, "destroy", "--yes")
        state = endpoint.state()
        self.assertEqual(self.live(state, "instances"), {})
        self.assertEqual(state["images"], {})
        self.assertEqual(state["snapshots"], {})
        self.assertEqual(state["addresses"][EIP]["instanceId"], "")
        faults = state["faults"]
        self.assertGreater(faults["throttled"] + faults["errors"], 0, faults)

    def test_kill_at_each_step_then_converge(self):
        v1, v2 = make_bundle(self.dir, "v1"), make_bundle(self.dir, "v2")
        s1, s2 = self.stand_in(v1), self.stand_in(v2)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir,
               "AWS_ACCESS_KEY_ID": "AKIDMAYFLYTEST", "AWS_SECRET_ACCESS_KEY": "mayfly-test-secret/+=",
               "AWS_REGION": "eu-west-1"}
        # kill -9 once the endpoint shows each step under way, then deploy again.
        moments = {
            "snapshot started": lambda st: len(st["snapshots"]) >= 2,
            "image registered": lambda st: len(st["images"]) >= 2,
            "instance run": lambda st: len(st["instances"]) >= 2,
            "address moved": lambda st: st["addresses"][EIP]["instanceId"] not in ("", first_instance),
        }
        for moment, reached in moments.items():
            with self.subTest(moment=moment):
                # The steps after the address moved take milliseconds here; a late answer
                # to TerminateInstances holds the window open for the kill.
                endpoint = self.endpoint("--delay", "TerminateInstances=1.5")
                self.state_db = os.path.join(self.dir, moment.replace(" ", "-"), "state.db")
                self.deploy(endpoint, v1, s1)
                first_instance = endpoint.state()["addresses"][EIP]["instanceId"]
                process = subprocess.Popen(
                    [MAYFLY, "deploy", v2, "--provider", "ec2", "--elastic-ip", EIP, "--health-url", s2.url,
                     "--state", self.state_db, "--endpoint-url", endpoint.url],
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not reached(endpoint.state()) and process.poll() is None:
                    time.sleep(0.005)
                self.assertIsNone(process.poll(), f"the deploy ended before '{moment}'")
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                self.deploy(endpoint, v2, s2)
                state = endpoint.state()
                live = self.live(state, "instances")
                self.assertEqual(len(live), 1, live)
                (instance, record), = live.items()
                self.assertEqual(state["addresses"][EIP]["instanceId"], instance)
                self.assertEqual(state["images"][record["imageId"]]["snapshotId"] in state["snapshots"], True)
                self.assertEqual(len(state["images"]), 2)  # v1 kept for rollback, v2 serving
                completed = [s for s in state["snapshots"].values() if s["state"] == "completed"]
                self.assertEqual(len(completed), 2, state["snapshots"])
                self.assertEqual(len(state["snapshots"]), 2, state["snapshots"])

    def test_credentials_and_region_from_instance_metadata(self):
        endpoint = self.endpoint()
        server = ThreadingHTTPServer(("127.0.0.1", 0), Metadata)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.closers.append(server.server_close)
        self.closers.append(server.shutdown)
        v1 = make_bundle(self.dir, "v1")
        s1 = self.stand_in(v1)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.dir,
               "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{server.server_address[1]}"}
        result = subprocess.run([MAYFLY, "deploy", v1, "--provider", "ec2", "--elastic-ip", EIP,
                                 "--health-url", s1.url, "--state", self.state_db,
                                 "--endpoint-url", endpoint.url, "--json"],
                                env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(("PUT", "/latest/api/token"), Metadata.seen)
        # Signed with the role's temporary keys (the endpoint checked the session token).
        self.assertEqual(len(self.live(endpoint.state(), "instances")), 1)
        env["AWS_EC2_METADATA_DISABLED"] = "true"
        Metadata.seen.clear()
        result = subprocess.run([MAYFLY, "status", "--state", self.state_db, "--endpoint-url", endpoint.url],
                                env=env, capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("no AWS credentials", result.stderr)
        self.assertEqual(Metadata.seen, [])

    def test_refresh_rebuilds_a_lost_state(self):
        endpoint = self.endpoint()
        v1, v2, v3 = (make_bundle(self.dir, v) for v in ("v1", "v2", "v3"))
        s1, s2, s3 = self.stand_in(v1), self.stand_in(v2), self.stand_in(v3)
        self.deploy(endpoint, v1, s1)
        self.deploy(endpoint, v2, s2)
        serving = endpoint.state()["addresses"][EIP]["instanceId"]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.state_db + suffix):
                os.remove(self.state_db + suffix)
        status = json.loads(self.mayfly(endpoint, "status", "--refresh", "--provider", "ec2",
                                        "--elastic-ip", EIP, "--health-url", s2.url, "--json").stdout)
        self.assertEqual(status["serving"]["instance"], serving)
        self.assertEqual(len(status["images"]), 2)
        self.assertEqual(len(status["refreshed"]), 3, status["refreshed"])  # 2 images, 1 instance
        # The rebuilt state deploys on: v3 replaces the serving instance.
        self.deploy(endpoint, v3, s3)
        state = endpoint.state()
        (now, _), = self.live(state, "instances").items()
        self.assertEqual(state["addresses"][EIP]["instanceId"], now)
        self.assertIn(state["instances"][serving]["state"], ("shutting-down", "terminated"))

    def test_refusals_make_no_calls(self):
        endpoint = self.endpoint()
        v1 = make_bundle(self.dir, "v1")
        # Without a stand-in: a Xen type cannot boot UEFI; the unikernel cannot network on
        # a Nitro type (ENA). Both are refused before anything is made.
        result = self.mayfly(endpoint, "deploy", v1, "--provider", "ec2", "--elastic-ip", EIP,
                             "--instance-type", "t2.micro", expect=1)
        self.assertIn("Xen type", result.stderr)
        result = self.mayfly(endpoint, "deploy", v1, "--provider", "ec2", "--elastic-ip", EIP,
                             "--instance-type", "t3.micro", "--flavour", "mayfly", expect=1)
        self.assertIn("ENA", result.stderr)
        result = self.mayfly(endpoint, "deploy", v1, "--provider", "ec2", "--target", "other", expect=1)
        self.assertIn("--elastic-ip", result.stderr)
        self.assertEqual(endpoint.state()["images"], {})
        # Wrong keys: AWS's error code and the request id, exit 1.
        s1 = self.stand_in(v1)
        result = self.mayfly(endpoint, "deploy", v1, "--provider", "ec2", "--elastic-ip", EIP,
                             "--health-url", s1.url, key="AKIDWRONG", expect=1)
        self.assertIn("AuthFailure", result.stderr)
        self.assertIn("request id", result.stderr)

    def test_aws_refusals_leave_nothing_running(self):
        v1 = make_bundle(self.dir, "v1")
        s1 = self.stand_in(v1)
        for action, code in (("RunInstances", "InsufficientInstanceCapacity"),
                             ("RunInstances", "InstanceLimitExceeded"),
                             ("AssociateAddress", "UnauthorizedOperation")):
            with self.subTest(code=code):
                endpoint = self.endpoint("--fail", f"{action}={code}")
                self.state_db = os.path.join(self.dir, code, "state.db")
                result = self.deploy(endpoint, v1, s1, expect=1)
                self.assertIn(code, result.stderr)
                self.assertIn("request id", result.stderr)
                state = endpoint.state()
                self.assertEqual(self.live(state, "instances"), {})
                self.assertEqual(state["addresses"][EIP]["instanceId"], "")


if __name__ == "__main__":
    MAYFLY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
