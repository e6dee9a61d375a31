#!/usr/bin/python3
"""mayfly's AWS client (SigV4, EC2 Query, EBS direct) through a whole blue/green sequence
against fake_aws.py on loopback: signatures checked by botocore, parameters by botocore's
API models, under throttling, 500s, lost answers and a snapshot that appears late.

usage: test_aws_client.py SCENARIO_TOOL
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_endpoint import Endpoint  # noqa: E402
TOOL = None
BLOCK = 512 * 1024


def run_tool(endpoint, *args, secret="mayfly-test-secret/+=", key="AKIDMAYFLYTEST"):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
           "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_REGION": "eu-west-1"}
    result = subprocess.run([TOOL, endpoint.url, *args], env=env, capture_output=True, text=True,
                            timeout=120)
    out = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    return result.returncode, out, result.stderr


def make_image(directory, name, data_blocks, size):
    """A sparse disk image with non-zero bytes in the given 512 KiB blocks."""
    path = os.path.join(directory, name)
    with open(path, "wb") as image:
        image.truncate(size)
        for index in data_blocks:
            image.seek(index * BLOCK + 17)
            image.write(f"{name} block {index}".encode())
    return path


class AwsClientTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        # 5 MiB + a partial block; v2's last block is the partial one.
        self.v1 = make_image(self.tmp.name, "v1.img", [0, 3, 7], 5 * 1024 * 1024 + 1000)
        self.v2 = make_image(self.tmp.name, "v2.img", [0, 1, 10], 5 * 1024 * 1024 + 1000)

    def tearDown(self):
        self.tmp.cleanup()

    def deploy_and_check(self, endpoint):
        code, out, err = run_tool(endpoint, "deploy", self.v1, self.v2)
        self.assertEqual(code, 0, err)
        state = endpoint.state()
        self.assertEqual(out["v1"]["blocks_sent"], 3)
        self.assertEqual(out["v1"]["blocks_skipped"], 8)
        # v1 pruned: instance terminated, image deregistered, snapshot deleted.
        self.assertIn(state["instances"][out["v1"]["instance"]]["state"], ("shutting-down", "terminated"))
        self.assertEqual(list(state["images"]), [out["v2"]["image"]])
        self.assertEqual(list(state["snapshots"]), [out["v2"]["snapshot"]])
        snapshot = state["snapshots"][out["v2"]["snapshot"]]
        self.assertEqual(snapshot["state"], "completed")
        self.assertEqual(snapshot["blockCount"], 3)
        self.assertEqual(snapshot["tags"]["mayfly:version"], "v2")
        self.assertEqual(state["images"][out["v2"]["image"]]["bootMode"], "uefi")
        # The Elastic IP serves v2, and exactly one instance runs.
        self.assertEqual(out["address_instance"], out["v2"]["instance"])
        running = [i for i, v in state["instances"].items() if v["state"] == "running"]
        self.assertEqual(running, [out["v2"]["instance"]])
        return out, state

    def test_blue_green_sequence(self):
        endpoint = Endpoint()
        try:
            out, _ = self.deploy_and_check(endpoint)
            self.assertEqual(out["retries"], 0)
        finally:
            endpoint.close()

    def test_throttling_errors_and_lost_answers_are_retried_without_doing_work_twice(self):
        endpoint = Endpoint("--throttle-every", "5", "--error-every", "7", "--slow-every", "6",
                            "--slow-seconds", "1.8", "--not-found-first", "2")
        try:
            out, state = self.deploy_and_check(endpoint)
            self.assertGreater(out["retries"], 5)
            for fault in ("throttled", "errors", "slow", "not_found"):
                self.assertGreater(state["faults"][fault], 0, fault)
            # Two deploys made two instances, however many RunInstances were retried.
            self.assertEqual(len(state["instances"]), 2)
        finally:
            endpoint.close()

    def test_bad_credentials_are_reported_with_the_request_id(self):
        endpoint = Endpoint()
        try:
            code, out, err = run_tool(endpoint, "call", "DescribeInstances", secret="wrong")
            self.assertEqual(code, 1)
            self.assertEqual(out["error"], "SignatureDoesNotMatch")
            self.assertTrue(out["request_id"])
            self.assertIn("request id", err)
            code, out, _ = run_tool(endpoint, "call", "DescribeInstances", key="AKIDUNKNOWN")
            self.assertEqual((code, out["error"]), (1, "AuthFailure"))
        finally:
            endpoint.close()

    def test_the_endpoint_refuses_what_the_api_model_refuses(self):
        # The oracle itself must be strict, or the sequence above proves little.
        endpoint = Endpoint()
        try:
            cases = [
                (["RunInstances", "ImageId=ami-1", "MinCount=1", "MaxCount=1", "InstanceTyp=t3.micro"],
                 "UnknownParameter"),
                (["RunInstances", "ImageId=ami-1", "MinCount=1"], "MissingParameter"),
                (["RegisterImage", "Name=x", "BootMode=bios"], "InvalidParameterValue"),
                (["DescribeInstances", "MaxResults=ten"], "InvalidParameterValue"),
                (["DescribeInstances", "Filter.x.Name=tag:a"], "InvalidParameter"),
                (["LaunchRockets"], "InvalidAction"),
            ]
            for args, expected in cases:
                code, out, _ = run_tool(endpoint, "call", *args)
                self.assertEqual((code, out.get("error")), (1, expected), args)
            code, out, err = run_tool(endpoint, "call", "DescribeInstances", "Filter.1.Name=tag:a",
                                      "Filter.1.Value.1=b")
            self.assertEqual(code, 0, err)
        finally:
            endpoint.close()


if __name__ == "__main__":
    TOOL = sys.argv.pop(1)
    unittest.main(verbosity=2)
