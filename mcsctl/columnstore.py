"""The ColumnStore side of the cluster as CMAPI shows it, node by node (reference §2, §3, §4).

`Awareness` knows how to reach every node's CMAPI (key, port and path from the settings or the monitor's
cs_admin_* parameters) and reads a `CsView`: per node its `node/status`, readiness and config; the
guards (cs_guard.py) and the health wait (cs_health.py) judge that view. No printing.
"""

from __future__ import annotations

from collections.abc import Callable

from .cs_key import cmapi_key
from .dataclass_lite import dataclass, field
from .errors import McsctlError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:  # cs_config (xml.etree) and cmapi are imported when a key is known (issue 17)
    from typing import Any, Protocol

    from .backends.cmapi import CmapiEndpoint
    from .cs_config import CsConfig
    from .model import Monitor, Server
    from .settings import Settings
else:
    Protocol = object  # the protocols here are for mypy only


# CMAPI's program table, in its start order (reference §3)
PROGRAMS = (
    "StorageManager",
    "workernode",
    "controllernode",
    "PrimProc",
    "ExeMgr",
    "WriteEngineServer",
    "DMLProc",
    "DDLProc",
)
PRIMARY_ONLY = ("controllernode", "DMLProc", "DDLProc")
EVERY_NODE = ("workernode", "PrimProc", "WriteEngineServer")
NOT_CHECKED = (
    "ColumnStore was not checked: no CMAPI key is known (--cmapi-key, MCSCTL_CMAPI_KEY, cmapi_key in the "
    "config, or the monitor's cs_admin_api_key); --no-columnstore (columnstore = false) for a plain MariaDB cluster"
)


def role_set(primary: bool, services: list[str], storage: str | None = None) -> tuple[str, ...]:
    """The processes a node of that role must run (§3). 6.4 and older (ExeMgr seen) add ExeMgr; S3 storage
    (or a StorageManager seen) adds StorageManager. An old CMAPI's `WriteEngine` counts as WriteEngineServer."""
    want = set(EVERY_NODE) | (set(PRIMARY_ONLY) if primary else set())
    if "ExeMgr" in services:
        want.add("ExeMgr")
    if storage == "S3" or "StorageManager" in services:
        want.add("StorageManager")
    return tuple(p for p in PROGRAMS if p in want)


@dataclass
class CsNode:
    """One node: what its CMAPI said (`status` is its node/status, None when it did not answer: `error`)."""

    name: str  # MaxScale's server name
    address: str
    ready: bool | None = None
    status: dict[str, Any] | None = None
    config: CsConfig | None = None
    error: str | None = None
    active: bool | None = None  # in ActiveNodes of the newest config (None: unknown)

    @property
    def services(self) -> list[str]:
        items = (self.status or {}).get("services") or []
        return [str(s.get("name")) for s in items if isinstance(s, dict)]

    @property
    def pids(self) -> dict[str, Any]:
        items = (self.status or {}).get("services") or []
        return {str(s.get("name")): s.get("pid") for s in items if isinstance(s, dict)}

    @property
    def primary(self) -> bool:
        """This node runs the DBRM master (controllernode)."""
        return (self.status or {}).get("dbrm_mode") == "master"

    @property
    def cluster_mode(self) -> str | None:
        mode = (self.status or {}).get("cluster_mode")
        return str(mode) if mode is not None else None

    def missing(self, storage: str | None, seen: frozenset[str] = frozenset()) -> list[str]:
        """The role's processes that are not running (the role: DBRM master or not; `seen`: the programs any
        node runs, so that a 6.4 cluster's ExeMgr counts on every node)."""
        have = set(self.services) | ({"WriteEngineServer"} if "WriteEngine" in self.services else set())
        return [p for p in role_set(self.primary, [*self.services, *seen], storage) if p not in have]

    def as_json(self) -> dict[str, Any] | None:
        """The `columnstore` object of `servers --format json` (None when the node did not answer)."""
        if self.status is None:
            return None
        return {
            "primary": self.primary,
            "cluster_mode": self.cluster_mode,
            "services": self.services,
            "ready": self.ready,
            "active": self.active,
        }


@dataclass
class CsView:
    """Every node at one moment, and the newest config any of them holds."""

    nodes: dict[str, CsNode] = field(default_factory=dict)
    config: CsConfig | None = None
    maxscale_primary: str | None = None

    @property
    def answering(self) -> list[CsNode]:
        return [n for n in self.nodes.values() if n.status is not None]

    @property
    def primaries(self) -> list[str]:
        """The nodes running a DBRM master (healthy: exactly one)."""
        return [n.name for n in self.nodes.values() if n.primary]

    def primary(self) -> str | None:
        """The ColumnStore primary: the node running the DBRM master, else the config's PrimaryNode."""
        if self.primaries:
            return self.primaries[0]
        if self.config is not None and self.config.primary:
            for n in self.nodes.values():
                if self.config.primary in self.config.names(n.name, n.address):
                    return n.name
        return None

    @property
    def storage(self) -> str | None:
        return self.config.storage if self.config is not None else None

    @property
    def seen(self) -> frozenset[str]:
        """Every program some node runs (ExeMgr: a 6.4 cluster; StorageManager: S3)."""
        return frozenset(s for n in self.nodes.values() for s in n.services if s in ("ExeMgr", "StorageManager"))

    @property
    def revisions(self) -> dict[str, int]:
        return {n.name: n.config.revision for n in self.nodes.values() if n.config and n.config.revision is not None}


def cs_cell(entry: dict[str, Any] | None) -> str:
    """`primary rw 6 procs`, `replica 3 procs`, `inactive`, `error` ...: one compact cell per node."""
    cs = (entry or {}).get("columnstore")
    if not isinstance(cs, dict):
        return "unreachable" if (entry or {}).get("columnstore_error") else ""
    role = "primary" if cs.get("primary") else "replica"
    mode = {"readwrite": " rw", "readonly": " ro"}.get(str(cs.get("cluster_mode")), "") if cs.get("primary") else ""
    procs = len(cs.get("services") or [])
    flags = ("" if cs.get("ready") is not False else ", not ready") + (
        ", inactive" if cs.get("active") is False else ""
    )
    return f"{role}{mode} {procs} procs{flags}"


class Client(Protocol):
    """What Awareness needs of a node's CMAPI client (backends.cmapi.CmapiClient; tests inject fakes)."""

    def ready(self) -> bool: ...

    def node_status(self) -> dict[str, Any]: ...

    def node_config(self) -> dict[str, Any]: ...

    def node_start(self) -> None: ...


ClientFactory = Callable[["CmapiEndpoint"], Client]


@dataclass
class Awareness:
    """How to reach every ColumnStore node's CMAPI, and the options that govern the checks."""

    endpoints: dict[str, CmapiEndpoint]  # MaxScale server name -> its CMAPI
    maxscale_primary: str | None = None
    failover: bool = True  # CMAPI's auto_failover as the admin says (cmapi_failover = false: off)
    settle: float = 10.0
    key_source: str = ""
    factory: ClientFactory | None = None
    last_view: CsView | None = None  # the view the checks before the change judged
    trace: Callable[[str], None] | None = None  # --verbose: each CMAPI request (never the key)
    in_maintenance: list[str] = field(default_factory=list)  # the nodes MaxScale has in maintenance

    def client(self, name: str) -> Client:
        if self.factory is not None:
            return self.factory(self.endpoints[name])
        from .backends.cmapi import CmapiClient

        return CmapiClient(self.endpoints[name], trace=self.trace)

    def read(self) -> CsView:
        """Every node's readiness, status and config, in parallel (each bounded by the client's timeout)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, len(self.endpoints))) as pool:
            nodes = list(pool.map(self._node, self.endpoints))
        view = CsView({n.name: n for n in nodes}, maxscale_primary=self.maxscale_primary)
        configs = [n.config for n in nodes if n.config is not None and n.config.revision is not None]
        view.config = max(configs, key=lambda c: c.revision or 0) if configs else None
        for n in nodes:
            if view.config is not None:
                n.active = view.config.is_active(n.name, n.address)
        return view

    def _node(self, name: str) -> CsNode:
        from .cs_config import parse_config

        ep = self.endpoints[name]
        node = CsNode(name, ep.address)
        client = self.client(name)
        try:
            node.ready = client.ready()
            node.status = client.node_status()
            node.config = parse_config(client.node_config())
        except McsctlError as exc:
            node.error = exc.message
        return node

    def start(self, name: str) -> None:
        self.client(name).node_start()


def awareness(
    settings: Settings,
    servers: list[Server],
    monitors: list[Monitor],
    factory: ClientFactory | None = None,
    trace: Callable[[str], None] | None = None,
) -> Awareness | None:
    """The Awareness for these servers, or None when ColumnStore is off or no key is known (never guessed)."""
    if not settings.columnstore:
        return None
    key, source, monitor = cmapi_key(settings, monitors)
    if not key:
        return None
    from .backends.cmapi import CmapiEndpoint

    admin = monitor.cs_admin if monitor is not None else None
    members = set(monitor.servers) if monitor is not None else {s.name for s in servers}
    endpoints = {
        s.name: CmapiEndpoint(
            node=s.name,
            address=s.address,
            port=settings.cmapi_port or (admin.port if admin else 8640),
            base_path=admin.base_path if admin else "/cmapi/0.4.0",
            key=key,
            ca_cert=settings.cmapi_ca_cert,
            timeout=settings.timeout,
        )
        for s in servers
        if s.name in members and s.address
    }
    primary = next((s.name for s in servers if s.is_primary and s.name in members), None)
    if primary is None and monitor is not None:
        primary = monitor.primary
    cs = Awareness(endpoints, primary, settings.cmapi_failover, settings.cs_settle, source, factory)
    cs.trace = trace
    cs.in_maintenance = [s.name for s in servers if s.name in endpoints and s.in_maintenance]
    return cs
