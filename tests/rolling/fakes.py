"""In-memory MaxScales over shared fake databases that restart and catch up on a virtual clock.

Builds on tests/workflow/fakes.py (FakeServer/FakeBackend/FakeClock, one backend per MaxScale host).
`World` plays the databases and the monitor: what a MaxScale shows is the databases as of the monitor's
last tick (every `interval` seconds of the FakeClock), so a view read right after a restart command can
still be stale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mcsctl.fleet import Fleet
from mcsctl.journal import Journal
from mcsctl.model import Monitor
from mcsctl.ui import SilentUI
from mcsctl.workflow import Procedures

from ..workflow.fakes import FakeBackend, FakeClock, FakeServer


@dataclass
class Db:
    role: str | None
    seq: int
    down_at: float | None = None
    up_at: float | None = None  # None while down_at is set: never comes back
    caught_at: float = 0.0  # replicates the primary from this time on
    history: list = field(default_factory=list)  # (time, seq) of the primary's writes


class World:
    def __init__(self, backends: list[FakeBackend], clock: FakeClock, interval: float = 1.0,
                 catchup: float = 1.0, ticks: bool = True):
        self.backends, self.clock, self.interval, self.catchup, self.ticks = backends, clock, interval, catchup, ticks
        first = backends[0].servers
        self.dbs = {n: Db(s.role, int(s.gtid.rsplit("-", 1)[1])) for n, s in first.items()}
        top = max(d.seq for d in self.dbs.values())
        for d in self.dbs.values():
            d.seq = top  # everyone caught up at the start
        for b in backends:
            b.world = self
        self.refresh()

    def tick_time(self) -> float:
        return math.floor(self.clock.now() / self.interval + 1e-9) * self.interval

    def primary(self) -> str:
        return next(n for n, d in self.dbs.items() if d.role == "Master")

    # what tests and commands do
    def restart(self, name: str, seconds: float | None) -> None:
        d = self.dbs[name]
        d.down_at = self.clock.now()
        d.up_at = None if seconds is None else d.down_at + seconds
        d.caught_at = math.inf if seconds is None else d.up_at + self.catchup

    def write(self, count: int = 1) -> None:
        """Writes on the primary; running replicas that are not restarting follow at once."""
        p = self.dbs[self.primary()]
        p.seq += count

    def switch(self, old: str, new: str) -> None:
        self.dbs[old].role, self.dbs[new].role = "Slave", "Master"

    # what a monitor sees at its last tick
    def _running(self, d: Db, t: float) -> bool:
        if d.down_at is None or t < d.down_at:
            return True
        return d.up_at is not None and t >= d.up_at

    def refresh(self) -> None:
        t = self.tick_time()
        p = self.dbs[self.primary()]
        for name, d in self.dbs.items():
            running = self._running(d, t)
            if d is not p and running and t >= d.caught_at:
                d.seq = p.seq
            for b in self.backends:
                s = b.servers[name]
                s.running, s.role = running, d.role
                s.gtid = f"0-1-{d.seq}" if running else None

    def monitor_ticks(self) -> int:
        return int(self.tick_time() / self.interval + 1e-9)


class RollBackend(FakeBackend):
    world: World

    def list_servers(self):
        self.world.refresh()
        return super().list_servers()

    def list_monitors(self):
        ticks = self.world.monitor_ticks() if self.world.ticks else None  # None: no tick counter reported
        return [Monitor(name="MariaDB-Monitor", module="mariadbmon", state="Running", servers=tuple(self.servers),
                        ticks=ticks)]

    def switchover(self, monitor, new=None, old=None):
        self.calls.append(f"switchover {monitor} {new} {old}")
        self._check("switchover")
        self.world.switch(old, new)
        self.world.refresh()


class Runner:
    """The COMMAND: `restart <server>` restarts the fake database (after the clock moves `took` seconds)."""

    def __init__(self, world: World, seconds: float = 0.3, took: float = 0.1):
        self.world, self.seconds, self.took = world, seconds, took
        self.ran: list[list[str]] = []
        self.status: dict[str, int] = {}  # server -> exit status to return instead
        self.never: set[str] = set()  # servers that never come back
        self.signal: dict[str, int] = {}
        self.before: list = []  # callbacks(argv) run first (sessions closing...)

    def __call__(self, argv):
        self.ran.append(list(argv))
        for fn in self.before:
            fn(argv)
        name = argv[1]
        if name in self.status:
            return self.status[name], None
        if name in self.signal:
            return 128 + self.signal[name], self.signal[name]
        self.world.restart(name, None if name in self.never else self.seconds)
        self.world.clock.t += self.took
        return 0, None


def make_world(n=3, hosts=("a:8989",), ticks=True, interval=1.0, catchup=1.0):
    backends = []
    for h in hosts:
        servers = [FakeServer(f"mcs{i}", role="Master" if i == 1 else "Slave", gtid="0-1-20") for i in range(1, n + 1)]
        backends.append(RollBackend(h, servers))
    clock = FakeClock()
    world = World(backends, clock, interval=interval, catchup=catchup, ticks=ticks)
    return world


def make_procedures(world: World, journal_path=None, ui=None):
    ui = ui or SilentUI()
    journal = Journal(journal_path) if journal_path else None
    fleet = Fleet(world.backends, world.clock, poll=0.25)
    return Procedures(fleet, ui, journal, confirm_timeout=5, wall=lambda: 1_700_000_000 + world.clock.now()), ui


class State:
    """The bits of cli.State that rolling_command uses."""

    def __init__(self, proc, ui):
        self._proc, self.reporter = proc, ui

    def procedures(self):
        return self._proc
