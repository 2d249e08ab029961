"""Monitors: their ticks on the injected clock, which copy what the databases are into a MaxScale's view.

Nothing runs in the background: every public call of a MaxScale first runs the ticks that are due up
to `clock.now()` (`sync()`), so a real clock and a virtual one behave the same. Ticks that could not
see a change are skipped in one step (only their count moves on).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import SimError
from .replication import Cluster
from .status import KEPT_BITS, OWN_BITS, ServerView, event_name, read_bits


@dataclass
class MonitorState:
    name: str
    module: str
    running: bool
    interval: float  # seconds
    next_tick: float = 0.0
    ticks: int = 0
    seen_version: int = -1


class MonitorTicks:
    """The monitor part of a MaxScale (mixed into simulator.model.MaxScale)."""

    cluster: Cluster
    lock: threading.RLock
    clock: Any
    views: dict[str, ServerView]
    monitors: dict[str, MonitorState]

    if TYPE_CHECKING:  # provided by the other parts of MaxScale

        def not_found(self, kind: str, name: str) -> SimError: ...

        def _hangup(self, server: str, reason: str) -> None: ...

        def _move_primaries(self, new: str) -> None: ...

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
                    self._skip_idle_ticks(mon, t, now)
            self.cluster.sync(now)

    def _skip_idle_ticks(self, mon: MonitorState, t: float, now: float) -> None:
        """Nothing changed since the last tick: jump over the ticks that would be no-ops (all due ones
        before the next cluster event; a tick at the event time sees it)."""
        skip = math.floor((now - t) / mon.interval + 1e-9)
        event = self.cluster.next_event_after(t)
        if event != math.inf:
            skip = min(skip, math.ceil((event - t) / mon.interval - 1e-9) - 1)
        skip = max(0, skip)
        mon.ticks += skip + 1
        mon.next_tick = t + (skip + 1) * mon.interval

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
            v.bits = (v.bits & KEPT_BITS) | read_bits(d)
            v.gtid = d.gtid if d.running and not d.auth_error else None
            v.state_details = d.state_details if d.running else ""
            if old - OWN_BITS != v.bits - OWN_BITS:
                v.last_event = event_name(old, v.bits, d.running)
                v.triggered_at = t
            if "running" in old and "running" not in v.bits:
                self._hangup(v.name, "down")
            if "master" in v.bits and "master" not in old:
                self._move_primaries(v.name)

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

    def _running_monitor(self, v: ServerView) -> MonitorState | None:
        mon = self.monitors.get(v.monitor or "")
        return mon if mon and mon.running else None
