#!/usr/bin/python3
"""mayfly's SigV4 signer against botocore's (Debian's python3-botocore), over generated
requests: methods, paths with dot segments and percent-escapes, query strings, header
names in any case with messy whitespace, bodies, session tokens, unsigned payloads.

usage: sigv4_oracle.py TOOL [--cases N] [--seed S]
"""
import argparse
import calendar
import datetime
import json
import random
import subprocess
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def encoded_text(rng, max_length):
    out = []
    for _ in range(rng.randint(0, max_length)):
        if rng.random() < 0.2:
            out.append("%%%02X" % rng.randint(0, 255))
        else:
            out.append(rng.choice(UNRESERVED))
    return "".join(out)


def random_case(rng):
    # Headers come in any case from callers; the timestamp is the one the signer adds.
    path = "/" + "/".join(
        rng.choice([encoded_text(rng, 8), ".", "..", ""]) for _ in range(rng.randint(0, 5)))
    if rng.random() < 0.3:
        path += "/"
    pairs = []
    for _ in range(rng.randint(0, 5)):
        key = encoded_text(rng, 6) or "k"
        pairs.append(key + ("=" + encoded_text(rng, 8) if rng.random() < 0.8 else ""))
    headers = {}
    for _ in range(rng.randint(0, 5)):
        name = rng.choice(["Content-Type", "x-amz-target", "X-Custom", "user-agent", "Expect",
                           "x-AMZ-meta-" + encoded_text(rng, 4).replace("%", "p"), "Accept"])
        name = "".join(c.upper() if rng.random() < 0.3 else c for c in name)
        if name.lower() in (n.lower() for n in headers):
            continue
        spaces = [" ", "  ", "\t", ""]
        words = [encoded_text(rng, 5) or "v" for _ in range(rng.randint(1, 3))]
        value = rng.choice(spaces) + rng.choice(spaces).join(words) + rng.choice(spaces)
        headers[name] = value
    host = rng.choice(["ec2.us-east-1.amazonaws.com", "ebs.eu-west-1.amazonaws.com",
                       "127.0.0.1:8443", "localhost:4566"])
    when = datetime.datetime(2020, 1, 1) + datetime.timedelta(seconds=rng.randint(0, 10**9))
    return {
        "method": rng.choice(["GET", "POST", "PUT", "DELETE", "HEAD"]),
        "host": host,
        "path": path,
        "query": "&".join(pairs),
        "headers": list(headers.items()),
        "body": encoded_text(rng, 40) if rng.random() < 0.6 else "",
        "unsigned_payload": rng.random() < 0.15,
        "region": rng.choice(["us-east-1", "eu-west-1", "ap-southeast-2"]),
        "service": rng.choice(["ec2", "ebs", "sts"]),
        "time": calendar.timegm(when.timetuple()),
        "key": "AKID" + encoded_text(rng, 12).replace("%", "X"),
        "secret": encoded_text(rng, 40) or "s",
        "token": encoded_text(rng, 30) if rng.random() < 0.3 else "",
    }


def botocore_authorization(case):
    scheme = "http" if ":" in case["host"] else "https"
    url = f"{scheme}://{case['host']}{case['path']}"
    if case["query"]:
        url += "?" + case["query"]
    request = AWSRequest(method=case["method"], url=url, headers=dict(case["headers"]),
                         data=case["body"].encode())
    credentials = Credentials(case["key"], case["secret"], case["token"] or None)
    auth = SigV4Auth(credentials, case["service"], case["region"])
    # add_auth() takes the time from the clock; these are the steps it runs, with ours.
    request.context["timestamp"] = datetime.datetime.utcfromtimestamp(
        case["time"]).strftime("%Y%m%dT%H%M%SZ")
    if case["unsigned_payload"]:
        request.context["payload_signing_enabled"] = False
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    auth._inject_signature_to_request(request, signature)
    return request.headers["Authorization"], canonical


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tool")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20141)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [random_case(rng) for _ in range(args.cases)]
    stdin = "".join(json.dumps(case) + "\n" for case in cases)
    result = subprocess.run([args.tool], input=stdin, capture_output=True, text=True,
                            timeout=120, check=True)
    ours = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(ours) == len(cases), f"tool answered {len(ours)} of {len(cases)} cases"
    failures = 0
    for case, mine in zip(cases, ours):
        expected, canonical = botocore_authorization(case)
        if mine["authorization"] != expected:
            failures += 1
            if failures <= 3:
                print("MISMATCH for", json.dumps(case))
                print("  botocore canonical request:\n" + canonical)
                print("  mayfly canonical request:\n" + mine["canonical_request"])
    print(f"sigv4 oracle: {len(cases) - failures}/{len(cases)} signatures equal botocore's")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
