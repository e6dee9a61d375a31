#!/usr/bin/python3
"""An EC2 + EBS direct test endpoint on loopback, for mayfly's AWS client.

Every request's SigV4 signature is recomputed with botocore's signer (Debian's
python3-botocore) and every parameter is checked against the API models botocore ships
(ec2 2016-11-15, ebs 2019-11-02): unknown or misspelled parameters, missing required
ones, values outside an enum, bad numbers and booleans are refused as AWS would (400).
It plays the resource state machines (snapshot pending -> completed, instance pending ->
running -> terminated, Elastic IP association) and checks every EBS block's SHA-256 and
the snapshot's aggregated checksum. Faults are injected on request: throttling, 500s,
answers slower than the client's timeout, snapshots not yet visible to the block API.

usage: fake_aws.py [--port 0] [--throttle-every N] [--error-every N] [--slow-every N]
                   [--slow-seconds S] [--not-found-first N] [--fail ACTION=CODE ...]
(--fail: that EC2 action answers with that error code, e.g. capacity or quota errors;
 --delay ACTION=SECONDS: that EC2 action answers late, so a test can act in between.)
It prints "listening PORT" on stdout. GET /__state returns the resources as JSON.
"""
import argparse
import base64
import datetime
import hashlib
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SECRETS = {"AKIDMAYFLYTEST": "mayfly-test-secret/+="}
loader = botocore.session.get_session().get_component("data_loader")
EC2 = loader.load_service_model("ec2", "service-2", "2016-11-15")
EBS = loader.load_service_model("ebs", "service-2", "2019-11-02")


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


# ---------------------------------------------------------------- model validation

def check_scalar(shape, value, name):
    kind = shape["type"]
    if kind == "boolean" and value not in ("true", "false"):
        raise ApiError(400, "InvalidParameterValue", f"{name}: '{value}' is not a boolean")
    if kind in ("integer", "long") and not re.fullmatch(r"-?[0-9]+", value):
        raise ApiError(400, "InvalidParameterValue", f"{name}: '{value}' is not a number")
    if kind == "string" and "enum" in shape and value not in shape["enum"]:
        raise ApiError(400, "InvalidParameterValue", f"{name}: '{value}' is not one of the allowed values")


def ec2_member_names(shape):
    """Serialized name -> member shape name, as botocore's EC2 serializer writes them."""
    names = {}
    for member, ref in shape.get("members", {}).items():
        if "queryName" in ref:
            serialized = ref["queryName"]
        elif "locationName" in ref:
            serialized = ref["locationName"][0].upper() + ref["locationName"][1:]
        else:
            serialized = member
        names[serialized] = (member, ref["shape"])
    return names


def validate_ec2(operation, params):
    shapes = EC2["shapes"]
    op = EC2["operations"].get(operation)
    if op is None:
        raise ApiError(400, "InvalidAction", f"The action {operation} is not valid for this web service.")
    root = shapes[op["input"]["shape"]] if "input" in op else {"type": "structure", "members": {}}
    seen_top = set()
    for key, value in params.items():
        parts = key.split(".")
        shape = root
        for i, part in enumerate(parts):
            if shape["type"] == "structure":
                names = ec2_member_names(shape)
                if part not in names:
                    raise ApiError(400, "UnknownParameter", f"The parameter {'.'.join(parts[:i + 1])} is not recognized")
                if i == 0:
                    seen_top.add(names[part][0])
                shape = shapes[names[part][1]]
            elif shape["type"] == "list":
                if not part.isdigit() or int(part) < 1:
                    raise ApiError(400, "InvalidParameter", f"{key}: list index expected at '{part}'")
                shape = shapes[shape["member"]["shape"]]
            else:
                raise ApiError(400, "UnknownParameter", f"The parameter {key} is not recognized")
        if shape["type"] in ("structure", "list", "map"):
            raise ApiError(400, "InvalidParameter", f"{key}: a value is expected deeper")
        check_scalar(shape, value, key)
    for required in root.get("required", []):
        if required not in seen_top:
            raise ApiError(400, "MissingParameter", f"The request must contain the parameter {required}")


def validate_ebs(operation, headers, path_params, body):
    shapes = EBS["shapes"]
    shape = shapes[EBS["operations"][operation]["input"]["shape"]]
    present = set()
    for member, ref in shape["members"].items():
        location = ref.get("location")
        if location == "header":
            value = headers.get(ref["locationName"].lower())
            if value is not None:
                present.add(member)
                check_scalar(shapes[ref["shape"]], value, ref["locationName"])
        elif location == "uri":
            present.add(member)
        elif shape.get("payload") == member:
            if body:
                present.add(member)
        elif isinstance(body, dict) and member in body:
            present.add(member)
    if isinstance(body, dict):
        for key in body:
            if key not in shape["members"]:
                raise ApiError(400, "ValidationException", f"unknown field {key}")
    for required in shape.get("required", []):
        if required not in present:
            raise ApiError(400, "ValidationException", f"missing required {required}")


# ---------------------------------------------------------------- signatures

def check_signature(method, path, query, headers, body):
    auth = headers.get("authorization", "")
    match = re.fullmatch(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                         r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})", auth)
    if not match:
        raise ApiError(403, "IncompleteSignature", "Authorization header is missing or malformed")
    key, date, region, service, signed, signature = match.groups()
    if key not in SECRETS:
        raise ApiError(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        raise ApiError(403, "SignatureDoesNotMatch", "X-Amz-Date does not match the credential scope")
    signed_headers = {}
    for name in signed.split(";"):
        if name not in headers:
            raise ApiError(403, "SignatureDoesNotMatch", f"signed header {name} is missing")
        signed_headers[name] = headers[name]
    url = f"http://{headers['host']}{path}" + (f"?{query}" if query else "")
    request = AWSRequest(method=method, url=url, headers=signed_headers, data=body)
    request.context["timestamp"] = amz_date
    unsigned = headers.get("x-amz-content-sha256") == "UNSIGNED-PAYLOAD"
    if unsigned:
        request.context["payload_signing_enabled"] = False
    token = headers.get("x-amz-security-token")
    signer = SigV4Auth(Credentials(key, SECRETS[key], token), service, region)
    # The steps of add_auth() with the request's own time.
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if expected != signature:
        raise ApiError(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you provided")
    return service


# ---------------------------------------------------------------- the resources

class World:
    def __init__(self, options):
        self.options = options
        self.lock = threading.Lock()
        self.calls = 0
        self.counter = 0
        self.snapshots, self.images, self.instances = {}, {}, {}
        self.addresses = {"eipalloc-0mayfly": {"publicIp": "198.51.100.7", "instanceId": "", "associationId": ""}}
        self.tokens = {}
        self.faults = {"throttled": 0, "errors": 0, "slow": 0, "not_found": 0}
        self.block_puts = 0
        self.failing = dict(item.split("=", 1) for item in options.fail)
        self.delays = {k: float(v) for k, v in (item.split("=", 1) for item in options.delay)}

    def new_id(self, prefix):
        self.counter += 1
        return f"{prefix}-{self.counter:017x}"

    def state(self):
        return {"snapshots": {k: {x: v[x] for x in v if x != "blocks"} | {"blockCount": len(v["blocks"])}
                              for k, v in self.snapshots.items()},
                "images": self.images, "instances": self.instances, "addresses": self.addresses,
                "faults": self.faults, "calls": self.calls}


def tag_xml(tags):
    return "<tagSet>" + "".join(f"<item><key>{k}</key><value>{v}</value></item>" for k, v in tags.items()) + "</tagSet>"


def tags_from(params, resource):
    tags = {}
    for key, value in params.items():
        m = re.fullmatch(r"TagSpecification\.(\d+)\.ResourceType", key)
        if m and value == resource:
            n = m.group(1)
            i = 1
            while f"TagSpecification.{n}.Tag.{i}.Key" in params:
                tags[params[f"TagSpecification.{n}.Tag.{i}.Key"]] = params.get(f"TagSpecification.{n}.Tag.{i}.Value", "")
                i += 1
    return tags


def filtered(resources, params, ids_prefix):
    ids = [v for k, v in params.items() if k.startswith(ids_prefix + ".")]
    out = []
    for rid, resource in resources.items():
        if ids and rid not in ids:
            continue
        ok = True
        i = 1
        while f"Filter.{i}.Name" in params:
            name = params[f"Filter.{i}.Name"]
            values = [v for k, v in params.items() if k.startswith(f"Filter.{i}.Value.")]
            if name.startswith("tag:") and resource.get("tags", {}).get(name[4:]) not in values:
                ok = False
            if name == "name" and resource.get("name") not in values:
                ok = False
            i += 1
        if ok:
            out.append((rid, resource))
    return out


def ec2_action(world, action, params):
    if action == "RunInstances":
        token = params.get("ClientToken")
        if token and token in world.tokens:
            iid = world.tokens[token]
        else:
            image = world.images.get(params["ImageId"])
            if image is None or image["state"] != "available":
                raise ApiError(400, "InvalidAMIID.NotFound", f"The image id '[{params['ImageId']}]' does not exist")
            iid = world.new_id("i")
            world.instances[iid] = {"state": "pending", "imageId": params["ImageId"], "polls": 0,
                                    "instanceType": params["InstanceType"], "tags": tags_from(params, "instance"),
                                    "publicIp": f"203.0.113.{len(world.instances) + 10}"}
            if token:
                world.tokens[token] = iid
        inst = world.instances[iid]
        return (f"<RunInstancesResponse><requestId>r</requestId><instancesSet><item><instanceId>{iid}</instanceId>"
                f"<imageId>{inst['imageId']}</imageId><instanceState><code>0</code><name>{inst['state']}</name>"
                f"</instanceState><instanceType>{inst['instanceType']}</instanceType>{tag_xml(inst['tags'])}"
                f"</item></instancesSet></RunInstancesResponse>")
    if action == "DescribeInstances":
        items = ""
        for iid, inst in filtered(world.instances, params, "InstanceId"):
            inst["polls"] += 1
            if inst["state"] == "pending" and inst["polls"] >= 2:
                inst["state"] = "running"
            if inst["state"] == "shutting-down":
                inst["state"] = "terminated"
            ip = f"<ipAddress>{inst['publicIp']}</ipAddress>" if inst["state"] == "running" else ""
            items += (f"<item><reservationId>r-1</reservationId><instancesSet><item><instanceId>{iid}</instanceId>"
                      f"<imageId>{inst['imageId']}</imageId><instanceState><name>{inst['state']}</name></instanceState>"
                      f"<instanceType>{inst['instanceType']}</instanceType>{ip}{tag_xml(inst['tags'])}</item></instancesSet></item>")
        return f"<DescribeInstancesResponse><reservationSet>{items}</reservationSet></DescribeInstancesResponse>"
    if action == "TerminateInstances":
        for key, iid in params.items():
            if iid not in world.instances:
                raise ApiError(400, "InvalidInstanceID.NotFound", f"The instance ID '{iid}' does not exist")
            world.instances[iid]["state"] = "shutting-down"
            for address in world.addresses.values():
                if address["instanceId"] == iid:
                    address["instanceId"] = address["associationId"] = ""
        return "<TerminateInstancesResponse><instancesSet/></TerminateInstancesResponse>"
    if action == "RegisterImage":
        snapshot = world.snapshots.get(params.get("BlockDeviceMapping.1.Ebs.SnapshotId", ""))
        if snapshot is None or snapshot["state"] != "completed":
            raise ApiError(400, "InvalidSnapshot.NotFound", "The snapshot does not exist or is not completed")
        if any(i["name"] == params["Name"] for i in world.images.values()):
            raise ApiError(400, "InvalidAMIName.Duplicate", f"AMI name {params['Name']} is already in use")
        aid = world.new_id("ami")
        world.images[aid] = {"name": params["Name"], "state": "available", "bootMode": params.get("BootMode", ""),
                             "snapshotId": params["BlockDeviceMapping.1.Ebs.SnapshotId"], "tags": {}}
        return f"<RegisterImageResponse><imageId>{aid}</imageId></RegisterImageResponse>"
    if action == "CreateTags":
        resources = [v for k, v in params.items() if k.startswith("ResourceId.")]
        for rid in resources:
            table = world.images if rid.startswith("ami-") else world.instances if rid.startswith("i-") \
                else world.snapshots if rid.startswith("snap-") else None
            if table is None or rid not in table:
                raise ApiError(400, "InvalidID", f"The ID '{rid}' is not valid")
            i = 1
            while f"Tag.{i}.Key" in params:
                table[rid]["tags"][params[f"Tag.{i}.Key"]] = params.get(f"Tag.{i}.Value", "")
                i += 1
        return "<CreateTagsResponse><return>true</return></CreateTagsResponse>"
    if action == "DescribeImages":
        items = "".join(f"<item><imageId>{aid}</imageId><name>{i['name']}</name><imageState>{i['state']}</imageState>"
                        f"<blockDeviceMapping><item><ebs><snapshotId>{i['snapshotId']}</snapshotId></ebs></item>"
                        f"</blockDeviceMapping>{tag_xml(i['tags'])}</item>"
                        for aid, i in filtered(world.images, params, "ImageId"))
        return f"<DescribeImagesResponse><imagesSet>{items}</imagesSet></DescribeImagesResponse>"
    if action == "DeregisterImage":
        if world.images.pop(params["ImageId"], None) is None:
            raise ApiError(400, "InvalidAMIID.NotFound", "no such image")
        return "<DeregisterImageResponse><return>true</return></DeregisterImageResponse>"
    if action == "DescribeSnapshots":
        items = "".join(f"<item><snapshotId>{sid}</snapshotId><status>{s['state']}</status><progress>100%</progress>"
                        f"{tag_xml(s['tags'])}</item>" for sid, s in filtered(world.snapshots, params, "SnapshotId"))
        return f"<DescribeSnapshotsResponse><snapshotSet>{items}</snapshotSet></DescribeSnapshotsResponse>"
    if action == "DeleteSnapshot":
        sid = params["SnapshotId"]
        if any(i["snapshotId"] == sid for i in world.images.values()):
            raise ApiError(400, "InvalidSnapshot.InUse", f"The snapshot {sid} is currently in use by an AMI")
        if world.snapshots.pop(sid, None) is None:
            raise ApiError(400, "InvalidSnapshot.NotFound", "no such snapshot")
        return "<DeleteSnapshotResponse><return>true</return></DeleteSnapshotResponse>"
    if action == "DescribeAddresses":
        items = "".join(f"<item><allocationId>{a}</allocationId><publicIp>{v['publicIp']}</publicIp>"
                        f"<instanceId>{v['instanceId']}</instanceId><associationId>{v['associationId']}</associationId></item>"
                        for a, v in world.addresses.items() if a in params.values())
        return f"<DescribeAddressesResponse><addressesSet>{items}</addressesSet></DescribeAddressesResponse>"
    if action == "AssociateAddress":
        address = world.addresses.get(params.get("AllocationId", ""))
        if address is None:
            raise ApiError(400, "InvalidAllocationID.NotFound", "no such allocation")
        inst = world.instances.get(params.get("InstanceId", ""))
        if inst is None or inst["state"] != "running":
            raise ApiError(400, "IncorrectInstanceState", "The instance is not in a valid state for this operation")
        if address["instanceId"] and params.get("AllowReassociation") != "true":
            raise ApiError(400, "Resource.AlreadyAssociated", "the address is associated")
        address["instanceId"] = params["InstanceId"]
        address["associationId"] = world.new_id("eipassoc")
        return f"<AssociateAddressResponse><associationId>{address['associationId']}</associationId></AssociateAddressResponse>"
    if action == "DisassociateAddress":
        for address in world.addresses.values():
            if address["associationId"] and address["associationId"] == params.get("AssociationId"):
                address["instanceId"] = address["associationId"] = ""
                return "<DisassociateAddressResponse><return>true</return></DisassociateAddressResponse>"
        raise ApiError(400, "InvalidAssociationID.NotFound", "no such association")
    if action == "GetConsoleOutput":
        iid = params["InstanceId"]
        if iid not in world.instances:
            raise ApiError(400, "InvalidInstanceID.NotFound", f"The instance ID '{iid}' does not exist")
        text = f"mayfly kernel (test endpoint console of {iid})\nbooting...\n"
        output = base64.b64encode(text.encode()).decode()
        return (f"<GetConsoleOutputResponse><instanceId>{iid}</instanceId>"
                f"<output>{output}</output></GetConsoleOutputResponse>")
    raise ApiError(400, "InvalidAction", f"{action} is not played by this test endpoint")


def ebs_action(world, method, path, headers, body):
    if method == "POST" and path == "/snapshots":
        request = json.loads(body or b"{}")
        validate_ebs("StartSnapshot", headers, {}, request)
        token = request.get("ClientToken")
        if token and token in world.tokens:
            sid = world.tokens[token]
        else:
            sid = world.new_id("snap")
            world.snapshots[sid] = {"state": "pending", "volumeSize": request["VolumeSize"], "blocks": {},
                                    "tags": {t["Key"]: t["Value"] for t in request.get("Tags", [])},
                                    "description": request.get("Description", ""), "puts": 0}
            if token:
                world.tokens[token] = sid
        return 201, {"SnapshotId": sid, "Status": "pending", "BlockSize": 524288,
                     "VolumeSize": world.snapshots[sid]["volumeSize"]}
    m = re.fullmatch(r"/snapshots/([^/]+)/blocks/(\d+)", path)
    if method == "PUT" and m:
        validate_ebs("PutSnapshotBlock", headers, {}, body)
        snapshot = world.snapshots.get(m.group(1))
        if snapshot is None:
            raise ApiError(404, "ResourceNotFoundException", "snapshot not found")
        if world.faults["not_found"] < world.options.not_found_first:
            world.faults["not_found"] += 1
            raise ApiError(404, "ResourceNotFoundException", "The snapshot is not yet available")
        if snapshot["state"] != "pending":
            raise ApiError(400, "ValidationException", "the snapshot is not pending")
        index = int(m.group(2))
        if index * 524288 >= snapshot["volumeSize"] * 1024 ** 3:
            raise ApiError(400, "ValidationException", "block index beyond the volume")
        if len(body) != 524288 or headers.get("x-amz-data-length") != "524288":
            raise ApiError(400, "ValidationException", "data length must be 524288")
        digest = hashlib.sha256(body).digest()
        if base64.b64encode(digest).decode() != headers.get("x-amz-checksum") or \
                headers.get("x-amz-checksum-algorithm") != "SHA256":
            raise ApiError(400, "ValidationException", "checksum does not match the data")
        snapshot["blocks"][index] = digest
        world.block_puts += 1
        return 201, {"Checksum": headers["x-amz-checksum"], "ChecksumAlgorithm": "SHA256"}
    m = re.fullmatch(r"/snapshots/completion/([^/]+)", path)
    if method == "POST" and m:
        validate_ebs("CompleteSnapshot", headers, {}, None)
        snapshot = world.snapshots.get(m.group(1))
        if snapshot is None:
            raise ApiError(404, "ResourceNotFoundException", "snapshot not found")
        if int(headers["x-amz-changedblockscount"]) != len(snapshot["blocks"]):
            raise ApiError(400, "ValidationException", "ChangedBlocksCount does not match the blocks received")
        joined = b"".join(snapshot["blocks"][i] for i in sorted(snapshot["blocks"]))
        aggregate = base64.b64encode(hashlib.sha256(joined).digest()).decode()
        if headers.get("x-amz-checksum-aggregation-method") != "LINEAR" or headers.get("x-amz-checksum") != aggregate:
            raise ApiError(400, "ValidationException", "aggregated checksum does not match")
        snapshot["state"] = "completed"
        return 202, {"Status": "completed"}
    raise ApiError(404, "ResourceNotFoundException", f"no route for {method} {path}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type, extra=()):
        data = body.encode() if isinstance(body, str) else body
        if getattr(self, "slow", False):
            threading.Event().wait(self.server.world.options.slow_seconds)
            self.close_connection = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", "req-" + str(self.server.world.calls))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up waiting, as intended

    def handle_any(self):
        world = self.server.world
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/__state":
            with world.lock:
                return self.answer(200, json.dumps(world.state()), "application/json")
        headers = {k: v for k, v in self.headers.items()}
        lower = {k.lower(): v for k, v in headers.items()}
        service = "?"
        try:
            with world.lock:
                world.calls += 1
                n = world.calls
            opts = world.options
            # The work is done but the answer comes too late: the client retries, and
            # idempotency tokens must keep that from doing the work twice.
            self.slow = bool(opts.slow_every and n % opts.slow_every == 0)
            if self.slow:
                world.faults["slow"] += 1
            service = check_signature(self.command, parsed.path, parsed.query, lower, body)
            if opts.throttle_every and n % opts.throttle_every == 0:
                world.faults["throttled"] += 1
                raise ApiError(503 if service == "ec2" else 429,
                               "RequestLimitExceeded" if service == "ec2" else "ThrottlingException",
                               "Request limit exceeded.")
            if opts.error_every and n % opts.error_every == 0:
                world.faults["errors"] += 1
                raise ApiError(500, "InternalError", "An internal error has occurred")
            with world.lock:
                if service == "ec2":
                    params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True))
                    action = params.pop("Action", "")
                    if params.pop("Version", "") != "2016-11-15":
                        raise ApiError(400, "InvalidParameterValue", "Version must be 2016-11-15")
                    validate_ec2(action, params)
                    if action in world.delays:
                        world.lock.release()  # others go on while this answer waits
                        try:
                            threading.Event().wait(world.delays[action])
                        finally:
                            world.lock.acquire()
                    if action in world.failing:
                        raise ApiError(400 if "Capacity" not in world.failing[action] else 500,
                                       world.failing[action], f"{action} refused by the test ({world.failing[action]})")
                    xml = ec2_action(world, action, params)
                    return self.answer(200, xml, "text/xml;charset=UTF-8")
                if service == "ebs":
                    status, answer = ebs_action(world, self.command, parsed.path, lower, body)
                    return self.answer(status, json.dumps(answer), "application/json")
            raise ApiError(400, "UnknownService", f"service {service} is not played here")
        except ApiError as error:
            if service == "ebs":
                return self.answer(error.status, json.dumps({"Message": error.message}), "application/json",
                                   [("x-amzn-ErrorType", error.code + ":")])
            xml = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{error.code}</Code>"
                   f"<Message>{error.message}</Message></Error></Errors><RequestID>req-{world.calls}</RequestID></Response>")
            return self.answer(error.status, xml, "text/xml;charset=UTF-8")

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client killed mid-request (the tests' kill -9) is expected, not news.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--throttle-every", type=int, default=0)
    parser.add_argument("--error-every", type=int, default=0)
    parser.add_argument("--slow-every", type=int, default=0)
    parser.add_argument("--slow-seconds", type=float, default=3.0)
    parser.add_argument("--not-found-first", type=int, default=0)
    parser.add_argument("--fail", action="append", default=[])
    parser.add_argument("--delay", action="append", default=[])
    options = parser.parse_args()
    server = Server(("127.0.0.1", options.port), Handler)
    server.world = World(options)
    print("listening", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
