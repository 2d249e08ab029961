"""Where `mcsctl servers` spends its time, measured inside ONE fresh interpreter (run as a child).

    python benchmarks/breakdown.py HOST MAXCTRL REPEAT   -> one JSON object on stdout (seconds)

First imports are timed once (they only happen once per mcsctl run); calls are timed REPEAT times
after one warm-up call, and the median is reported.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time


def _clock(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _median(fn, repeat: int) -> float:
    fn()
    return statistics.median(_clock(fn) for _ in range(repeat))


def main(host: str, maxctrl: str, repeat: int) -> dict:
    out: dict[str, float] = {}
    out["import typer"] = _clock(lambda: __import__("typer"))
    out["import mcsctl.cli (after typer)"] = _clock(lambda: __import__("mcsctl.cli"))
    # Typer 0.2x coerces every parameter through pydantic, imported lazily when a command is parsed.
    out["import typer._adapters (pydantic, on every parse)"] = _clock(lambda: __import__("typer._adapters"))
    out["import sh"] = _clock(lambda: __import__("sh"))
    out["import http.client"] = _clock(lambda: __import__("http.client"))

    from mcsctl.backends.base import Connection
    from mcsctl.backends.maxctrl import MaxctrlBackend
    from mcsctl.backends.rest import RestBackend

    conn = Connection(host=host, user="admin", password="mariadb", timeout=10.0, secure=False,
                      tls_ca_cert=None, tls_verify=True)
    mx = MaxctrlBackend(conn, maxctrl=maxctrl)
    argv = mx._argv(["list", "servers", "--tsv"])  # the exact call the backend makes
    out["MaxctrlBackend.list_servers() via sh"] = _median(mx.list_servers, repeat)
    out["subprocess.run(same argv)"] = _median(
        lambda: subprocess.run(argv, input=b"mariadb\n", capture_output=True, check=True), repeat
    )

    def rest_fresh() -> None:  # a new connection each time, as one mcsctl run makes
        b = RestBackend(conn)
        b.list_servers()
        b.close()

    out["RestBackend.list_servers() (new connection)"] = _median(rest_fresh, repeat)
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]))))
