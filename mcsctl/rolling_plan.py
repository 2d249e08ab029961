"""The planning half of `mcsctl rolling` (see mcsctl.rolling): which nodes, in which order, what a resumed
roll has left, the checks before the first node, the dry run, and where the primary goes at its turn."""

from __future__ import annotations

import re
import shlex
import uuid

from .dataclass_lite import dataclass, field, replace
from .errors import GuardRefused, OperationFailed, UsageError
from .gtid import behind
from .model import Server
from .noderow import FINISHED, NodeRow

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .fleet import Views
    from .outcome import OnOptions
    from .procedures import Procedures
    from .ui import UI

REASON = "rolling maintenance"


def natural(name: str) -> list[int | str]:
    """Sort key: mcs2 before mcs10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


@dataclass
class Plan:
    """What a roll will do: `order` is every node of the roll, `done` those finished before (--resume)."""

    roll: str
    order: list[str]
    primary: str
    monitor: str | None
    roles: dict[str, str]
    done: list[str] = field(default_factory=list)
    resumed_failed: str | None = None  # on --resume: the node that failed (expected in maintenance)

    @property
    def todo(self) -> list[str]:
        return [n for n in self.order if n not in self.done]


class RollPlanner:
    """A roll's plan and dry run over `Procedures`; `Roller` (mcsctl.rolling) adds the roll itself."""

    def __init__(self, proc: Procedures, ui: UI, opts: OnOptions, argv: list[str], catchup_timeout: float) -> None:
        self.proc, self.ui, self.argv = proc, ui, list(argv)
        self.opts = replace(opts, switchover=False, allow_primary=False, reason=opts.reason or REASON)
        self.to = opts.to
        self.catchup_timeout = catchup_timeout
        self.fleet = proc.fleet
        self.clock = proc.fleet.clock
        self.rows: list[NodeRow] = []

    # ------------------------------------------------------------ planning
    def plan(self, names: list[str] | None, resume: bool) -> Plan:
        views = self.fleet.read()
        primary = self.proc.primary(views)
        first = next(iter(views.values()))
        if resume:
            plan = self._resume_plan(primary)
        else:
            members = [s.name for s in first if s.monitor == primary.monitor]
            if names:
                if len(set(names)) != len(names):
                    raise UsageError("--servers names a server twice")
                for n in names:
                    self.fleet.locate(n, views)  # UnknownServer with a near-miss hint
                    if n not in members:
                        raise UsageError(f"{n} is not monitored by {primary.monitor} (the primary's monitor)")
                members = list(names)
            else:
                members.sort(key=natural)
            order = [n for n in members if n != primary.name] + ([primary.name] if primary.name in members else [])
            roles = {n: ("primary" if n == primary.name else "replica") for n in order}
            plan = Plan(uuid.uuid4().hex[:12], order, primary.name, primary.monitor, roles)
        self._guard_start(plan, views)
        return plan

    def _resume_plan(self, primary: Server) -> Plan:
        journal = self.proc.journal
        records = journal.read() if journal is not None else []
        rolls = [r for r in records if r.action.startswith("rolling-") and isinstance(r.extra.get("roll"), str)]
        starts = [r for r in rolls if r.action == "rolling-start"]
        if not starts:
            raise OperationFailed("nothing to resume: the journal has no rolling maintenance")
        roll = starts[-1].extra["roll"]
        mine = [r for r in rolls if r.extra.get("roll") == roll]
        if any(r.action == "rolling-end" and r.outcome == "ok" for r in mine):
            raise OperationFailed(f"nothing to resume: the last rolling maintenance ({roll}) finished")
        start = next(r for r in mine if r.action == "rolling-start")
        done = [r.server for r in mine if r.action == "rolling-node" and r.outcome == "ok" and r.server]
        # A node that failed once and was done on a later attempt no longer counts as failed.
        failed = [r.server for r in mine if r.action == "rolling-node" and r.outcome != "ok" and r.server not in done]
        old_cmd = start.extra.get("command")
        if old_cmd and old_cmd != self.argv:
            if not self.opts.yes:
                raise GuardRefused(
                    f"the roll started with {shlex.join(old_cmd)}, not {shlex.join(self.argv)}",
                    hint="resume with the same command, or add --yes to go on with the new one",
                )
            self.ui.warn(f"the roll started with {shlex.join(old_cmd)}; going on with {shlex.join(self.argv)}")
        if sorted(start.hosts) != sorted(self.fleet.hosts):
            self.ui.warn(f"the roll started on {', '.join(start.hosts)}; now on {', '.join(self.fleet.hosts)}")
        order = list(start.extra.get("order") or [])
        roles = dict(start.extra.get("roles") or {})
        plan = Plan(roll, order, primary.name, primary.monitor, roles, done)
        # The node that failed, or (after a crash, with no record of it) the one that was in progress.
        plan.resumed_failed = failed[-1] if failed else (plan.todo[0] if plan.todo else None)
        self.ui.info(
            f"resuming rolling maintenance {roll}: done {', '.join(done) or 'nothing'}; "
            f"left {', '.join(plan.todo) or 'nothing'}"
        )
        return plan

    def _guard_start(self, plan: Plan, views: Views) -> None:
        for name in plan.todo:
            if name == plan.resumed_failed:
                continue  # left in maintenance (maybe down) by the roll we resume
            bad = {h: s for h, s in self.fleet.locate(name, views).items() if not s.routable}
            if bad:
                hint = (
                    "bring it back first (mcsctl maintenance off " + name + "), then --resume again"
                    if plan.done or plan.resumed_failed
                    else "bring it back first, leave it out with --servers, or --resume an unfinished roll"
                )
                raise GuardRefused(
                    f"{name} is not healthy before its turn: " + "; ".join(f"{h}: {s.state}" for h, s in bad.items()),
                    hint=hint,
                )

    # ------------------------------------------------------------ dry run
    def dry_run(self, plan: Plan) -> None:
        views = self.fleet.read()
        ui, todo, n = self.ui, plan.todo, len(plan.order)
        ui.plan(f"# rolling maintenance over {len(todo)} node(s), one at a time: {', '.join(todo)}")
        if plan.done:
            ui.plan(f"# already done (resumed): {', '.join(plan.done)}")
        for name in todo:
            i = plan.order.index(name) + 1
            server = next(iter(self.fleet.locate(name, views).values()))
            ui.plan(f"# node {i}/{n}: {name} ({plan.roles.get(name, 'replica')})")
            if name == self.proc.primary(views).name:
                self.proc.switchover(to=self._target(plan, views, quiet=True), dry_run=True, views=views)
            self.proc.plan_enter(name, self.opts)
            ui.plan("# run: " + shlex.join(self._argv_for(server)))
            ui.plan(
                f"# wait until every MaxScale shows {name} Running with its GTID caught up with the "
                f"primary's (up to {self.catchup_timeout:g}s)"
            )
            self.proc.leave(name, dry_run=True)
            ui.plan(f"# wait until every MaxScale shows {name} as Slave, Running and caught up")
        if plan.primary in todo:
            ui.plan("# the primary stays where the switchover put it")

    def _argv_for(self, server: Server) -> list[str]:
        from .run import substitute

        return substitute(self.argv, server)

    def _target(self, plan: Plan, views: Views, quiet: bool = False) -> str:
        """Where the primary goes: --to, else the most caught-up healthy replica this roll has done."""
        if self.to:
            return self.to
        old = self.proc.primary(views)
        ranked = self.proc.candidates(views, old)
        if not ranked:
            raise GuardRefused(f"no replica can take over from {old.name}", hint="bring a replica back first")
        # In a dry run nothing is done yet: every node planned before the primary counts as done.
        done = set(plan.done) | {r.node for r in self.rows if r.result in FINISHED}
        if quiet:
            done |= set(plan.order[: plan.order.index(old.name)]) if old.name in plan.order else set(plan.order)
        good = [s for s in ranked if s.name in done and behind(s.gtid, old.gtid) in (0, None)]
        if good:
            return good[0].name
        if not quiet:
            self.ui.warn(
                f"no node of this roll can take over from {old.name}; using {ranked[0].name} "
                "(the most caught-up replica)"
            )
        return ranked[0].name


def roll_order(proc: Procedures, names: list[str] | None = None) -> list[dict[str, object]]:
    """The nodes of a roll in its order (replicas first, the primary last), each with its address, port and
    role, after the checks before the first node (GuardRefused when one is not healthy): the Ansible role's
    plan (ansible_collections/mcsctl/maxscale/roles/rolling)."""
    from .outcome import OnOptions

    plan = RollPlanner(proc, proc.ui, OnOptions(), [], 1.0).plan(names, resume=False)
    first = {s.name: s for s in next(iter(proc.fleet.read().values()))}
    return [{"name": n, "address": first[n].address, "port": first[n].port, "role": plan.roles[n]} for n in plan.order]
