"""The ColumnStore checks before a change (reference §7.1): the primary guard, the rest of the cluster's
health, and the warnings about what taking a node down sets off. Pure judgement over a CsView."""

from __future__ import annotations

from .dataclass_lite import dataclass
from .errors import GuardRefused, Unreachable

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .columnstore import CsView

PRIMARY_SENTENCE = "taking it down stops DML and DDL for the whole ColumnStore cluster"
NOT_MOVED = (
    "a MaxScale switchover does not move the ColumnStore primary; it moves only at a topology change "
    "(with CMAPI failover on: the deactivation about 33 s after the node goes down)"
)


@dataclass(frozen=True)
class CsOptions:
    """The ColumnStore options of a change (maintenance on/off, run, rolling)."""

    allow_columnstore_primary: bool = False
    allow_unhealthy: bool = False
    columnstore_start: bool = False
    cs_settle: float | None = None  # seconds between the pid polls (None: the setting)


def guard_primary(view: CsView, names: list[str], opts: CsOptions) -> None:
    """Exit 4 when one of `names` is the ColumnStore primary, unless --allow-columnstore-primary."""
    primary = view.primary()
    if primary in names and not opts.allow_columnstore_primary:
        raise GuardRefused(
            f"{primary} is the ColumnStore primary (DBRM master): {PRIMARY_SENTENCE}; {NOT_MOVED}",
            hint="--allow-columnstore-primary goes ahead anyway",
        )


def unhealthy(view: CsView, targets: list[str]) -> list[str]:
    """What is wrong with the rest of the cluster (the targets' own state never counts)."""
    out: list[str] = []
    for node in view.nodes.values():
        if node.name in targets:
            continue
        if node.status is None:
            out.append(f"{node.name}: CMAPI does not answer ({node.error})")
            continue
        if node.ready is False:
            out.append(f"{node.name}: CMAPI is not ready")
        if node.active is False:
            out.append(f"{node.name} is inactive in ColumnStore")
        missing = node.missing(view.storage, view.seen)
        if missing:
            out.append(f"{', '.join(missing)} not running on {node.name}")
    primary = view.primary()
    if primary not in targets:
        master = view.nodes.get(primary) if primary else None
        if master is None or master.status is None:
            out.append("no node runs the DBRM master")
        elif master.cluster_mode != "readwrite":
            out.append(f"the ColumnStore primary {primary} is {master.cluster_mode}")
    if len(view.primaries) > 1:
        out.append(f"several DBRM masters: {', '.join(view.primaries)}")
    revs = {r for n, r in view.revisions.items() if n not in targets}
    if len(revs) > 1:
        out.append("config revisions differ (" + ", ".join(f"{n}: {r}" for n, r in view.revisions.items()) + ")")
    if view.config is not None and view.config.maintenance:
        out.append("the ColumnStore cluster is in maintenance (cluster/shutdown)")
    return out


def guard_health(view: CsView, targets: list[str], opts: CsOptions) -> None:
    """Exit 3 when no node's CMAPI answers; exit 4 naming what is wrong elsewhere, unless --allow-unhealthy."""
    if not view.answering:
        first = next(iter(view.nodes.values()), None)
        raise Unreachable(
            "no node's CMAPI answers" + (f" ({first.error})" if first and first.error else ""),
            hint="check the nodes' CMAPI (port 8640), or --no-columnstore for a plain MariaDB cluster",
        )
    wrong = unhealthy(view, targets)
    if wrong and not opts.allow_unhealthy:
        raise GuardRefused(
            "the rest of the ColumnStore cluster is not healthy: " + "; ".join(wrong),
            hint="fix it first, or --allow-unhealthy goes ahead anyway",
        )


def warnings(view: CsView, name: str, failover: bool, label: str | None = None) -> list[str]:
    """What taking `name` down sets off (run, rolling): deactivation and restarts, standby, local dbroots.
    `label` names the node in the failover sentence (a roll: "each node", said once)."""
    out: list[str] = []
    count = len(view.nodes)
    if failover and count >= 2:
        out.append(
            f"CMAPI failover may be on (cmapi_failover = false says it is off): about 33 s after {label or name} goes "
            "down its peers deactivate it and restart ColumnStore on every other node, and again about 33 s "
            "after its CMAPI is back; running ColumnStore queries fail on all nodes each time"
        )
        if count == 2:
            survivor = next(n for n in view.nodes if n != name)
            out.append(f"in a 2-node cluster the survivor {survivor} enters standby: ColumnStore stops entirely")
        elif count - 1 <= count / 2:
            out.append(f"with {name} down only {count - 1} of {count} nodes are active: the survivors enter standby")
    node = view.nodes.get(name)
    dbroots = (node.status or {}).get("dbroots") if node is not None else None
    if view.storage == "LocalStorage" and dbroots:
        out.append(
            f"{name}'s dbroots {', '.join(map(str, dbroots))} are on local storage: unavailable while it is down"
        )
    return out
