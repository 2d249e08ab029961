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


def _cli_run(host: str) -> None:
    """One `mcsctl -H host --backend rest servers`, in this process (the lean path, as the console script
    takes it: mcsctl/lean.py), output discarded."""
    import contextlib
    import io

    from mcsctl import lean

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = lean._run(*lean.parse(["-H", host, "--backend", "rest", "servers"]))
    if status:
        raise RuntimeError(f"mcsctl servers exited {status}")


def main(host: str, maxctrl: str, repeat: int) -> dict:
    out: dict[str, float] = {}
    out["import mcsctl.lean"] = _clock(lambda: __import__("mcsctl.lean"))
    # The first run pays for what the command imports lazily (settings, api, backends, rendering);
    # the second shows the steady cost of parsing + one REST listing + rendering.
    out["first in-process `servers --backend rest` (lazy imports included)"] = _clock(lambda: _cli_run(host))
    out["next in-process `servers --backend rest`"] = _median(lambda: _cli_run(host), repeat)
    out["typer imported by it"] = float("typer" in sys.modules)
    out["import typer (changing commands and --help only)"] = _clock(lambda: __import__("typer"))
    out["import mcsctl.cli (after typer)"] = _clock(lambda: __import__("mcsctl.cli"))
    out["import sh"] = _clock(lambda: __import__("sh"))

    from mcsctl.backends.base import Connection
    from mcsctl.backends.maxctrl import MaxctrlBackend
    from mcsctl.backends.rest import RestBackend

    conn = Connection(
        host=host, user="admin", password="mariadb", timeout=10.0, secure=False, tls_ca_cert=None, tls_verify=True
    )
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
