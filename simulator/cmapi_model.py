"""ColumnStore's side of the simulated nodes, as CMAPI sees it: pure rules, no I/O, on the injected clock.

Per node: the host (up, boot time), mariadbd (from the shared `Cluster`), CMAPI (up, ready, its key),
the failover thread (heartbeat responder), the running ColumnStore processes with their pids, and a
copy of the cluster configuration (`NodeConfig`: revision, desired/active/inactive nodes, the primary
= owner of dbroot 1, modules with their dbroots, Maintenance). DBRM's read-only flag is held by the
primary's controllernode. The heartbeat, failover, config pushes and the startup sequence are in
simulator/cmapi_failover.py, the write endpoints' operations in simulator/cmapi_ops.py (both mixed
in); the JSON answers in simulator/cmapi_documents.py.

Time-driven events (a process starting, a node booting, a queued failover action) sit in a heap and
run when `sync(t)` reaches them; `Cluster.sync` calls it, so a virtual clock drives it as it drives
the monitors. Every timing of the reference's §5.7 is multiplied by `tick`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .cmapi_failover import Failover
from .cmapi_ops import Operations
from .cmapi_spec import START_ORDER, UNSET, CsSpec, NodeSpec

PRIMARY_PROGS = ("controllernode", "DMLProc", "DDLProc")


class CsError(Exception):
    """A refusal of the model (a control request that cannot be done): 400 with the text."""


@dataclass
class Module:
    node: str  # the ActiveNodes string
    dbroots: list[int]


@dataclass
class NodeConfig:
    """One node's copy of Columnstore.xml, as far as maintenance needs it (copies can be stale)."""

    revision: int
    desired: list[str]
    active: list[str]
    inactive: list[str]
    primary: str
    maintenance: bool
    modules: list[Module]
    dbroot_ids: list[int]
    cluster_name: str

    def copy(self) -> NodeConfig:
        return NodeConfig(
            self.revision,
            list(self.desired),
            list(self.active),
            list(self.inactive),
            self.primary,
            self.maintenance,
            [Module(m.node, list(m.dbroots)) for m in self.modules],
            list(self.dbroot_ids),
            self.cluster_name,
        )

    def module_of(self, node: str) -> int:
        """The module number (1-based) of a node, 0 when it has none."""
        return next((i + 1 for i, m in enumerate(self.modules) if m.node == node), 0)

    def dbroots_of(self, node: str) -> list[int]:
        return next((list(m.dbroots) for m in self.modules if m.node == node), [])


@dataclass
class CsNode:
    name: str  # the MaxScale server name
    cs_name: str  # the string in ActiveNodes (its address, or its name)
    address: str
    cfg: NodeConfig
    api_key: str | None
    auto_failover: bool
    host_up: bool = True
    boot_time: float = 0.0
    cmapi_up: bool = True
    ready: bool = True
    starting: str = ""  # CMAPI start-up stage: "" (done), "sync" (fetching the config), "wait" (≤ 40 s)
    failover_on: bool = False
    failover_since: float = -math.inf  # when the failover thread (and its heartbeat responder) started
    silent_since: float = -math.inf  # when the responder last went silent
    standby: bool = False
    blackhole: bool = False  # powered off behind a silent network: requests hang instead of failing
    broken: set[str] = field(default_factory=set)  # programs that fail to start here (control API)
    running: dict[str, int] = field(default_factory=dict)
    module_file: int = 0
    txn_until: float = -math.inf  # a CMAPI transaction holds this node until then
    gen: int = 0  # bumped when the node's processes are stopped: cancels process starts still queued
    boot_gen: int = 0  # bumped when the host goes down: cancels the start-up steps still queued

    @property
    def answering(self) -> bool:
        """Its heartbeat responder answers (host up, failover thread running)."""
        return self.host_up and self.cmapi_up and self.failover_on

    @property
    def reachable(self) -> bool:
        """Its CMAPI accepts HTTPS requests."""
        return self.host_up and self.cmapi_up


class CsModel(Failover, Operations):
    """All ColumnStore nodes of one simulated cluster. Guarded by the Cluster's lock."""

    def __init__(self, cluster: Any, spec: CsSpec, now: float) -> None:
        self.cluster = cluster
        self.spec = spec
        self.tick = spec.tick
        self.version = spec.version
        self.time = now
        self.readonly = spec.cluster_mode == "readonly"  # DBRM's flag, held by the primary's controllernode
        self.events: list[tuple[float, int, Callable[[], None]]] = []
        self.seq = 0
        self.next_pid = 1300
        self.log: list[dict] = []
        self.queued: dict[tuple[str, str], float] = {}  # (action, node) -> when the failover agent runs it
        self.nodes: dict[str, CsNode] = {}
        self.by_cs: dict[str, CsNode] = {}
        self._build(spec, now)

    # --- set-up ---
    def _build(self, spec: CsSpec, now: float) -> None:
        names = {n.name: (n.address if spec.node_names == "address" else n.name) for n in spec.nodes}
        members = [n for n in spec.nodes if n.active]
        primary = spec.primary or self._maxscale_primary(spec) or spec.nodes[0].name
        modules = [Module(names[n.name], []) for n in members]
        cfg = NodeConfig(
            revision=1,
            desired=[names[n.name] for n in spec.nodes],
            active=[names[n.name] for n in members],
            inactive=[names[n.name] for n in spec.nodes if not n.active],
            primary=names[primary],
            maintenance=False,
            modules=modules,
            dbroot_ids=list(range(1, len(spec.nodes) + 1)),
            cluster_name=spec.cluster_name,
        )
        self._initial_dbroots(cfg, names[primary])
        for ns in spec.nodes:
            self._add_node(ns, names[ns.name], cfg, now)
        if len(cfg.desired) == 2:  # logged, yet the monitor still acts (and standby follows)
            for node in self.nodes.values():
                if node.failover_on:
                    self.note(
                        node, "Failover support is inactive; requires at least 3 nodes and a shared storage system"
                    )

    def _maxscale_primary(self, spec: CsSpec) -> str | None:
        return next(
            (n.name for n in spec.nodes if getattr(self.cluster.dbs.get(n.name), "role", None) == "master"), None
        )

    @staticmethod
    def _initial_dbroots(cfg: NodeConfig, primary: str) -> None:
        """dbroot 1 on the primary, the others one per module in order (the rest spread evenly)."""
        if not cfg.modules:
            return
        mods = sorted(cfg.modules, key=lambda m: m.node != primary)
        for i, d in enumerate(cfg.dbroot_ids):
            mods[i % len(mods)].dbroots.append(d)
        if primary not in cfg.active:
            cfg.primary = mods[0].node

    def _add_node(self, ns: NodeSpec, cs_name: str, cfg: NodeConfig, now: float) -> None:
        auto = self.spec.failover if ns.auto_failover is None else ns.auto_failover
        key = self.spec.key if ns.key is UNSET else ns.key
        node = CsNode(ns.name, cs_name, ns.address, cfg.copy(), key, auto, boot_time=now - 86400.0)
        node.cfg.maintenance = ns.maintenance
        node.module_file = cfg.module_of(cs_name) or len(self.nodes) + 1
        node.host_up = ns.host
        db = self.cluster.dbs.get(ns.name)
        if db is not None and not ns.host:
            db.running = False  # a powered-off host has no mariadbd either
        node.cmapi_up = node.ready = ns.host and ns.cmapi
        if node.reachable and auto and not ns.maintenance:
            node.failover_on, node.failover_since = True, now - 86400.0
        else:
            node.silent_since = now  # silent from the start: peers' 33 ticks count from now
        self.nodes[ns.name] = node
        self.by_cs[cs_name] = node
        if node.host_up and cs_name in cfg.active and not ns.maintenance:
            full = self.role_set(node)
            wanted = full if ns.services is None else [p for p in START_ORDER if p in ns.services]
            for prog in wanted:
                self._start_prog(node, prog)

    # --- lookups ---
    def node(self, name: str) -> CsNode:
        """A node by server name (or by its ActiveNodes string)."""
        node = self.nodes.get(name) or self.by_cs.get(name)
        if node is None:
            raise CsError(f"unknown ColumnStore node {name!r}")
        return node

    def installed(self) -> list[str]:
        """The ColumnStore programs installed on every node (this version and storage)."""
        progs = [p for p in START_ORDER if p != "ExeMgr" or self.version == "6.4"]
        return [p for p in progs if p != "StorageManager" or self.spec.storage == "s3"]

    def role_set(self, node: CsNode) -> list[str]:
        """The processes a node runs for its role in its own config, in start order."""
        primary = node.cfg.primary == node.cs_name
        return [p for p in self.installed() if primary or p not in PRIMARY_PROGS]

    def mariadbd_up(self, node: CsNode) -> bool:
        db = self.cluster.dbs.get(node.name)
        return bool(node.host_up and db is not None and db.running)

    def new_primary(self, node: CsNode) -> bool | None:
        """`node/new_primary`: true when mariadbd has no replication threads, null when it is down."""
        if not self.mariadbd_up(node):
            return None
        return self.cluster.dbs[node.name].role in ("master", None)

    def mode(self, node: CsNode) -> str:
        """`cluster_mode` as this node reports it: the real flag only where controllernode runs."""
        if "controllernode" in node.running:
            return "readonly" if self.readonly else "readwrite"
        return "readonly"

    # --- processes ---
    def _start_prog(self, node: CsNode, prog: str) -> None:
        if prog in node.running or not node.host_up or prog in node.broken:
            return
        self.next_pid += 17
        node.running[prog] = self.next_pid
        if prog == "controllernode":
            self.readonly = False  # assumed: DBRM starts read-write (the reference's §10)

    def stop_all(self, node: CsNode) -> None:
        node.running.clear()
        node.gen += 1

    def start_role_set(self, node: CsNode, staged: bool) -> None:
        """Start the node's role set: at once, or one program a tick apart after a tick (a config push)."""
        progs = self.role_set(node)
        if not staged:
            for prog in progs:
                self._start_prog(node, prog)
            return
        gen = node.gen
        for i, prog in enumerate(progs):
            self.at(self.time + (2 + i) * self.tick, lambda p=prog: gen == node.gen and self._start_prog(node, p))

    def set_processes(
        self, name: str, stop: list[str], start: list[str], broken: list[str] = (), fixed: list[str] = ()
    ) -> CsNode:
        """The control API: kill processes or start them (new pids), as `kill` or `systemctl start` would;
        `broken` programs stop and fail every later start on this node (CMAPI's too) until `fixed`."""
        self.sync(self.cluster.clock.now())
        node = self.node(name)
        unknown = [p for p in [*stop, *start, *broken, *fixed] if p not in self.installed()]
        if unknown:
            raise CsError(f"not a ColumnStore program of this installation: {', '.join(unknown)}")
        if start and not node.host_up:
            raise CsError(f"the host of {node.name} is down")
        node.broken = (node.broken | set(broken)) - set(fixed)
        for prog in [*stop, *broken]:
            node.running.pop(prog, None)
        for prog in [p for p in START_ORDER if p in start]:
            self._start_prog(node, prog)
        return node

    # --- the event heap ---
    def at(self, t: float, fn: Callable[[], Any]) -> None:
        self.seq += 1
        heapq.heappush(self.events, (t, self.seq, fn))

    def note(self, node: CsNode | None, text: str) -> None:
        self.log.append({"time": self.time, "node": node.name if node else None, "message": text})
        del self.log[:-1000]

    def sync_all(self) -> None:
        """Bring every MaxScale watching the cluster, the databases and this model to now."""
        for inst in self.cluster.instances:
            inst.sync()
        self.cluster.sync()

    def sync(self, t: float) -> None:
        """Run everything due up to t: queued events and the heartbeat's decisions, in time order."""
        while True:
            due = self.events[0][0] if self.events else math.inf
            found = self.next_detection()
            seen = found[0] if found else math.inf
            nxt = min(due, seen)
            if nxt > t:
                break
            self.time = max(self.time, nxt)
            if found and seen <= due:
                self.queue_action(*found[1:])
            else:
                heapq.heappop(self.events)[2]()
        self.time = max(self.time, t)

    # --- host and CMAPI life ---
    def host_down(self, node: CsNode) -> None:
        """The host stops: processes, CMAPI and the heartbeat responder vanish."""
        self.stop_all(node)
        self.stop_failover(node)
        node.host_up = node.cmapi_up = node.ready = False
        node.starting = ""
        node.blackhole = False
        node.boot_gen += 1

    def reboot(self, name: str, down_at: float, up_at: float | None) -> None:
        """The host goes down at `down_at` and boots at `up_at` (never, if None)."""
        node = self.nodes.get(name)
        if node is None:
            return
        self.sync(down_at)
        self.host_down(node)
        self.note(node, "host down")
        if up_at is not None:
            gen = node.boot_gen
            self.at(up_at, lambda: gen == node.boot_gen and self.boot(node))

    def power(self, name: str, up: bool, blackhole: bool = False) -> CsNode:
        """The control API: power a node's host off (mariadbd too) or on (it boots now). `blackhole`: its
        address stops answering at all, so requests to it hang (a cut network) instead of failing."""
        self.sync(self.cluster.clock.now())
        node = self.node(name)
        if up and not node.host_up:
            self.boot(node)
            self.cluster.set_running(node.name, True)
        elif not up and node.host_up:
            self.host_down(node)
            self.note(node, "host down")
            self.cluster.set_running(node.name, False)
        node.blackhole = not up and blackhole
        return node

    def restart_cmapi(self, name: str) -> CsNode:
        """The control API: `systemctl restart mariadb-columnstore-cmapi` (the processes keep running)."""
        self.sync(self.cluster.clock.now())
        node = self.node(name)
        if not node.host_up:
            raise CsError(f"the host of {node.name} is down")
        self.stop_failover(node)
        node.boot_gen += 1
        self.start_cmapi(node)
        return node

    def hold_transaction(self, name: str, seconds: float) -> CsNode:
        """The control API: a CMAPI transaction holds the node for `seconds` (0 releases it)."""
        self.sync(self.cluster.clock.now())
        node = self.node(name)
        node.txn_until = self.time + seconds if seconds > 0 else -math.inf
        return node

    def snapshot(self) -> dict:
        """The whole state, for GET /sim/columnstore and tests (simulator/cmapi_documents.py)."""
        from .cmapi_documents import snapshot

        return snapshot(self)
