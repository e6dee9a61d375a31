"""fake_aws.py started for a test: its address, its resources (GET /__state), and stop."""
import json
import os
import subprocess
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


class Endpoint:
    def __init__(self, *flags):
        self.process = subprocess.Popen(["/usr/bin/python3", os.path.join(HERE, "fake_aws.py"), *flags],
                                        stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().split()
        assert line and line[0] == "listening", "fake endpoint did not start"
        self.url = f"http://127.0.0.1:{line[1]}"

    def state(self):
        with urllib.request.urlopen(self.url + "/__state", timeout=10) as answer:
            return json.load(answer)

    def close(self):
        self.process.kill()
        self.process.wait(timeout=10)
        self.process.stdout.close()
