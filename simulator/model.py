"""The simulated world, rules only, no I/O.

`Cluster` holds the MariaDB servers themselves (up/down, replication roles, GTIDs) and is shared by
every simulated MaxScale. `MaxScale` is one MaxScale instance: its view of each server (status bits
written by its monitor's ticks, its own maintenance/drain flags), its monitors, services and client
sessions. Both are guarded by `cluster.lock` (an RLock): the aiohttp thread and test code share them.

Time comes from an injected clock. Nothing runs in the background: every public call first runs the
monitor ticks and cluster events that are due up to `clock.now()` (`MaxScale.sync()`), so a real
clock and a virtual one behave the same. Real MaxScale makes a PUT set/clear wait for up to one
monitor tick; here the change is applied at once.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any

from .scenario import Scenario, load_scenario

ROLE_BITS = ("master", "relay", "slave", "blr", "synced")
STATE_PARAM = {
    "running": "running", "master": "master", "slave": "slave", "synced": "synced",
    "maintenance": "maint", "maint": "maint", "drain": "drain", "blr": "blr", "binlogrouter": "blr",
}
TRUTHY = ("yes", "true", "on", "1")


class SimError(Exception):
    """A refusal with its wire form: HTTP status and the `detail`s (None = empty body)."""

    def __init__(self, status: int, details: list[str] | None = None) -> None:
        super().__init__(details[-1] if details else str(status))
        self.status = status
        self.details = details


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
        self.instances: list[MaxScale] = []

    def load(self, sc: Scenario) -> None:
        with self.lock:
            now = self.clock.now()
            self.time = now
            self.dbs = {}
            for s in sc.servers:
                self.dbs[s.name] = Db(
                    name=s.name, server_id=s.server_id, version_string=s.version_string, role=s.role,
                    running=s.running, auth_error=s.auth_error, gtid=s.gtid, state_details=s.state_details,
                    using_gtid=s.using_gtid, started_at=now - 31, catchup_at=now,
                )
            self.version += 1

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
            if t < self.time:
                t = self.time
            self.time = t
            for d in self.dbs.values():
                if d.up_at is not None and d.up_at <= t:
                    d.running, d.up_at, d.started_at = True, None, d.up_at
                    d.catchup_at, d.pending = t + self.catchup_seconds, True
                    self.version += 1
            self._replicate(t)

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


# --- one MaxScale ---------------------------------------------------------------------------------


@dataclass
class ServerView:
    """A server as one MaxScale sees it: configuration, status bits and what its monitor last read."""

    name: str
    address: str | None
    port: int | None
    socket: str | None
    monitor: str | None
    services: list[str]
    bits: set[str] = field(default_factory=set)  # running master slave relay blr synced auth_error maint drain
    gtid: str | None = None
    state_details: str = ""
    last_event: str = ""
    triggered_at: float = 0.0
    total_connections: int = 0
    max_connections: int = 0
    routed_packets: int = 0


@dataclass
class MonitorState:
    name: str
    module: str
    running: bool
    interval: float  # seconds
    next_tick: float = 0.0
    ticks: int = 0
    seen_version: int = -1


@dataclass
class SessionState:
    id: int
    user: str
    remote: str
    service: str | None
    connected: float
    last_active: float
    conns: dict[str, int] = field(default_factory=dict)  # server -> connection id
    master: str | None = None  # the server its primary connection goes to
    in_trx: bool = False
    trx_writes: int = 0
    requests: int = 0


class MaxScale:
    """One simulated MaxScale over a (possibly shared) Cluster. Call methods with any thread."""

    def __init__(self, cluster: Cluster, scenario: Scenario | dict | str | None = None, *,
                 name: str = "maxscale", profile: str | None = None, users: dict | None = None) -> None:
        self.cluster = cluster
        self.lock = cluster.lock
        self.clock = cluster.clock
        self.name = name
        self.profile_override = profile
        self.users_override = users
        self.shutting_down = False
        self.faults: list[dict] = []  # injected REST errors (control API /sim/faults)
        self.stale_errors: list[str] = []  # logged errors that leak into later error bodies (§1.1)
        self.events: list[dict] = []  # session closures etc., for tests and /sim/state
        cluster.instances.append(self)
        self.load(load_scenario(scenario), reset_cluster=False)

    # --- set-up ---
    def load(self, sc: Scenario, reset_cluster: bool = True) -> None:
        """Load a scenario. Reloading the cluster reloads every MaxScale that shares it."""
        with self.lock:
            if reset_cluster or not self.cluster.dbs:
                self.cluster.load(sc)
                for inst in self.cluster.instances:
                    if inst is not self:
                        inst._apply(sc)
            self._apply(sc)

    def _apply(self, sc: Scenario) -> None:
        with self.lock:
            self.scenario = sc
            self.profile = self.profile_override or sc.profile
            self.version = sc.version
            self.vt = sc.version_tuple[:2]
            self.users = dict(self.users_override or sc.users)
            self.sync_cluster = sc.config_sync_cluster
            self.sync_version = 1
            now = self.clock.now()
            self.started_at = now
            self.views: dict[str, ServerView] = {}
            for s in sc.servers:
                v = ServerView(s.name, s.address, s.port, s.socket, s.monitor, list(s.services),
                               state_details=s.state_details, triggered_at=now)
                d = self.cluster.dbs.get(s.name)
                v.bits = self._read_bits(d) if d else set()
                v.gtid = d.gtid if d and d.running and not d.auth_error else None
                v.bits |= {"maint"} if s.maintenance else set()
                v.bits |= {"drain"} if s.drain else set()
                v.last_event = self._event_name(set(), v.bits, d.running if d else False)
                self.views[s.name] = v
            self.monitors = {
                m.name: MonitorState(m.name, m.module, m.state == "Running", m.monitor_interval / 1000.0,
                                     next_tick=now + m.monitor_interval / 1000.0,
                                     seen_version=self.cluster.version)
                for m in sc.monitors
            }
            self.services = {s.name: s for s in sc.services}
            self.sessions: dict[int, SessionState] = {}
            self.next_session_id = 1
            self.stale_errors = []
            self.events = []
            self.shutting_down = False
            self.faults = []
            self.last_async_result: str | SimError | None = None  # for fetch-cmd-result
            for spec in sc.sessions:
                for _ in range(spec.count):
                    s = self._open(spec.servers, spec.user, spec.remote, spec.service, check=False)
                    s.in_trx = spec.in_transaction and s.master is not None

    def reset(self) -> None:
        self.load(load_scenario(self.scenario.source))

    # --- version-line rules (reference §1.3, §5) ---
    @property
    def error_status(self) -> int:
        return 400 if self.vt >= (22, 8) else 403

    def not_found(self, kind: str, name: str) -> SimError:
        if self.vt >= (23, 8):
            details = self.stale_errors + [f"{name} is not a {kind}"]
            self.stale_errors = []
            return SimError(404, details)
        return SimError(404, None)

    def _force_truthy(self, value: str | None) -> bool:
        if value is None:
            return False
        if self.vt >= (23, 2):
            return value.strip().lower() in TRUTHY
        return value == "yes"

    # --- time ---
    def sync(self) -> None:
        """Run the cluster events and monitor ticks due up to now."""
        with self.lock:
            now = self.clock.now()
            for mon in self.monitors.values():
                while mon.running and mon.next_tick <= now:
                    t = mon.next_tick
                    self.cluster.sync(t)
                    if self.cluster.version != mon.seen_version:
                        self._tick(mon, t)
                        continue
                    # Nothing changed since the last tick: jump over the ticks that would be no-ops
                    # (all due ones before the next cluster event; a tick at the event time sees it).
                    skip = math.floor((now - t) / mon.interval + 1e-9)
                    event = self.cluster.next_event_after(t)
                    if event != math.inf:
                        skip = min(skip, math.ceil((event - t) / mon.interval - 1e-9) - 1)
                    skip = max(0, skip)
                    mon.ticks += skip + 1
                    mon.next_tick = t + (skip + 1) * mon.interval
            self.cluster.sync(now)

    def tick_now(self) -> None:
        """Every running monitor ticks now, as if one were due (a test's set-up is seen at once)."""
        with self.lock:
            self.sync()
            for mon in self.monitors.values():
                if mon.running:
                    self._tick(mon, self.clock.now())

    def _tick(self, mon: MonitorState, t: float) -> None:
        mon.ticks += 1
        mon.next_tick = t + mon.interval
        mon.seen_version = self.cluster.version
        for v in self.views.values():
            if v.monitor != mon.name:
                continue
            d = self.cluster.dbs[v.name]
            old = set(v.bits)
            keep = v.bits & {"maint", "drain", "blr", "synced"}
            v.bits = keep | self._read_bits(d)
            v.gtid = d.gtid if d.running and not d.auth_error else None
            v.state_details = d.state_details if d.running else ""
            if old - {"maint", "drain"} != v.bits - {"maint", "drain"}:
                v.last_event = self._event_name(old, v.bits, d.running)
                v.triggered_at = t
            if "running" in old and "running" not in v.bits:
                self._hangup(v.name, "down")
            if "master" in v.bits and "master" not in old:
                self._move_primaries(v.name)

    @staticmethod
    def _read_bits(d: Db) -> set[str]:
        if not d.running:
            return set()
        if d.auth_error:
            return {"running", "auth_error"}
        roles = {"master": {"master"}, "slave": {"slave"}, "relay": {"relay", "slave"}}.get(d.role or "", set())
        return {"running"} | roles

    @staticmethod
    def _event_name(old: set[str], new: set[str], running: bool) -> str:
        def role(bits: set[str]) -> str:
            return "master" if "master" in bits else "slave" if "slave" in bits else "server"
        if not running:
            return f"{role(old)}_down"
        if "running" not in old:
            return f"{role(new)}_up"
        if role(new) != role(old):
            return f"new_{role(new)}" if role(new) != "server" else f"lost_{role(old)}"
        return f"{role(new)}_up"

    # --- state strings (reference §2.2) ---
    def connections(self, name: str) -> int:
        return sum(1 for s in self.sessions.values() if name in s.conns)

    def state_string(self, name: str) -> str:
        v = self.views[name]
        b = v.bits
        words = []
        if "maint" in b:
            words.append("Maintenance")
        elif "drain" in b:
            words.append("Drained" if self.connections(name) == 0 else "Draining")
        if "running" in b and "maint" not in b:
            if "master" in b:
                words.append("Master")
            else:
                words += [w for bit, w in (("relay", "Relay Master"), ("slave", "Slave"), ("blr", "Binlog Relay"))
                          if bit in b]
            if "synced" in b:
                words.append("Synced")
        if "auth_error" in b:
            words.append("Auth Error")
        words.append("Running" if "running" in b else "Down")
        return ", ".join(words)

    def is_master(self, name: str) -> bool:
        b = self.views[name].bits
        return {"master", "running"} <= b and "maint" not in b

    def usable_for_new(self, name: str) -> bool:
        b = self.views[name].bits
        return "running" in b and not b & {"maint", "drain"}

    def _running_monitor(self, v: ServerView) -> MonitorState | None:
        mon = self.monitors.get(v.monitor or "")
        return mon if mon and mon.running else None

    # --- set / clear (reference §1.3) ---
    def set_state(self, name: str, state: str | None, force: str | None = None, clear: bool = False) -> None:
        with self.lock:
            self.sync()
            v = self.views.get(name)
            if v is None:
                raise self.not_found("server", name)
            bit = STATE_PARAM.get((state or "").lower())
            if bit is None:
                raise SimError(self.error_status, ["Invalid or missing value for the `state` parameter"])
            mon = self._running_monitor(v)
            if mon is not None:
                if bit not in ("maint", "drain"):
                    if self.vt >= (24, 2):
                        text = (f"Server  {name} is monitored so only maintenance and drain status can be "
                                "altered manually. Status was not modified.")
                    else:
                        text = ("The server is monitored, so only the maintenance status can be set/cleared "
                                "manually. Status was not modified.")
                    self.stale_errors.append(text)  # logged as well as returned, so it leaks later
                    raise SimError(self.error_status, [text])
                if not clear and mon.module == "mariadbmon" and self.is_master(name) and self.profile != "legacy":
                    word = "primary" if self.vt >= (23, 2) else "master"
                    raise SimError(self.error_status, [
                        f"The server is {word}, so it cannot be set in maintenance or draining mode. "
                        "First perform a switchover and then retry the operation."])
            if clear:
                v.bits.discard(bit)
            else:
                v.bits.add(bit)
            self._sync_state(name, bit, clear)
            if not clear and bit == "maint" and self._force_truthy(force):
                self._hangup(name, "force")

    def _sync_state(self, name: str, bit: str, clear: bool) -> None:
        """Configuration sync (22.08+): maintenance and drain are copied to the other MaxScales of the
        same sync cluster (here at once; real MaxScale within config_sync_interval)."""
        if not self.sync_cluster or bit not in ("maint", "drain"):
            return
        for other in self.cluster.instances:
            if other.sync_cluster == self.sync_cluster:
                other.sync_version += 1
                if other is not self and name in other.views:
                    (other.views[name].bits.discard if clear else other.views[name].bits.add)(bit)

    # --- monitors ---
    def monitor(self, name: str) -> MonitorState:
        mon = self.monitors.get(name)
        if mon is None:
            raise self.not_found("monitor", name)
        return mon

    def set_monitor_running(self, name: str, running: bool) -> None:
        with self.lock:
            self.sync()
            mon = self.monitor(name)
            if running and not mon.running:
                mon.next_tick = self.clock.now()
                mon.seen_version = -1
            mon.running = running
            self.sync()

    def switchover(self, args: list[str], force: bool = False) -> None:
        """mariadbmon's switchover MON [NEW [OLD]] (reference §1.4). Errors: 400 with a detail."""
        with self.lock:
            self.sync()

            def fail(text: str) -> SimError:
                details = self.stale_errors + [text]
                self.stale_errors = []
                return SimError(400, details)

            if not 1 <= len(args) <= 3:
                raise fail(f"Invalid number of arguments: expected 1 to 3, got {len(args)}")
            mon = self.monitors.get(args[0])
            if mon is None or mon.module != "mariadbmon":
                raise fail(f"Argument 1, monitor not found: {args[0]}")
            for i, n in enumerate(args[1:], start=2):
                if n not in self.views:
                    raise fail(f"Argument {i}, server not found: {n}")
            if not mon.running:
                raise fail("The monitor is not running, cannot perform switchover.")
            members = [v for v in self.views.values() if v.monitor == mon.name]
            current = next((v.name for v in members if self.is_master(v.name)), None)
            old = args[2] if len(args) > 2 else current
            if old is None or old != current:
                who = f"'{old}'" if old else "no server"
                raise fail(f"Switchover failed: {who} is not the current primary of '{mon.name}'.")
            new = args[1] if len(args) > 1 else None
            if new is not None:
                nv = self.views[new]
                if nv.monitor != mon.name:
                    raise fail(f"'{new}' is not monitored by '{mon.name}'.")
                if "running" not in nv.bits or "maint" in nv.bits:
                    raise fail(f"'{new}' is not a valid promotion target for switchover: "
                               "it is down or in maintenance.")
                if new == old:
                    raise fail(f"'{new}' is already the primary.")
            else:
                cands = [v.name for v in members if v.name != old and "slave" in v.bits
                         and "running" in v.bits and "maint" not in v.bits]
                if not cands:
                    raise fail("Switchover failed: no valid promotion candidate found.")
                new = cands[0]
            self.cluster.switch_primary(old, new)
            self._tick(mon, self.clock.now())  # the monitor runs the switchover itself

    def _move_primaries(self, new: str) -> None:
        """A new primary appeared: sessions whose primary connection went elsewhere move to it."""
        for s in list(self.sessions.values()):
            if s.master is not None and s.master != new and not self.is_master(s.master):
                if not self.usable_for_new(new):
                    continue
                s.master = new
                if new not in s.conns:
                    self._connect(s, new)

    # --- sessions and routing (readwritesplit, reference §3) ---
    def _connect(self, s: SessionState, server: str) -> None:
        s.conns[server] = self.cluster.next_conn_id(server)
        v = self.views[server]
        v.total_connections += 1
        v.max_connections = max(v.max_connections, self.connections(server))

    def _open(self, servers: list[str] | None, user: str, remote: str, service: str | None,
              check: bool = True) -> SessionState:
        if service is None:
            service = next(iter(self.services), None)
        elif service not in self.services:
            raise SimError(400, [f"unknown service {service!r}"])
        members = [n for n, v in self.views.items() if service is None or service in v.services]
        if servers is None:
            servers = [n for n in members if self.is_master(n)]
            servers += [n for n in members if "slave" in self.views[n].bits and not self.is_master(n)]
            check = True
        else:
            for n in servers:
                if n not in self.views:
                    raise SimError(400, [f"unknown server {n!r}"])
        if check:  # new sessions never connect to servers in maintenance, draining or down
            servers = [n for n in servers if self.usable_for_new(n)]
        now = self.clock.now()
        s = SessionState(self.next_session_id, user, remote, service, now, now)
        self.next_session_id += 1
        self.sessions[s.id] = s
        for n in servers:
            self._connect(s, n)
        s.master = next((n for n in servers if self.is_master(n)), None)
        return s

    def open_sessions(self, count: int = 1, servers: list[str] | None = None, user: str = "app",
                      remote: str = "127.0.0.1", service: str | None = None) -> list[int]:
        with self.lock:
            self.sync()
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 10_000:
                raise SimError(400, ["count must be an integer 0-10000"])
            ids = []
            for _ in range(count):
                s = self._open(servers, user, remote, service)
                if not s.conns:
                    del self.sessions[s.id]
                    raise SimError(400, ["cannot open a session: no usable server "
                                         "(all are down, in maintenance or draining)"])
                ids.append(s.id)
            return ids

    def session(self, sid: Any) -> SessionState:
        try:
            return self.sessions[int(sid)]
        except (KeyError, ValueError, TypeError):
            raise self.not_found("session", str(sid)) from None

    def close_session(self, sid: Any, reason: str = "client", lost: bool = False) -> dict:
        with self.lock:
            s = self.session(sid)
            del self.sessions[s.id]
            ev = {"event": "session_closed", "session": s.id, "reason": reason, "transaction_lost": lost,
                  "time": self.clock.now()}
            self.events.append(ev)
            return ev

    def _stale(self, s: SessionState, server: str) -> bool:
        b = self.views[server].bits
        if "running" not in b:
            return True
        if "maint" not in b:
            return False  # draining: existing connections carry on
        # readwritesplit keeps a primary connection in maintenance while a transaction is open;
        # measured on 24.02.4 it did not (reference §3.3), so only the legacy profile keeps it.
        return not (server == s.master and s.in_trx and self.profile == "legacy")

    def _close_stale(self, s: SessionState) -> None:
        for server in [n for n in s.conns if self._stale(s, n)]:
            del s.conns[server]

    def request(self, sid: Any, kind: str) -> dict:
        """A client request on a session: begin, commit, rollback, read or write."""
        if kind not in ("begin", "commit", "rollback", "read", "write"):
            raise SimError(400, [f"unknown request {kind!r}: use begin, commit, rollback, read or write"])
        with self.lock:
            self.sync()
            s = self.session(sid)
            s.requests += 1
            s.last_active = self.clock.now()
            self._close_stale(s)
            has_master = s.master is not None and s.master in s.conns
            out: dict[str, Any] = {"id": str(s.id), "request": kind, "closed": False, "transaction_lost": False}
            if s.in_trx and not has_master:
                return self._lost(s, out, "primary connection lost during a transaction")
            if kind == "read" and not s.in_trx:
                target = next((n for n in s.conns if n != s.master), None) or (s.master if has_master else None)
                if target is None:
                    target = self._reconnect_replica(s)
                if target is None:
                    return self._lost(s, out, "no server left to route a read to")
                return self._routed(s, out, target)
            if not has_master:  # not in a transaction here
                if not self._reconnect_master(s):
                    return self._lost(s, out, "no valid primary connection for a write")
            assert s.master is not None
            if kind == "begin":
                s.in_trx, s.trx_writes = True, 0
            elif kind == "write":
                if s.in_trx:
                    s.trx_writes += 1
                else:
                    self.cluster.write(s.master)
            elif kind in ("commit", "rollback"):
                if s.in_trx and kind == "commit" and s.trx_writes:
                    self.cluster.write(s.master)
                out["committed" if kind == "commit" else "rolled_back"] = s.in_trx
                s.in_trx, s.trx_writes = False, 0
            self._routed(s, out, s.master)
            self._close_stale(s)  # a connection kept for the transaction closes once it ends
            out["connections"] = sorted(s.conns)
            return out

    def _routed(self, s: SessionState, out: dict, server: str) -> dict:
        self.views[server].routed_packets += 1
        out.update(routed_to=server, in_transaction=s.in_trx, connections=sorted(s.conns))
        return out

    def _lost(self, s: SessionState, out: dict, why: str) -> dict:
        lost = s.in_trx
        self.close_session(s.id, reason=why, lost=lost)
        out.update(closed=True, transaction_lost=lost, reason=why, routed_to=None, in_transaction=False)
        return out

    def _reconnect_replica(self, s: SessionState) -> str | None:
        for n, v in self.views.items():
            if "slave" in v.bits and self.usable_for_new(n) and (s.service is None or s.service in v.services):
                self._connect(s, n)
                return n
        return None

    def _reconnect_master(self, s: SessionState) -> bool:
        """master_reconnection: outside a transaction a session may connect to the current primary."""
        for n, v in self.views.items():
            if self.is_master(n) and self.usable_for_new(n) and (s.service is None or s.service in v.services):
                s.master = n
                if n not in s.conns:
                    self._connect(s, n)
                return True
        return False

    def _hangup(self, server: str, reason: str) -> None:
        """Close every connection to `server` now (forced maintenance, or the server went down)."""
        for s in list(self.sessions.values()):
            if server not in s.conns:
                continue
            del s.conns[server]
            if server == s.master and s.in_trx:
                self.close_session(s.id, reason=f"primary connection closed ({reason})", lost=True)

    # --- introspection for /sim/state and tests ---
    def snapshot(self) -> dict:
        with self.lock:
            self.sync()
            return {
                "name": self.name,
                "profile": self.profile,
                "version": self.version,
                "time": self.clock.now(),
                "shutting_down": self.shutting_down,
                "servers": {
                    n: {"state": self.state_string(n), "connections": self.connections(n), "gtid": v.gtid,
                        "monitor": v.monitor, "bits": sorted(v.bits),
                        "db": {"running": self.cluster.dbs[n].running, "role": self.cluster.dbs[n].role,
                               "gtid": self.cluster.dbs[n].gtid, "lag": self.cluster.dbs[n].lag}}
                    for n, v in self.views.items()
                },
                "monitors": {m.name: {"running": m.running, "ticks": m.ticks, "interval": m.interval}
                             for m in self.monitors.values()},
                "sessions": {
                    str(s.id): {"servers": sorted(s.conns), "primary": s.master, "in_transaction": s.in_trx,
                                "user": s.user}
                    for s in self.sessions.values()
                },
                "events": list(self.events[-100:]),
            }
