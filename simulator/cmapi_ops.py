"""What CMAPI's write endpoints do (mixed into simulator.cmapi_model.CsModel): node start/shutdown,
cluster start/shutdown/mode-set, adding and removing nodes. A refusal raises `CmapiFailure`, which the
API turns into 422 `{"error": "..."}`; `delay` is how long the real call would have blocked first
(a transaction that cannot begin retries for 300 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .cmapi_model import CsNode, NodeConfig

TXN_TOTAL = 300.0  # how long a transaction that cannot begin keeps retrying


class CmapiFailure(Exception):
    """An application error of CMAPI: 422 with a flat `{"error": message}` body."""

    def __init__(self, message: str, delay: float = 0.0, wall: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.delay = delay  # CMAPI's own time (scaled by tick, skipped on a virtual clock) ...
        self.wall = wall  # ... or the network's: waited on any clock


class CmapiWait(Exception):
    """The transaction would begin once another one ends, `seconds` from now: on the real clock the call
    waits that long and is tried again (the serving layer does it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


# The texts that differ between CMAPI versions (the reference's §2.3).
TXN_FAILED = {"6.4": "Starting transaction isn't successful.", "23.10": "Starting transaction isn't successful."}
TXN_FAILED_SHUTDOWN = {"6.4": "Starting transaction isn't succesful.", "23.10": "Starting transaction isn't succesful."}
TXN_FAILED_25 = "Starting transaction isn't succesfull."


class Operations:
    nodes: dict[str, CsNode]
    by_cs: dict[str, CsNode]
    tick: float
    time: float
    version: str
    readonly: bool
    cluster: Any

    if TYPE_CHECKING:

        def push(self, cfg: NodeConfig, targets: list[str], hold: bool = True) -> None: ...
        def rebalance(self, cfg: NodeConfig) -> None: ...
        def stop_all(self, node: CsNode) -> None: ...
        def start_role_set(self, node: CsNode, staged: bool) -> None: ...
        def start_failover(self, node: CsNode) -> None: ...
        def stop_failover(self, node: CsNode) -> None: ...
        def note(self, node: CsNode | None, text: str) -> None: ...

    def _transaction(self, node: CsNode, members: list[str], shutdown: bool = False) -> None:
        """Begin on every member, retrying up to 300 s: a member that is down fails it (after those 300 s);
        one inside another transaction that ends within them makes the call wait for it (on a virtual
        clock the wait is not modelled: the call goes on at once)."""
        if not members:
            raise CmapiFailure("There are no nodes in the cluster.")
        nodes = [self.by_cs.get(n) for n in members]
        held = max((n.txn_until for n in nodes if n is not None), default=self.time) - self.time
        if not all(n is not None and n.reachable for n in nodes) or held > TXN_TOTAL * self.tick:
            table = TXN_FAILED_SHUTDOWN if shutdown else TXN_FAILED
            raise CmapiFailure(table.get(self.version, TXN_FAILED_25), delay=TXN_TOTAL * self.tick)
        if held > 0 and not getattr(self.cluster.clock, "virtual", False):
            raise CmapiWait(held)

    def _commit_config(self, node: CsNode, cfg: NodeConfig, targets: list[str]) -> None:
        cfg.revision = node.cfg.revision + 1
        self.push(cfg, targets, hold=False)

    # --- node endpoints ---
    def node_start(self, node: CsNode) -> None:
        """`PUT node/start`: this node's role set from its *local* config, Maintenance false, failover on."""
        self.start_role_set(node, staged=False)
        node.cfg.maintenance = False
        self.start_failover(node)

    def node_shutdown(self, node: CsNode) -> None:
        """`PUT node/shutdown`: everything stops, Maintenance true locally, the failover thread stops."""
        self.stop_all(node)
        node.cfg.maintenance = True
        self.stop_failover(node)

    def stop_dmlproc(self, node: CsNode) -> None:
        node.running.pop("DMLProc", None)

    # --- cluster endpoints (from any node, over its ActiveNodes) ---
    def cluster_start(self, node: CsNode) -> None:
        self._transaction(node, node.cfg.active)
        cfg = node.cfg.copy()
        cfg.maintenance = False
        self._commit_config(node, cfg, list(cfg.active))

    def cluster_shutdown(self, node: CsNode) -> None:
        self._transaction(node, node.cfg.active, shutdown=True)
        cfg = node.cfg.copy()
        cfg.maintenance = True
        self._commit_config(node, cfg, list(cfg.active))

    def mode_set(self, node: CsNode, mode: str) -> None:
        if mode not in ("readonly", "readwrite"):
            raise CmapiFailure(f"Error while setting cluster mode to {mode}")
        self._transaction(node, node.cfg.active)
        masters = [n for n in node.cfg.active if n in self.by_cs and "controllernode" in self.by_cs[n].running]
        if not masters:
            raise CmapiFailure("No master found in the cluster.")
        self.readonly = mode == "readonly"

    def add_node(self, node: CsNode, name: Any) -> str:
        if not isinstance(name, str) or not name:
            raise CmapiFailure("missing node argument")
        new = self.by_cs.get(name)
        if new is None or name in node.cfg.active or not new.reachable:
            raise CmapiFailure("Error while adding node.")
        self._transaction(node, [*node.cfg.active, name])
        from .cmapi_model import Module

        cfg = node.cfg.copy()
        if name in cfg.inactive:
            cfg.inactive.remove(name)
        if name not in cfg.desired:
            cfg.desired.append(name)
        cfg.active.append(name)
        cfg.modules.append(Module(name, []))
        self.rebalance(cfg)
        self._commit_config(node, cfg, list(cfg.active))
        return name

    def remove_node(self, node: CsNode, name: Any) -> str:
        if not isinstance(name, str) or not name:
            raise CmapiFailure("missing node argument")
        if name not in node.cfg.desired or len(node.cfg.desired) < 2:
            raise CmapiFailure("Error while removing node.")
        self._transaction(node, [n for n in node.cfg.active if n != name])
        cfg = node.cfg.copy()
        for names in (cfg.desired, cfg.active, cfg.inactive):
            if name in names:
                names.remove(name)
        cfg.modules = [m for m in cfg.modules if m.node != name]
        self.rebalance(cfg)
        self._commit_config(node, cfg, list(cfg.active))
        gone = self.by_cs.get(name)
        if gone is not None and gone.reachable:
            self.stop_all(gone)
            self.stop_failover(gone)
            self.note(gone, "removed from the cluster")
        return name
