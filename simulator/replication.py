"""Replication: the MariaDB servers as they really are (up/down, roles, GTIDs), shared by every MaxScale.

`Cluster` holds the databases; restarts and catch-up happen on the injected clock when `sync(t)`
runs (no background thread). A monitor sees what `Cluster` holds at its ticks (simulator/monitor.py).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import SimError
from .scenario import Scenario

if TYPE_CHECKING:
    from .model import MaxScale


# --- GTIDs ---------------------------------------------------------------------------------------


def _gtid_parts(gtid: str | None) -> list[list[int]]:
    if not gtid:
        return []
    return [[int(x) for x in part.split("-")] for part in gtid.split(",")]


def _gtid_str(parts: list[list[int]]) -> str | None:
    return ",".join(f"{d}-{s}-{n}" for d, s, n in parts) if parts else None


def gtid_after_write(gtid: str | None, server_id: int, domain: int = 0) -> str:
    parts = _gtid_parts(gtid)
    for p in parts:
        if p[0] == domain:
            p[1], p[2] = server_id, p[2] + 1
            return _gtid_str(parts) or ""
    parts.insert(0, [domain, server_id, 1])
    return _gtid_str(parts) or ""


def gtid_behind(gtid: str | None, lag: int, domain: int = 0) -> str | None:
    parts = _gtid_parts(gtid)
    for p in parts:
        if p[0] == domain:
            p[2] = max(0, p[2] - lag)
    return _gtid_str(parts)


# --- the database servers ------------------------------------------------------------------------


@dataclass
class Db:
    """One MariaDB server as it really is (what a monitor would find if it asked now)."""

    name: str
    server_id: int
    version_string: str
    role: str | None  # "master" | "slave" | "relay" | None (replication topology)
    running: bool = True
    auth_error: bool = False
    gtid: str | None = None
    state_details: str = ""
    using_gtid: str = "Slave_Pos"
    started_at: float = 0.0
    up_at: float | None = None  # a restart brings it back at this time
    catchup_at: float = 0.0  # a replica applies the primary's GTID from this time on
    lag: int = 0  # a replica stays this many transactions behind
    pending: bool = False  # a replica has something to apply from the primary
    conn_ids: int = 10


class Cluster:
    """The MariaDB servers shared by all simulated MaxScales."""

    catchup_seconds = 1.0  # how long a restarted replica needs before it has caught up

    def __init__(self, clock: Any) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.dbs: dict[str, Db] = {}
        self.version = 0  # bumped on every change a monitor could see
        self.time = clock.now()
        self.instances: list[MaxScale] = []  # every MaxScale watching these databases
        self.columnstore: Any = None  # cmapi_model.CsModel when the scenario has a `columnstore` section

    def load(self, sc: Scenario) -> None:
        with self.lock:
            now = self.clock.now()
            self.time = now
            self.dbs = {}
            for s in sc.servers:
                self.dbs[s.name] = Db(
                    name=s.name,
                    server_id=s.server_id,
                    version_string=s.version_string,
                    role=s.role,
                    running=s.running,
                    auth_error=s.auth_error,
                    gtid=s.gtid,
                    state_details=s.state_details,
                    using_gtid=s.using_gtid,
                    started_at=now - 31,
                    catchup_at=now,
                )
            self.version += 1
            self.columnstore = None
            if sc.columnstore is not None:
                from .cmapi_model import CsModel

                self.columnstore = CsModel(self, sc.columnstore, now)

    @property
    def primary(self) -> Db | None:
        return next((d for d in self.dbs.values() if d.role == "master"), None)

    def db(self, name: str) -> Db:
        if name not in self.dbs:
            raise SimError(400, [f"unknown server {name!r}"])
        return self.dbs[name]

    # time-driven events
    def sync(self, t: float | None = None) -> None:
        """Apply restarts and replication that are due at time t (never goes back in time)."""
        with self.lock:
            t = self.clock.now() if t is None else t
            t = max(t, self.time)
            self.time = t
            for d in self.dbs.values():
                up = d.up_at
                if up is not None and up <= t:
                    d.running, d.up_at, d.started_at = True, None, up
                    d.catchup_at, d.pending = t + self.catchup_seconds, True
                    self.version += 1
            self._replicate(t)
            if self.columnstore is not None:
                self.columnstore.sync(t)

    def _replicate(self, t: float) -> None:
        """Replicas apply what the primary wrote since (scenario GTIDs stay as given until then)."""
        p = self.primary
        if p is None or not p.running:
            return
        for d in self.dbs.values():
            if d.pending and d.role in ("slave", "relay") and d.running and t >= d.catchup_at:
                target = gtid_behind(p.gtid, d.lag) if d.lag else p.gtid
                d.pending = False
                if target != d.gtid:
                    d.gtid = target
                    self.version += 1

    def _primary_changed(self) -> None:
        for d in self.dbs.values():
            if d.role in ("slave", "relay"):
                d.pending = True

    def next_event_after(self, t: float) -> float:
        times = [d.up_at for d in self.dbs.values() if d.up_at is not None and d.up_at > t]
        times += [d.catchup_at for d in self.dbs.values() if d.catchup_at > t]
        return min(times, default=math.inf)

    # faults and data
    def set_running(self, name: str, running: bool) -> None:
        with self.lock:
            self.sync()
            d = self.db(name)
            if d.running != running:
                d.running = running
                if running:
                    d.started_at, d.catchup_at = self.time, self.time + self.catchup_seconds
                    d.pending = True
            d.up_at = None
            self.version += 1

    def restart(self, name: str, seconds: float) -> None:
        with self.lock:
            self.sync()
            d = self.db(name)
            d.running, d.up_at = False, self.time + max(0.0, float(seconds))
            self.version += 1
            if self.columnstore is not None:  # a ColumnStore node reboots: its host goes down too
                self.columnstore.reboot(name, self.time, d.up_at)

    def set_role(self, name: str, role: str | None) -> None:
        """Replication reconfigured by hand: `master`, `slave`, `relay` or None (not replicating)."""
        with self.lock:
            self.sync()
            self.db(name).role = role
            self.version += 1

    def set_gtid(self, name: str, gtid: str | None = None, lag: int | None = None) -> None:
        with self.lock:
            self.sync()
            d = self.db(name)
            if lag is not None:
                d.lag, d.pending = max(0, int(lag)), True
            if gtid is not None:
                d.gtid = gtid
                d.pending = False
                if d.role == "master":
                    self._primary_changed()
            self.version += 1
            self._replicate(self.time)

    def write(self, name: str) -> str | None:
        """One committed write on `name` (the primary): its GTID sequence + 1."""
        with self.lock:
            d = self.db(name)
            d.gtid = gtid_after_write(d.gtid, d.server_id)
            if d.role == "master":
                self._primary_changed()
            self.version += 1
            self._replicate(self.time)
            return d.gtid

    def next_conn_id(self, name: str) -> int:
        d = self.dbs[name]
        d.conn_ids += 1
        return d.conn_ids

    def switch_primary(self, old: str | None, new: str) -> None:
        with self.lock:
            nd = self.db(new)
            if old is not None:
                od = self.db(old)
                if nd.gtid != od.gtid and od.gtid:
                    nd.gtid = od.gtid  # switchover waits for the new primary to catch up
                od.role = "slave"
            for d in self.dbs.values():
                if d.role == "master" and d is not nd:
                    d.role = "slave"
            nd.role, nd.lag = "master", 0
            self._primary_changed()
            self.version += 1
            self._replicate(self.time)
