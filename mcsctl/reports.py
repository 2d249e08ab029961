"""What the library hands back: one typed report per operation of `mcsctl.api.Cluster` (never printed here).

Every change report carries the same facts: the outcome, the server as each MaxScale last showed it, what
stays changed (`changes`), the connections cut, the exact calls made (the plan steps of a dry run, or the
requests and maxctrl calls sent) and the journal records written.
"""

from __future__ import annotations

import enum

from .dataclass_lite import dataclass, field

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .journal import Record
    from .model import Server
    from .noderow import NodeRow
    from .outcome import Outcome


class Result(enum.StrEnum):
    """The outcome of a change, as a library caller branches on it."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already as asked: nothing to do
    PLANNED = "planned"  # a dry run: nothing was changed


@dataclass(frozen=True)
class Call:
    """One exact call: a plan line (`host` is the MaxScale it would go to) or a request that was sent."""

    call: str
    host: str | None = None


@dataclass(frozen=True)
class PlanStep:
    """One step of a dry run (`# what`) and the exact calls it would make."""

    step: str
    calls: tuple[Call, ...] = ()


@dataclass
class ChangeReport:
    """The report of enter/leave/drain/undrain/switchover/extend/run (one entry of `servers` per server)."""

    action: str
    result: Result
    servers: list[Outcome] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what this call changed that stays changed
    calls: list[Call] = field(default_factory=list)  # requests sent (real run) or planned calls (dry run)
    plan: list[PlanStep] = field(default_factory=list)  # a dry run's steps, each with its calls
    records: list[Record] = field(default_factory=list)  # journal records written
    messages: list[str] = field(default_factory=list)  # what the procedure told its observer

    @property
    def final(self) -> dict[str, dict[str, Server]]:
        """server -> {MaxScale host: the server as that MaxScale last showed it}."""
        return {o.server: dict(o.final) for o in self.servers}

    @property
    def cut(self) -> dict[str, int]:
        """server -> connections closed by force."""
        return {o.server: o.cut for o in self.servers}


@dataclass
class ServersReport:
    """`servers()`: every MaxScale's view; `unanswered` names the MaxScales that did not answer (host -> why)."""

    servers: list[Server]
    disagreements: list[str] = field(default_factory=list)
    unanswered: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    # ColumnStore: server name -> {"columnstore": {...} | None, "columnstore_error": str | None}; None: not checked
    columnstore: dict[str, dict[str, Any]] | None = None


@dataclass
class StatusReport:
    """`status()`: one row per server (live state merged with the journal) and cleanup hints."""

    rows: list[dict[str, Any]]
    hints: list[str] = field(default_factory=list)
    unanswered: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)


@dataclass
class ReapReport:
    """`reap()`: the expired maintenances taken out (or planned), one ChangeReport entry per server."""

    due: list[str]
    report: ChangeReport


@dataclass
class RollReport:
    """`roll()`: the node table, the primary at the end, and the calls and records of the whole roll.

    `table` says the roll ran (its node table ends the output; a dry run has none), `summary` is its last
    line (what was rolled, or what was done, failed and left); a failed roll's error carries it (`report`).
    """

    rows: list[NodeRow]
    primary: str | None
    summary: str | None = None
    table: bool = False
    calls: list[Call] = field(default_factory=list)
    plan: list[PlanStep] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)


@dataclass
class ColumnStoreReport:
    """`columnstore_status()`: the cluster as CMAPI sees it (nodes: one dict per node, see cs_api.node_row)."""

    nodes: list[dict[str, Any]]
    columnstore_primary: str | None
    maxscale_primary: str | None
    config_revision: int | None = None
    active: list[str] = field(default_factory=list)
    inactive: list[str] = field(default_factory=list)
    desired: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what cs_guard.unhealthy finds (nothing: healthy)

    @property
    def primaries_match(self) -> bool:
        return self.columnstore_primary is not None and self.columnstore_primary == self.maxscale_primary
