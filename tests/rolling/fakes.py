"""In-process MaxScales (tests/workflow/fakes.py) whose databases restart and catch up on the virtual clock.

Restarts, replication catch-up and monitor ticks are simulator.model's: what a MaxScale shows is the
databases as of its monitor's last tick (every `interval` seconds), so a view read right after a restart
command can still be stale. `World` only gathers what the tests drive: the shared databases, the clock
and one recording backend per MaxScale host.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcsctl.fleet import Fleet
from mcsctl.journal import Journal
from mcsctl.ui import SilentUI
from mcsctl.workflow import Procedures
from simulator.model import Db

from ..workflow.fakes import FakeClock, RecordingBackend, maxscales, scenario


class World:
    """The databases every MaxScale watches, and the clock they live on."""

    def __init__(self, backends: list[RecordingBackend], clock: FakeClock) -> None:
        self.backends, self.clock = backends, clock
        self.cluster = backends[0].maxscale.cluster

    @property
    def dbs(self) -> dict[str, Db]:
        return self.cluster.dbs

    def primary(self) -> str:
        p = self.cluster.primary
        assert p is not None
        return p.name

    def restart(self, name: str, seconds: float | None) -> None:
        """The database goes down now and is back after `seconds` (None: it never comes back)."""
        if seconds is None:
            self.cluster.set_running(name, False)
        else:
            self.cluster.restart(name, seconds)

    def write(self, count: int = 1) -> None:
        """Writes on the primary; running replicas that are not restarting follow at once."""
        for _ in range(count):
            self.cluster.write(self.primary())


class Runner:
    """The COMMAND: `restart <server>` restarts the database (after the clock moves `took` seconds)."""

    def __init__(self, world: World, seconds: float = 0.3, took: float = 0.1) -> None:
        self.world, self.seconds, self.took = world, seconds, took
        self.ran: list[list[str]] = []
        self.status: dict[str, int] = {}  # server -> exit status to return instead
        self.never: set[str] = set()  # servers that never come back
        self.signal: dict[str, int] = {}
        self.before: list[Callable[[list[str]], Any]] = []  # callbacks(argv) run first (sessions closing...)
        self.during: list[Callable[[list[str]], Any]] = []  # callbacks(argv) run while the database is down

    def __call__(self, argv: list[str]) -> tuple[int, int | None]:
        self.ran.append(list(argv))
        for fn in self.before:
            fn(argv)
        name = argv[1]
        if name in self.status:
            return self.status[name], None
        if name in self.signal:
            return 128 + self.signal[name], self.signal[name]
        self.world.restart(name, None if name in self.never else self.seconds)
        for fn in self.during:
            fn(argv)
        self.world.clock.t += self.took
        return 0, None


def make_world(
    n: int = 3, hosts: tuple[str, ...] = ("a:8989",), ticks: bool = True, interval: float = 1.0, catchup: float = 1.0
) -> World:
    """n caught-up servers (0-1-20, mcs1 the primary); `ticks=False`: MaxScales report no tick counter."""
    clock = FakeClock()
    backends = maxscales(scenario(n, ["0-1-20"] * n, interval), hosts, clock, report_ticks=ticks)
    backends[0].maxscale.cluster.catchup_seconds = catchup
    return World(backends, clock)


def make_procedures(
    world: World, journal_path: Path | None = None, ui: SilentUI | None = None
) -> tuple[Procedures, SilentUI]:
    ui = ui or SilentUI()
    journal = Journal(journal_path) if journal_path else None
    fleet = Fleet(world.backends, world.clock, poll=0.25)
    return Procedures(fleet, ui, journal, confirm_timeout=5, wall=lambda: 1_700_000_000 + world.clock.now()), ui


class State:
    """The bits of cli.State that rolling_command uses."""

    def __init__(self, proc: Procedures, ui: SilentUI) -> None:
        self._proc, self.reporter = proc, ui

    def procedures(self) -> Procedures:
        return self._proc
