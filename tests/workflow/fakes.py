"""MaxScales for the procedures' tests: simulator.model in process (simulator/inprocess.py), one per host.

The rules (state words, drain, refusals, switchover, config sync) are the simulator's. What is left here
is test plumbing: `RecordingBackend` records the calls a test asserts on and raises injected failures,
`ServerHandle` lets a test set up or inspect one server as one MaxScale shows it, and `FakeClock` is the
model's virtual clock with `on_sleep` hooks for the world moving on while a procedure waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.clock import VirtualClock
from simulator.inprocess import InProcessBackend, SimClock
from simulator.model import Cluster, MaxScale

CLIENT = "10.0.0.9"


class FakeClock(SimClock):
    """Virtual time; `on_sleep` callbacks model the world moving on (sessions closing...)."""

    def __init__(self, clock: VirtualClock | None = None) -> None:
        super().__init__(clock or VirtualClock())
        self.on_sleep: list[Callable[[float], Any]] = []

    @property
    def t(self) -> float:
        return self.now()

    @t.setter
    def t(self, value: float) -> None:
        self.virtual.advance(max(0.0, value - self.now()))

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        for fn in self.on_sleep:
            fn(self.t)


class ServerHandle:
    """One server as one MaxScale shows it. Flags (maintenance, drain) are that MaxScale's own; the
    database's facts (running, role, gtid) are the shared cluster's, seen by the monitors at once."""

    def __init__(self, ms: MaxScale, name: str) -> None:
        self._ms, self.name = ms, name

    def _bits(self) -> set[str]:
        with self._ms.lock:
            self._ms.sync()
            return self._ms.views[self.name].bits

    def _flag(self, bit: str, on: bool) -> None:
        self._ms.set_flag(self.name, bit, on)

    def _settle(self) -> None:
        for ms in self._ms.cluster.instances:
            ms.tick_now()

    @property
    def maintenance(self) -> bool:
        return "maint" in self._bits()

    @maintenance.setter
    def maintenance(self, on: bool) -> None:
        self._flag("maint", on)

    @property
    def drain(self) -> bool:
        return "drain" in self._bits()

    @drain.setter
    def drain(self, on: bool) -> None:
        self._flag("drain", on)

    @property
    def connections(self) -> int:
        with self._ms.lock:
            self._ms.sync()
            return self._ms.connections(self.name)

    @connections.setter
    def connections(self, count: int) -> None:
        """Sessions already connected to this server (opened before any flag, so flags do not stop them)."""
        ms = self._ms
        with ms.lock:
            ms.sync()
            mine = [s for s in ms.sessions.values() if self.name in s.conns]
            for s in mine[count:]:
                ms.close_session(s.id)
            ms.existing_sessions(count - len(mine), [self.name], remote=CLIENT)

    @property
    def running(self) -> bool:
        return "running" in self._bits()

    @running.setter
    def running(self, on: bool) -> None:
        self._ms.cluster.set_running(self.name, on)
        self._settle()

    @property
    def role(self) -> str | None:
        bits = self._bits()
        return "Master" if "master" in bits else "Slave" if "slave" in bits else None

    @role.setter
    def role(self, role: str | None) -> None:
        self._ms.cluster.set_role(self.name, role.lower() if role else None)
        self._settle()

    @property
    def gtid(self) -> str | None:
        with self._ms.lock:
            self._ms.sync()
            return self._ms.views[self.name].gtid

    @gtid.setter
    def gtid(self, gtid: str) -> None:
        self._ms.cluster.set_gtid(self.name, gtid)
        self._settle()

    @property
    def monitor(self) -> str | None:
        return self._ms.views[self.name].monitor

    @monitor.setter
    def monitor(self, name: str | None) -> None:
        with self._ms.lock:
            self._ms.views[self.name].monitor = name

    def state(self) -> str:
        with self._ms.lock:
            self._ms.sync()
            return self._ms.state_string(self.name)


class RecordingBackend(InProcessBackend):
    """The in-process backend plus the calls made (`calls`) and failures to raise (`fail_on`)."""

    def __init__(self, ms: MaxScale, host: str, report_ticks: bool = True) -> None:
        super().__init__(ms, host, report_ticks)
        self.calls: list[str] = []
        self.fail_on: dict[str, BaseException] = {}  # "set maintenance" -> exception to raise
        self.servers = {name: ServerHandle(ms, name) for name in ms.views}

    @property
    def sync_cluster(self) -> str | None:
        return self.maxscale.sync_cluster

    @sync_cluster.setter
    def sync_cluster(self, name: str | None) -> None:
        self.maxscale.sync_cluster = name

    def _check(self, op: str) -> None:
        if op in self.fail_on:
            raise self.fail_on[op]

    def list_servers(self) -> list[Any]:
        self._check("list")
        return super().list_servers()

    def set_state(self, server: str, state: str, force: bool = False) -> None:
        self.calls.append(f"set {server} {state}{' force' if force else ''}")
        self._check(f"set {state}")
        super().set_state(server, state, force)

    def clear_state(self, server: str, state: str) -> None:
        self.calls.append(f"clear {server} {state}")
        self._check(f"clear {state}")
        super().clear_state(server, state)

    def switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> None:
        self.calls.append(f"switchover {monitor} {new} {old}")
        self._check("switchover")
        super().switchover(monitor, new, old)

    # Dry-run lines in the same words as `calls`, so a test can match one against the other.
    def describe_set(self, server: str, state: str, force: bool = False) -> str:
        return f"{self.host}: set {server} {state}{' --force' if force else ''}"

    def describe_clear(self, server: str, state: str) -> str:
        return f"{self.host}: clear {server} {state}"

    def describe_switchover(self, monitor: str, new: str | None = None, old: str | None = None) -> str:
        return f"{self.host}: switchover {monitor} {new} {old}"


def scenario(n: int, gtids: list[str], interval: float = 1.0) -> dict[str, Any]:
    """n servers, mcs1 the primary, all watched by one mariadbmon `MariaDB-Monitor`."""
    return {
        "monitors": [{"name": "MariaDB-Monitor", "monitor_interval": int(interval * 1000)}],
        "servers": [
            {
                "name": f"mcs{i}",
                "port": 3306,
                "role": "master" if i == 1 else "slave",
                "server_id": i,
                "gtid": gtids[i - 1],
            }
            for i in range(1, n + 1)
        ],
    }


def maxscales(
    sc: dict[str, Any], hosts: tuple[str, ...], clock: FakeClock, report_ticks: bool = True
) -> list[RecordingBackend]:
    """One simulated MaxScale per host over one shared cluster of databases."""
    db = Cluster(clock.virtual)
    backends = [RecordingBackend(MaxScale(db, sc, name=h), h, report_ticks) for h in hosts]
    for b in backends:
        b.clock = clock
    return backends


def cluster(hosts: tuple[str, ...] = ("a:8989",), n: int = 3) -> list[RecordingBackend]:
    """mcs1 (the primary, 0-1-19) .. mcsN (0-1-{20-N}); replicas behind by their number."""
    return maxscales(scenario(n, [f"0-1-{20 - i}" for i in range(1, n + 1)]), hosts, FakeClock())


def clock_of(backends: list[RecordingBackend]) -> FakeClock:
    """The clock the MaxScales of `cluster()` live on (give it to the Fleet)."""
    clock: FakeClock = backends[0].clock
    return clock


__all__ = ["FakeClock", "RecordingBackend", "ServerHandle", "clock_of", "cluster", "maxscales", "scenario"]
