"""The `columnstore` section of a scenario: which servers are ColumnStore nodes and how their CMAPI starts.

`enable_columnstore()` turns any scenario into a ColumnStore one (every server a node, addresses
127.0.0.11, .12, ... in server order); `parse_columnstore()` validates the section. The model
(simulator/cmapi_model.py) is built from the `CsSpec` it returns. Facts: ../shared/columnstore-reference.md.
"""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field
from typing import Any

BASE_PATH = "/cmapi/0.4.0"
DEFAULT_PORT = 8640
FIRST_ADDRESS = 11  # 127.0.0.11 is the first node
MAX_NODES = 200
VERSIONS = ("6.4", "23.10", "25.x")
STORAGES = ("local", "shared", "s3")
NODE_NAMES = ("address", "name")
# ColumnStore's programs in CMAPI's start order (its ALL_MCS_PROGS; reference §3)
START_ORDER = (
    "StorageManager",
    "workernode",
    "controllernode",
    "PrimProc",
    "ExeMgr",
    "WriteEngineServer",
    "DMLProc",
    "DDLProc",
)
_TOP = {
    "port",
    "key",
    "failover",
    "tick",
    "version",
    "storage",
    "primary",
    "cluster_mode",
    "node_names",
    "monitor_key",
    "cluster_name",
    "blackhole_seconds",
    "tls",
    "nodes",
    "comment",
}
_NODE = {"services", "cmapi", "host", "auto_failover", "key", "active", "maintenance"}
UNSET: Any = object()


class CsSpecError(ValueError):
    """A bad `columnstore` section; str() is one line."""


@dataclass
class NodeSpec:
    name: str  # the MaxScale server name
    address: str
    services: list[str] | None = None  # None: the full role set is running
    cmapi: bool = True  # CMAPI is up and ready
    host: bool = True  # the host is powered on
    auto_failover: bool | None = None  # None: the section's `failover`
    key: Any = UNSET  # unset: the section's key; None: no key configured (the first keyed request sets it)
    active: bool = True
    maintenance: bool = False


@dataclass
class CsSpec:
    key: str
    port: int = DEFAULT_PORT
    failover: bool = True
    tick: float = 1.0
    version: str = "25.x"
    storage: str = "local"
    primary: str | None = None  # a server name; None: MaxScale's primary (role master), else the first
    cluster_mode: str = "readwrite"
    node_names: str = "address"  # what ActiveNodes holds: the node's address, or its server name
    monitor_key: bool = True  # the monitor's cs_admin_api_key is set (to `key`)
    cluster_name: str = "MyCluster"
    blackhole_seconds: float = 127.0  # how long a request to a black-holed host hangs (the OS connect timeout)
    tls: str = "self-signed"  # or "ca": a test CA signs one certificate per node (its IP as subjectAltName)
    nodes: list[NodeSpec] = field(default_factory=list)

    def monitor_parameters(self) -> dict:
        """The mariadbmon parameters MaxScale shows for this set-up (cs_admin_api_key is a plain string
        parameter: shown in clear text when set, null when not)."""
        return {
            "cs_admin_api_key": self.key if self.monitor_key else None,
            "cs_admin_base_path": BASE_PATH,
            "cs_admin_port": self.port,
        }


def new_key() -> str:
    """A fresh random API key (what `--cmapi-key` defaults to)."""
    return secrets.token_hex(16)


def node_address(index: int) -> str:
    return f"127.0.0.{FIRST_ADDRESS + index}"


def enable_columnstore(source: dict, options: dict | None = None) -> dict:
    """A copy of the scenario dict with every server a ColumnStore node at 127.0.0.11, .12, ...
    and `options` (port, key, failover, tick, ... as in the section) merged into its `columnstore` section."""
    from .scenario import _default_servers

    doc = copy.deepcopy(source or {})
    servers = doc.get("servers")
    if servers is None:
        servers = doc["servers"] = _default_servers()
    if not isinstance(servers, list):
        return doc  # the scenario loader reports it
    if len(servers) > MAX_NODES:
        raise CsSpecError(f"columnstore: at most {MAX_NODES} nodes, the scenario has {len(servers)} servers")
    for i, s in enumerate(servers):
        if isinstance(s, dict):
            s["address"] = node_address(i)
            s.pop("socket", None)
    section = dict(doc.get("columnstore") or {})
    section.update({k: v for k, v in (options or {}).items() if v is not None})
    section.setdefault("key", new_key())
    doc["columnstore"] = section
    return doc


def _fail(where: str, msg: str) -> None:
    raise CsSpecError(f"scenario: columnstore{where}: {msg}")


def _get(d: dict, key: str, types: tuple, default: Any, where: str = "") -> Any:
    if key not in d:
        return default
    value = d[key]
    if (bool not in types and isinstance(value, bool)) or not isinstance(value, types):
        names = "/".join("null" if t is type(None) else t.__name__ for t in types)
        _fail(f"{where}.{key}", f"must be {names}")
    return value


def _choice(d: dict, key: str, choices: tuple, default: str) -> str:
    value = _get(d, key, (str,), default)
    if value not in choices:
        _fail(f".{key}", f"{value!r} is not one of {', '.join(choices)}")
    return str(value)


def parse_columnstore(d: Any, servers: list) -> CsSpec:
    """Validate a `columnstore` section against the scenario's servers (ServerSpec list)."""
    if not isinstance(d, dict):
        _fail("", "must be a JSON object")
    unknown = sorted(set(d) - _TOP)
    if unknown:
        _fail("", f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(_TOP))}")
    key = _get(d, "key", (str,), None) if "key" in d else new_key()
    if not key:
        _fail(".key", "must be a non-empty string")
    spec = CsSpec(key=key)
    spec.port = _get(d, "port", (int,), DEFAULT_PORT)
    if not 0 < spec.port < 65536:
        _fail(".port", "must be a port number 1-65535")
    spec.failover = _get(d, "failover", (bool,), True)
    spec.tick = float(_get(d, "tick", (int, float), 1.0))
    if not 0 < spec.tick <= 100:
        _fail(".tick", "must be a number of seconds above 0 (at most 100)")
    spec.version = _choice(d, "version", VERSIONS, "25.x")
    spec.storage = _choice(d, "storage", STORAGES, "local")
    spec.cluster_mode = _choice(d, "cluster_mode", ("readwrite", "readonly"), "readwrite")
    spec.node_names = _choice(d, "node_names", NODE_NAMES, "address")
    spec.monitor_key = _get(d, "monitor_key", (bool,), True)
    spec.cluster_name = _get(d, "cluster_name", (str,), "MyCluster")
    spec.tls = _choice(d, "tls", ("self-signed", "ca"), "self-signed")
    spec.blackhole_seconds = float(_get(d, "blackhole_seconds", (int, float), 127.0))
    if not 0 <= spec.blackhole_seconds <= 3600:
        _fail(".blackhole_seconds", "must be 0-3600 seconds")
    names = [s.name for s in servers]
    if not names:
        _fail("", "needs at least one server")
    if len(names) > MAX_NODES:
        _fail("", f"at most {MAX_NODES} nodes")
    spec.primary = _get(d, "primary", (str, type(None)), None)
    if spec.primary is not None and spec.primary not in names:
        _fail(".primary", f"unknown server {spec.primary!r}")
    nodes = _get(d, "nodes", (dict,), {})
    for n in sorted(set(nodes) - set(names)):
        _fail(".nodes", f"unknown server {n!r}")
    for s in servers:
        spec.nodes.append(_node(s, nodes.get(s.name, {})))
    return spec


def _node(server: Any, d: Any, where: str = "") -> NodeSpec:
    where = f".nodes.{server.name}"
    if not isinstance(d, dict):
        _fail(where, "must be a JSON object")
    unknown = sorted(set(d) - _NODE)
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(_NODE))}")
    if not server.address:
        _fail(where, "a ColumnStore node needs an address")
    node = NodeSpec(name=server.name, address=server.address)
    services = _get(d, "services", (list, type(None)), None, where)
    if services is not None and not all(isinstance(x, str) and x in START_ORDER for x in services):
        _fail(f"{where}.services", f"must be a list of ColumnStore programs ({', '.join(START_ORDER)})")
    node.services = None if services is None else list(services)
    node.cmapi = _get(d, "cmapi", (bool,), True, where)
    node.host = _get(d, "host", (bool,), True, where)
    node.auto_failover = _get(d, "auto_failover", (bool, type(None)), None, where)
    if "key" in d:
        node.key = _get(d, "key", (str, type(None)), None, where)
    node.active = _get(d, "active", (bool,), True, where)
    node.maintenance = _get(d, "maintenance", (bool,), False, where)
    return node
