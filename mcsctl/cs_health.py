"""Is ColumnStore healthy again after a node came back? The checklist of reference §7.2, polled.

CMAPI ready on the node, its role's processes running, the node active again, every active node's role
set complete, exactly one DBRM master in `readwrite`, config revisions equal (and past the one seen while
the node was out), and all pids unchanged across polls `settle` seconds apart: with failover on a
reactivation restarts ColumnStore everywhere *after* the node looks fine.
"""

from __future__ import annotations

from .dataclass_lite import dataclass, field
from .errors import TimedOut

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .columnstore import Awareness, CsView
    from .cs_guard import CsOptions
    from .fleet import Clock
    from .ui import UI


def missing(view: CsView, name: str, expected: int, ignore: frozenset[str] = frozenset()) -> list[str]:
    """What still keeps the cluster from being healthy with `name` back ([] = nothing). `ignore`: other
    nodes that were already out before the change (--allow-unhealthy): they are not waited for."""
    node = view.nodes.get(name)
    if node is None:
        return [f"{name} is not a ColumnStore node"]
    if node.status is None:
        return [f"CMAPI on {name} not answering"]
    out: list[str] = []
    if node.ready is False:
        out.append(f"CMAPI on {name} not ready")
    if node.active is False:
        out.append(f"{name} not active in ColumnStore yet")
    for n in view.nodes.values():
        if n.name in ignore:
            continue
        if n.status is None:
            if n.name != name:
                out.append(f"CMAPI on {n.name} not answering")
            continue
        if n.active is False and n.name != name:
            out.append(f"{n.name} not active in ColumnStore")
        if not n.services:
            out.append(f"no ColumnStore process running on {n.name}")
            continue
        for proc in n.missing(view.storage, view.seen):
            out.append(f"{proc} not running on {n.name}")
    masters = view.primaries
    if not masters:
        out.append("no DBRM master")
    elif len(masters) > 1:
        out.append(f"several DBRM masters ({', '.join(masters)})")
    else:
        mode = view.nodes[masters[0]].cluster_mode
        if mode != "readwrite":
            out.append(f"the DBRM master {masters[0]} is {mode}")
    if len(set(view.revisions.values())) > 1:
        out.append("config revisions differ (" + ", ".join(f"{n}: {r}" for n, r in view.revisions.items()) + ")")
    if view.config is not None and view.config.active and len(view.config.active) < expected:
        out.append(f"{len(view.config.active)} of {expected} nodes active")
    return out


@dataclass
class _Progress:
    """What the wait has seen: pids at the last healthy poll and when, the revision while the node was out."""

    pids: dict[str, Any] | None = None
    since: float = 0.0
    out_revision: int | None = None
    said: set[str] = field(default_factory=set)
    started: bool = False


def wait_healthy(
    cs: Awareness,
    name: str,
    deadline: float,
    clock: Clock,
    ui: UI,
    opts: CsOptions,
    *,
    poll: float = 1.0,
    budget: float | None = None,
    expected: int | None = None,
    suffix: str = "",
) -> CsView:
    """Poll until the checklist holds (see module doc) or raise TimedOut naming what is missing."""
    settle = opts.cs_settle if opts.cs_settle is not None else cs.settle
    before = cs.last_view
    ignore = frozenset(before_out(before, name)) if before is not None else frozenset()
    if expected is None:
        expected = len(cs.endpoints) - len(ignore)
    seen = _Progress()
    start, last = clock.now(), None
    while True:
        view = cs.read()
        wrong = missing(view, name, expected, ignore)
        _note_out(view, name, seen)
        if seen.out_revision is not None and not wrong:
            rev = max(view.revisions.values(), default=None)
            if rev is not None and rev <= seen.out_revision:
                wrong.append(f"config revision still {rev} (the reactivation has not been pushed)")
        _stopped(cs, view, name, opts, ui, seen)
        if not wrong:
            pids = {n.name: n.pids for n in view.nodes.values()}
            if seen.pids != pids:
                seen.pids, seen.since = pids, clock.now()
            if clock.now() - seen.since >= settle:
                ui.info(f"{name}: ColumnStore is healthy (pids stable for {settle:g}s)")
                return view
            wrong = [f"the ColumnStore restart to settle (same pids {settle:g}s apart)"]
        else:
            seen.pids = None
        summary = "; ".join(wrong)
        if summary != last:
            ui.info(f"{name}: waiting for ColumnStore: {summary}")
            last = summary
        now = clock.now()
        if now >= deadline:
            spent = budget if budget is not None else deadline - start
            raise TimedOut(f"{name}: ColumnStore not healthy within {spent:g}s ({summary}){suffix}")
        clock.sleep(max(min(poll, settle / 2 if settle else poll, deadline - now), 0.01))


def before_out(view: CsView, name: str) -> list[str]:
    """The other nodes that were unreachable or inactive before the change."""
    return [n.name for n in view.nodes.values() if n.name != name and (n.status is None or n.active is False)]


def _note_out(view: CsView, name: str, seen: _Progress) -> None:
    """Remember the newest revision seen while `name` was inactive: its return must come with a newer one."""
    node = view.nodes.get(name)
    if node is not None and node.active is False:
        revs = list(view.revisions.values())
        seen.out_revision = max(revs) if revs else seen.out_revision


def _stopped(cs: Awareness, view: CsView, name: str, opts: CsOptions, ui: UI, seen: _Progress) -> None:
    """Failover off and the node ready, active, with no processes: it will not start by itself (§5.6)."""
    node = view.nodes.get(name)
    if cs.failover or node is None or node.status is None or node.services or not node.ready:
        return
    if node.active is False:
        return
    if opts.columnstore_start and not seen.started:
        ui.info(f"{name}: CMAPI failover is off, so ColumnStore does not start by itself: starting it (node/start)")
        cs.start(name)
        seen.started = True
    elif not opts.columnstore_start and "stopped" not in seen.said:
        ui.warn(
            f"{name}: ColumnStore is stopped and will not start by itself (CMAPI failover off); "
            "--columnstore-start starts it with node/start"
        )
        seen.said.add("stopped")
