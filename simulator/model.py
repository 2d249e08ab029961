"""The simulated world, rules only, no I/O: one MaxScale over databases that several MaxScales share.

`Cluster` (simulator/replication.py) holds the MariaDB servers themselves (up/down, replication roles,
GTIDs) and is shared by every simulated MaxScale. `MaxScale` is one MaxScale instance: its view of each
server (status bits, simulator/status.py, written by its monitor's ticks, simulator/monitor.py, plus its
own maintenance/drain flags), its monitors, services and client sessions (simulator/routing.py). What
differs between release lines is one table (simulator/releases.py). Both are guarded by `cluster.lock`
(an RLock): the aiohttp thread and test code share them.

Time comes from an injected clock. Nothing runs in the background: every public call first runs the
monitor ticks and cluster events that are due up to `clock.now()` (`MaxScale.sync()`), so a real
clock and a virtual one behave the same. Real MaxScale makes a PUT set/clear wait for up to one
monitor tick; here the change is applied at once.

The names other modules import from here stay importable from here.
"""

from __future__ import annotations

from typing import Any

from .errors import SimError
from .faults import Fault, Faults
from .monitor import MonitorState, MonitorTicks
from .releases import TRUTHY, ReleaseLine, release_line
from .replication import Cluster, Db, gtid_after_write, gtid_behind
from .routing import Routing, SessionState
from .scenario import Scenario, load_scenario, version_tuple
from .status import ROLE_BITS, STATE_PARAM, ServerView, event_name, read_bits, state_words

__all__ = [
    "ROLE_BITS",
    "STATE_PARAM",
    "TRUTHY",
    "Cluster",
    "Db",
    "Fault",
    "Faults",
    "MaxScale",
    "MonitorState",
    "ReleaseLine",
    "ServerView",
    "SessionState",
    "SimError",
    "gtid_after_write",
    "gtid_behind",
]


class MaxScale(MonitorTicks, Routing):
    """One simulated MaxScale over a (possibly shared) Cluster. Call methods with any thread."""

    def __init__(
        self,
        cluster: Cluster,
        scenario: Scenario | dict | str | None = None,
        *,
        name: str = "maxscale",
        profile: str | None = None,
        users: dict | None = None,
    ) -> None:
        self.cluster = cluster
        self.lock = cluster.lock
        self.clock = cluster.clock
        self.name = name
        self.profile_override = profile
        self.users_override = users
        self.shutting_down = False
        self.faults = Faults()  # injected REST errors (control API /sim/faults)
        self.stale_errors: list[str] = []  # logged errors that leak into later error bodies
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
            self.version = sc.version_for(self.profile)
            self.vt = version_tuple(self.version)[:2]
            self.release = release_line(self.vt)
            self.users = dict(self.users_override or sc.users)
            self.sync_cluster = sc.config_sync_cluster
            self.sync_version = 1
            now = self.clock.now()
            self.started_at = now
            self.views = {s.name: self._view(s, now) for s in sc.servers}
            self.monitors = {
                m.name: MonitorState(
                    m.name,
                    m.module,
                    m.state == "Running",
                    m.monitor_interval / 1000.0,
                    next_tick=now + m.monitor_interval / 1000.0,
                    seen_version=self.cluster.version,
                )
                for m in sc.monitors
            }
            self.services = {s.name: s for s in sc.services}
            self.sessions = {}
            self.next_session_id = 1
            self.stale_errors = []
            self.events = []
            self.shutting_down = False
            self.faults = Faults()
            self.last_async_result: str | SimError | None = None  # for fetch-cmd-result
            for spec in sc.sessions:
                for _ in range(spec.count):
                    s = self._open(spec.servers, spec.user, spec.remote, spec.service, check=False)
                    s.in_trx = spec.in_transaction and s.master is not None

    def _view(self, s: Any, now: float) -> ServerView:
        """A server of the scenario as this MaxScale first sees it."""
        v = ServerView(
            s.name,
            s.address,
            s.port,
            s.socket,
            s.monitor,
            list(s.services),
            state_details=s.state_details,
            triggered_at=now,
        )
        d = self.cluster.dbs.get(s.name)
        v.bits = read_bits(d) if d else set()
        v.gtid = d.gtid if d and d.running and not d.auth_error else None
        v.bits |= {"maint"} if s.maintenance else set()
        v.bits |= {"drain"} if s.drain else set()
        v.last_event = event_name(set(), v.bits, d.running if d else False)
        return v

    def set_flag(self, name: str, bit: str, on: bool) -> None:
        """A maintenance/drain flag found set or cleared on this MaxScale alone (as a scenario's flags are):
        no refusal, no configuration sync."""
        with self.lock:
            self.sync()
            (self.views[name].bits.add if on else self.views[name].bits.discard)(bit)

    def reset(self) -> None:
        self.load(load_scenario(self.scenario.source))

    # --- release-line rules (simulator/releases.py) ---
    @property
    def error_status(self) -> int:
        return self.release.error_status

    def not_found(self, kind: str, name: str) -> SimError:
        if self.release.not_found_detail:
            details = self.stale_errors + [f"{name} is not a {kind}"]
            self.stale_errors = []
            return SimError(404, details)
        return SimError(404, None)

    def _force_truthy(self, value: str | None) -> bool:
        return self.release.force_truthy(value)

    # --- state strings ---
    def state_string(self, name: str) -> str:
        return state_words(self.views[name].bits, self.connections(name))

    # --- set / clear ---
    def set_state(self, name: str, state: str | None, force: str | None = None, clear: bool = False) -> None:
        with self.lock:
            self.sync()
            v = self.views.get(name)
            if v is None:
                raise self.not_found("server", name)
            bit = STATE_PARAM.get((state or "").lower())
            if bit is None:
                raise SimError(self.error_status, ["Invalid or missing value for the `state` parameter"])
            self._check_manual(v, bit, clear)
            if clear:
                v.bits.discard(bit)
            else:
                v.bits.add(bit)
            self._sync_state(name, bit, clear)
            if not clear and bit == "maint" and self._force_truthy(force):
                self._hangup(name, "force")

    def _check_manual(self, v: ServerView, bit: str, clear: bool) -> None:
        """A monitored server takes only maintenance and drain by hand, and the primary neither."""
        mon = self._running_monitor(v)
        if mon is None:
            return
        if bit not in ("maint", "drain"):
            text = self.release.monitored(v.name)
            self.stale_errors.append(text)  # logged as well as returned, so it leaks later
            raise SimError(self.error_status, [text])
        if not clear and mon.module == "mariadbmon" and self.is_master(v.name) and self.profile != "legacy":
            raise SimError(self.error_status, [self.release.primary_refusal()])

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

    # --- switchover ---
    def switchover(self, args: list[str], force: bool = False) -> None:
        """mariadbmon's switchover MON [NEW [OLD]]. Errors: 400 with a detail."""
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
                    raise fail(f"'{new}' is not a valid promotion target for switchover: it is down or in maintenance.")
                if new == old:
                    raise fail(f"'{new}' is already the primary.")
            else:
                cands = [
                    v.name
                    for v in members
                    if v.name != old and "slave" in v.bits and "running" in v.bits and "maint" not in v.bits
                ]
                if not cands:
                    raise fail("Switchover failed: no valid promotion candidate found.")
                new = cands[0]
            self.cluster.switch_primary(old, new)
            self._tick(mon, self.clock.now())  # the monitor runs the switchover itself

    # --- introspection for /sim/state and tests ---
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
                    n: {
                        "state": self.state_string(n),
                        "connections": self.connections(n),
                        "gtid": v.gtid,
                        "monitor": v.monitor,
                        "bits": sorted(v.bits),
                        "db": {
                            "running": self.cluster.dbs[n].running,
                            "role": self.cluster.dbs[n].role,
                            "gtid": self.cluster.dbs[n].gtid,
                            "lag": self.cluster.dbs[n].lag,
                        },
                    }
                    for n, v in self.views.items()
                },
                "monitors": {
                    m.name: {"running": m.running, "ticks": m.ticks, "interval": m.interval}
                    for m in self.monitors.values()
                },
                "sessions": {
                    str(s.id): {
                        "servers": sorted(s.conns),
                        "primary": s.master,
                        "in_transaction": s.in_trx,
                        "user": s.user,
                    }
                    for s in self.sessions.values()
                },
                "events": list(self.events[-100:]),
            }
