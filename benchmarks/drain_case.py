"""Section 7: from the last connection closing in the simulator to mcsctl acting on `Drained`."""

from __future__ import annotations

import queue
import subprocess
import threading
import time

from measure import Stats
from report import Section, Target
from simenv import Sim, Workspace, entry_point

SERVER = "mcs3"  # a replica of the default topology (24.02 refuses drain on the primary)


def _reader(stream, q: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        q.put((time.perf_counter(), line.rstrip("\n")))
    q.put((time.perf_counter(), None))


def _wait_line(q: queue.Queue, needle: str, timeout: float, seen: list[str]) -> float:
    deadline = time.monotonic() + timeout
    while True:
        try:
            t, line = q.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(f"no {needle!r} from mcsctl within {timeout:g}s; stderr so far: {seen[-5:]!r}") from None
        if line is None:
            raise RuntimeError(f"mcsctl ended before {needle!r}; stderr: {seen[-5:]!r}")
        seen.append(line)
        if needle in line:
            return t


def _trial(sim: Sim, ws: Workspace, poll: float, phase: float) -> float:
    sim.control("POST", "reset")
    sid = sim.control("POST", "sessions", {"servers": [SERVER]})["ids"][0]
    argv = entry_point("mcsctl", "mcsctl") + [
        "-H",
        sim.host,
        "--backend",
        "rest",
        "--poll-interval",
        str(poll),
        "-v",
        "maintenance",
        "on",
        SERVER,
        "--drain-timeout",
        "30",
    ]
    proc = subprocess.Popen(
        argv,
        env=ws.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    q: queue.Queue = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stderr, q), daemon=True).start()
    seen: list[str] = []
    try:
        _wait_line(q, f"{SERVER}: draining", 20, seen)
        # Land the close at a different point of mcsctl's poll cycle in each trial.
        time.sleep(poll + phase)
        # The connection closes while the simulator handles the DELETE: time from the middle of that
        # request (its whole round trip is ~1-3 ms on loopback, so this moves the result by about 1 ms).
        t_sent = time.perf_counter()
        sim.control("DELETE", f"sessions/{sid}")
        t_close = (t_sent + time.perf_counter()) / 2
        t_seen = _wait_line(q, f"/v1/servers/{SERVER}/set?state=maintenance", 10, seen)
        rc = proc.wait(20)
        if rc != 0:
            raise RuntimeError(f"mcsctl maintenance on exited {rc}: {seen[-5:]!r}")
        return t_seen - t_close
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def drain(ws: Workspace, trials: int, poll: float = 0.25) -> Section:
    lat = Stats()
    with Sim(ws.env) as sim:
        for k in range(trials):
            lat.samples.append(_trial(sim, ws, poll, phase=poll * k / trials))
    sec = Section(
        "7. Drain detection",
        f"`mcsctl -v --backend rest --poll-interval {poll:g} maintenance on {SERVER} --drain-timeout 30` as a "
        f"subprocess against a standalone simulator, with one open session on {SERVER}. Once mcsctl prints "
        f"`{SERVER}: draining`, the benchmark closes that session (`DELETE /sim/sessions/ID`) at a different "
        f"phase of the poll cycle in each of {trials} trials, and times from the middle of that request (when the "
        f"simulator closes the connection) to the "
        f"moment mcsctl's stderr shows the `PUT .../{SERVER}/set?state=maintenance` it sends once it sees "
        "`Drained` (its -v trace is printed right before the request).",
        ["trials", "median ms", "p10 ms", "p90 ms", "max ms", "poll interval ms"],
        [
            [
                str(lat.n),
                f"{lat.median * 1e3:.0f}",
                f"{lat.p10 * 1e3:.0f}",
                f"{lat.p90 * 1e3:.0f}",
                f"{lat.max * 1e3:.0f}",
                f"{poll * 1e3:.0f}",
            ]
        ],
    )
    sec.targets.append(
        Target(
            f"drain detected within one poll interval ({poll * 1e3:.0f} ms), worst trial",
            f"max {lat.max * 1e3:.0f} ms (median {lat.median * 1e3:.0f} ms)",
            lat.max <= poll,
            "Fleet.wait (mcsctl/fleet.py) lands its reads on a fixed schedule and starts each read early by "
            "the time the last one took, so what is left over one interval is scheduling noise and the "
            "benchmark's own DELETE round trip. A shorter --poll-interval (or MaxScale pushing events, which "
            "its REST API does not) is the only further fix.",
        )
    )
    sec.notes.append(
        "Expected shape: uniform between about 0 and one poll interval (median about half of it), "
        "since the close lands at a random point of the poll cycle."
    )
    return sec
