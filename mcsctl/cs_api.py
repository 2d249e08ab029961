"""The Cluster's ColumnStore steps: build the Awareness from what MaxScale shows, check before a change,
wait after one, and the view `servers` and `columnstore status` show. Used by mcsctl.api and the procedures."""

from __future__ import annotations

from .cs_guard import CsOptions, guard_health, guard_primary, warnings
from .errors import McsctlError, Unreachable, UsageError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any, Protocol

    from .columnstore import Awareness, ClientFactory, CsView
    from .fleet import Fleet
    from .model import Server
    from .procedures.core import Core
    from .reports import ColumnStoreReport
    from .settings import Settings
    from .ui import UI
else:
    Protocol = object  # the protocols here are for mypy only


CS_KEYWORDS = ("allow_columnstore_primary", "allow_unhealthy", "columnstore_start", "cs_settle")
# The ColumnStore keywords each Cluster method takes: `on` guards, `off` waits, run and roll do both.
TAKES = {"enter": CS_KEYWORDS[:2], "leave": CS_KEYWORDS[2:], "run": CS_KEYWORDS, "roll": CS_KEYWORDS}


class Host(Protocol):
    """What these steps need of a Cluster."""

    settings: Settings
    cmapi_factory: ClientFactory | None

    @property
    def reporter(self) -> Any: ...

    def fleet(self) -> Fleet: ...


def split_options(on: dict[str, Any], method: str) -> CsOptions:
    """Take the ColumnStore keywords `method` takes out of a change's keywords (the rest are the `maintenance
    on` ones); one it does not take is a UsageError."""
    from .api_settings import seconds

    wrong = sorted(set(CS_KEYWORDS) & set(on) - set(TAKES[method]))
    if wrong:
        raise UsageError(f"{method}() takes no {wrong[0]!r}")
    given = {k: on.pop(k) for k in CS_KEYWORDS if k in on}
    settle = given.pop("cs_settle", None)
    return CsOptions(**{k: bool(v) for k, v in given.items()}, cs_settle=None if settle is None else seconds(settle))


def awareness_for(host: Host, fleet: Fleet | None = None, servers: list[Server] | None = None) -> Awareness | None:
    """The Awareness of this cluster (None: ColumnStore off, or no key known), from the first MaxScale: its
    monitors, and its servers (read here unless given). A plain MariaDB cluster never imports columnstore.py."""
    if not host.settings.columnstore:
        return None
    from .cs_key import cmapi_key

    fleet = fleet or host.fleet()
    monitors = fleet.backends[0].list_monitors()  # the first MaxScale's view decides, as for the servers
    if cmapi_key(host.settings, monitors)[0] is None:
        return None  # no key known: the servers need not be read for ColumnStore (a plain MariaDB cluster)
    from .columnstore import awareness

    if servers is None:
        servers = next(iter(fleet.read().values()))
    return awareness(host.settings, servers, monitors, host.cmapi_factory, getattr(host.reporter, "trace", None))


def prepare(host: Host, names: list[str], opts: CsOptions, kind: str, fleet: Fleet | None = None) -> Awareness | None:
    """Before a change (`kind`: on, off, run, rolling): the guards and warnings of reference §7.1. Says once
    that ColumnStore was not checked when no key is known. Returns the Awareness for the waits after it."""
    ui: UI = host.reporter
    if not host.settings.columnstore:
        return None
    cs = awareness_for(host, fleet)
    if cs is None:
        return None  # the change's report says it was not checked (ColumnStoreParts._cs_note)
    if kind == "off":
        cs.last_view = cs.read()  # what was already out before: not waited for
        return cs
    if kind == "rolling" and not names:
        names = list(cs.endpoints)  # every node of the monitor
    view = cs.read()
    cs.last_view = view
    # A roll takes every node down in turn: all of them must be healthy before the first one.
    targets = cs.in_maintenance if kind == "rolling" else names  # a resumed roll's failed node is in maintenance
    if not view.answering:
        guard_health(view, targets, opts)  # exit 3: nothing to judge the primary by
    guard_primary(view, names, opts)
    guard_health(view, targets, opts)
    if kind in ("run", "rolling"):
        said: set[str] = set()
        for name in names:
            for line in warnings(view, name, cs.failover, "each node" if kind == "rolling" else None):
                if line not in said:  # a roll says the cluster-wide ones once
                    said.add(line)
                    ui.warn(f"ColumnStore: {line}")
    return cs


def wait_after(proc: Core, name: str, deadline: float, budget: float, suffix: str = "") -> None:
    """After the MaxScale view shows `name` back: wait until ColumnStore is healthy too (when checked)."""
    from .cs_health import wait_healthy

    cs: Awareness | None = proc.columnstore
    if cs is None or name not in cs.endpoints:
        return
    opts = proc.cs_options or CsOptions()
    wait_healthy(
        cs, name, deadline, proc.fleet.clock, proc.ui, opts, poll=proc.fleet.poll, budget=budget, suffix=suffix
    )


def check_turn(proc: Core, name: str) -> None:
    """A roll before `name`'s turn: the ColumnStore primary may have moved onto it meanwhile."""
    cs: Awareness | None = proc.columnstore
    if cs is None:
        return
    view = cs.read()
    guard_primary(view, [name], proc.cs_options or CsOptions())


def primaries(cs: Awareness | None, maxscale_primary: str | None) -> str:
    """The end of a roll: CMAPI's primary against MaxScale's, as one sentence ('' when not checked)."""
    if cs is None:
        return ""
    try:
        view = cs.read()
    except McsctlError:
        return ""
    mine = view.primary()
    if mine == maxscale_primary:
        return f"; the ColumnStore primary is {mine}, as MaxScale's"
    return f"; the ColumnStore primary is {mine or 'unknown'}, MaxScale's is {maxscale_primary} (they differ)"


def status_view(host: Host) -> tuple[Awareness, CsView]:
    """`columnstore status`: the view (exit 2 with ColumnStore off, 3 without a key or when no node answers)."""
    from .columnstore import NOT_CHECKED

    if not host.settings.columnstore:
        raise UsageError("ColumnStore is off here (--no-columnstore or columnstore = false in the config)")
    cs = awareness_for(host)
    if cs is None:
        raise Unreachable(NOT_CHECKED)
    view = cs.read()
    if not view.answering:
        guard_health(view, [], CsOptions(allow_unhealthy=True))
    return cs, view


def node_row(view: CsView, name: str) -> dict[str, Any]:
    """One node of `columnstore status`: its role, modes, services against the full set for the role."""
    from .columnstore import role_set

    n = view.nodes[name]
    status = n.status or {}
    want = list(role_set(n.primary, [*n.services, *view.seen], view.storage)) if n.status is not None else []
    return {
        "name": n.name,
        "address": n.address,
        "ready": n.ready,
        "role": None if n.status is None else "primary" if n.primary else "replica",
        "dbrm_mode": status.get("dbrm_mode"),
        "cluster_mode": n.cluster_mode,
        "active": n.active,
        "services": n.services,
        "expected_services": want,
        "missing_services": n.missing(view.storage, view.seen) if n.status is not None else [],
        "dbroots": status.get("dbroots"),
        "config_revision": n.config.revision if n.config else None,
        "error": n.error,
    }


class ColumnStoreParts:
    """The ColumnStore half of mcsctl.api.Cluster: the checks around a change, the views it shows."""

    _cs: Awareness | None
    _cs_opts: CsOptions | None
    _cs_unchecked: bool = False  # the current change went without ColumnStore checks (no key known)
    settings: Settings
    cmapi_factory: ClientFactory | None
    if TYPE_CHECKING:  # what mcsctl.api.Cluster provides

        @property
        def reporter(self) -> Any: ...

        def fleet(self) -> Fleet: ...

        def _begin(self, takeover: bool = False, skip_unreachable: bool = False) -> None: ...

    def _columnstore(self, names: list[str], opts: CsOptions, kind: str) -> None:
        """The ColumnStore checks before a change (prepare), after the names are known to be sendable."""
        from .backends import start_reads
        from .backends.base import check_server_name

        self._cs_opts = opts
        if not self.settings.columnstore:
            return
        fleet = self.fleet()
        for name in names:  # a name a backend cannot send is refused before any request (exit 2)
            check_server_name(name)
            for b in fleet.backends:
                b.check_name(name)
        # The monitors (for the CMAPI key) and then the servers (for the guards) are read next: with maxctrl
        # the calls run side by side, so the key lookup costs no time of its own.
        start_reads(fleet.backends, monitors=True)
        self._cs = prepare(self, names, opts, kind, fleet)
        self._cs_unchecked = self._cs is None

    def _cs_leave(self, names: list[str], opts: CsOptions, wait_healthy: bool, dry_run: bool) -> None:
        """`maintenance off`: the ColumnStore options go with --wait-healthy (never parsed and ignored)."""
        if not wait_healthy and (opts.columnstore_start or opts.cs_settle is not None):
            raise UsageError("--columnstore-start and --cs-settle go with --wait-healthy")
        if wait_healthy and not dry_run:
            self._columnstore(names, opts, "off")

    def _cs_note(self) -> None:
        """Once, at the end of a change made without ColumnStore checks (no key known): say so."""
        from .columnstore import NOT_CHECKED

        if self._cs_unchecked:
            self.reporter.warn(NOT_CHECKED)
            self._cs_unchecked = False

    def _cs_servers(self, items: list[Server]) -> dict[str, dict[str, Any]] | None:
        """`servers`: each node's `columnstore` object and `columnstore_error` (None: ColumnStore not checked)."""
        first = [s for s in items if s.maxscale == items[0].maxscale] if items else []
        try:
            cs = awareness_for(self, servers=first)
        except McsctlError:  # the monitors could not be read: ColumnStore not checked
            return None
        if cs is None:
            return None
        view = cs.read()
        out: dict[str, dict[str, Any]] = {}
        for s in first:
            n = view.nodes.get(s.name)
            error = "not a ColumnStore node of the monitor" if n is None else n.error
            out[s.name] = {"columnstore": n.as_json() if n else None, "columnstore_error": error}
        return out

    def columnstore_status(self) -> ColumnStoreReport:
        """The cluster as CMAPI sees it (`mcsctl columnstore status`): nodes, roles, modes, services."""
        from .cs_guard import unhealthy
        from .reports import ColumnStoreReport

        self._begin()
        cs, view = status_view(self)
        config = view.config
        return ColumnStoreReport(
            [node_row(view, n) for n in view.nodes],
            view.primary(),
            view.maxscale_primary,
            config.revision if config else None,
            list(config.active) if config else [],
            list(config.inactive) if config else [],
            list(config.desired) if config else [],
            unhealthy(view, []),
        )
