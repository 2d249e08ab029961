"""The COMMAND of the integration tests: restart one simulated node through the control API.

    python restart_node.py URL SERVER [SECONDS] [--fail-on SERVER:STATUS]...

Posts `/sim/servers/SERVER/restart {"seconds": SECONDS}` (a huge SECONDS = it never comes back), or,
when SERVER is listed in --fail-on, exits with STATUS without touching anything.
"""

import json
import sys
import urllib.request


def main(argv):
    fail = {}
    while "--fail-on" in argv:
        i = argv.index("--fail-on")
        name, status = argv[i + 1].rsplit(":", 1)
        fail[name] = int(status)
        del argv[i : i + 2]
    url, server = argv[0], argv[1]
    seconds = float(argv[2]) if len(argv) > 2 else 0.3
    if server in fail:
        print(f"restart_node: {server}: failing on purpose", file=sys.stderr)
        return fail[server]
    req = urllib.request.Request(
        f"{url}/sim/servers/{server}/restart",
        method="POST",
        data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
