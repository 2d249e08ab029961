"""Scenario files: the JSON that describes a simulated cluster, its MaxScale(s) and their sessions.

Every key is optional; the defaults are the topology captured from a real MaxScale 24.02.4
(see simulator/README.md): mcs1 (primary) .. mcs3 on 127.0.0.1:3311-3313, monitor `MariaDB-Monitor`,
service `RW-Split-Router`. `load_scenario()` validates and fills defaults; a bad scenario raises
`ScenarioError` with a one-line message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .releases import release_line

PROFILES = ("24.02", "legacy")
ROLES = ("master", "slave", "relay", None)
DEFAULT_VERSION = "24.02.4"
DEFAULT_VERSION_STRING = "10.11.19-MariaDB-0+deb12u1-log"
MAX_NAME = 256
_BAD_NAME = re.compile(r"[\s/?#%\\]|^@@")
_VERSION = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,4})$")
_GTID = re.compile(r"^\d+-\d+-\d+(,\d+-\d+-\d+)*$")


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; str() is a one-line message naming the bad key."""


@dataclass
class MonitorSpec:
    name: str
    module: str = "mariadbmon"
    state: str = "Running"  # "Running" | "Stopped"
    monitor_interval: int = 1000  # milliseconds


@dataclass
class ServiceSpec:
    name: str
    router: str = "readwritesplit"
    listener: str | None = None
    listener_port: int = 4006


@dataclass
class ServerSpec:
    name: str
    address: str | None = "127.0.0.1"
    port: int | None = 3306
    socket: str | None = None
    monitor: str | None = None
    services: list[str] = field(default_factory=list)
    role: str | None = "slave"
    running: bool = True
    maintenance: bool = False
    drain: bool = False
    auth_error: bool = False
    state_details: str = ""
    gtid: str | None = None
    server_id: int = 1
    version_string: str = DEFAULT_VERSION_STRING
    using_gtid: str = "Slave_Pos"


@dataclass
class SessionSpec:
    count: int = 1
    servers: list[str] | None = None  # None: connect like readwritesplit (primary + routable replicas)
    user: str = "app"
    remote: str = "127.0.0.1"
    service: str | None = None
    in_transaction: bool = False


@dataclass
class Scenario:
    profile: str = "24.02"
    version: str = DEFAULT_VERSION
    users: dict[str, str] = field(default_factory=lambda: {"admin": "mariadb"})
    monitors: list[MonitorSpec] = field(default_factory=list)
    services: list[ServiceSpec] = field(default_factory=list)
    servers: list[ServerSpec] = field(default_factory=list)
    sessions: list[SessionSpec] = field(default_factory=list)
    config_sync_cluster: str | None = None  # 22.08+: the monitor whose servers hold the shared configuration
    columnstore: Any = None  # a cmapi_spec.CsSpec when the scenario has a `columnstore` section
    source: dict = field(default_factory=dict)  # the dict it was loaded from (for /sim/reset)

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        m = _VERSION.match(self.version)
        assert m
        return int(m[1]), int(m[2]), int(m[3])


# --- helpers -------------------------------------------------------------------------------------


def _fail(where: str, msg: str) -> None:
    raise ScenarioError(f"scenario: {where}: {msg}")


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        _fail(where, "must be a non-empty string")
    if len(value) > MAX_NAME:
        _fail(where, f"longer than {MAX_NAME} characters")
    if _BAD_NAME.search(value) or not value.isprintable():
        _fail(where, f"{value!r} is not a usable name (no whitespace, / ? # % \\, or leading @@)")
    return value


def _typed(d: dict, key: str, types: tuple, default: Any, where: str) -> Any:
    if key not in d:
        return default
    value = d[key]
    if bool not in types and isinstance(value, bool):
        _fail(f"{where}.{key}", f"must be {'/'.join(t.__name__ for t in types)}, not a boolean")
    if not isinstance(value, types):
        names = "/".join("null" if t is type(None) else t.__name__ for t in types)
        _fail(f"{where}.{key}", f"must be {names}, got {json.dumps(value)[:60]}")
    return value


def _check_keys(d: Any, allowed: set[str], where: str) -> dict:
    if not isinstance(d, dict):
        _fail(where, "must be a JSON object")
    unknown = sorted(set(d) - allowed)
    if unknown:
        _fail(where, f"unknown key(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(sorted(allowed))}")
    return d


def _port(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536:
        _fail(where, "must be a port number 1-65535 or null")
    return value


# --- the loader ----------------------------------------------------------------------------------


def default_scenario_path() -> Path:
    return Path(str(resources.files("simulator") / "scenarios" / "default.json"))


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped in simulator/scenarios/ (the golden datasets and `default`)."""
    return sorted(p.stem for p in default_scenario_path().parent.glob("*.json"))


def load_scenario(source: str | Path | dict | Scenario | None = None) -> Scenario:
    """Load and validate a scenario from a dict, a JSON file path, a bundled scenario name
    (`cluster3`, `variants`, ... see bundled_scenarios()), or None (the default topology)."""
    if isinstance(source, Scenario):
        return source
    if source is None:
        source = {}
    named = isinstance(source, str) and re.fullmatch(r"[A-Za-z0-9_-]+", source) and not Path(source).exists()
    if named and source in bundled_scenarios():
        source = default_scenario_path().parent / f"{source}.json"
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"scenario: cannot read {path}: {exc.strerror or exc}") from None
        try:
            source = json.loads(text)
        except ValueError as exc:
            raise ScenarioError(f"scenario: {path} is not valid JSON: {exc}") from None
    return _from_dict(source)


_TOP = {
    "profile",
    "version",
    "users",
    "monitors",
    "services",
    "servers",
    "sessions",
    "comment",
    "name",
    "config_sync_cluster",
    "columnstore",
}
_MON = {"name", "module", "state", "monitor_interval"}
_SVC = {"name", "router", "listener", "listener_port"}
_SRV = {
    "name",
    "address",
    "port",
    "socket",
    "monitor",
    "services",
    "role",
    "running",
    "maintenance",
    "drain",
    "auth_error",
    "state_details",
    "gtid",
    "server_id",
    "version_string",
    "using_gtid",
}
_SES = {"count", "servers", "user", "remote", "service", "in_transaction"}


def _from_dict(d: Any) -> Scenario:
    _check_keys(d, _TOP, "top level")
    sc = Scenario(source=json.loads(json.dumps(d)))
    _top_level(d, sc)
    _monitors(d, sc)
    _services(d, sc)
    servers = d["servers"] if "servers" in d else _default_servers()
    if not isinstance(servers, list):
        _fail("servers", "must be a list")
    explicit_roles = any(isinstance(s, dict) and "role" in s for s in servers)
    for i, s in enumerate(servers):
        sc.servers.append(_server(s, i, sc, explicit_roles))
    _cross_check(sc)
    _sessions(d, sc)
    if d.get("columnstore") is not None:
        from .cmapi_spec import CsSpecError, parse_columnstore

        try:
            sc.columnstore = parse_columnstore(d["columnstore"], sc.servers)
        except CsSpecError as exc:
            raise ScenarioError(str(exc)) from None
    return sc


def _top_level(d: dict, sc: Scenario) -> None:
    """profile, version, config_sync_cluster, users."""
    sc.profile = _typed(d, "profile", (str,), "24.02", "scenario")
    if sc.profile not in PROFILES:
        _fail("profile", f"{sc.profile!r} is not one of {', '.join(PROFILES)}")
    sc.version = _typed(d, "version", (str,), DEFAULT_VERSION, "scenario")
    if not _VERSION.match(sc.version):
        _fail("version", f"{sc.version!r} is not a MaxScale version like 24.02.4")
    sync = d.get("config_sync_cluster")
    if sync is not None:
        if not isinstance(sync, str) or not sync:
            _fail("config_sync_cluster", "must be the name of a monitor")
        if not release_line(sc.version_tuple).config_sync:
            _fail("config_sync_cluster", "configuration synchronization exists from MaxScale 22.08 on")
        sc.config_sync_cluster = sync
    users = _typed(d, "users", (dict,), {"admin": "mariadb"}, "scenario")
    for user, pw in users.items():
        if not user or not isinstance(pw, str):
            _fail("users", "must map user names to password strings")
    sc.users = dict(users)


def _monitors(d: dict, sc: Scenario) -> None:
    if "monitors" in d:
        mons = _typed(d, "monitors", (list,), [], "scenario")
    else:
        mons = [{"name": "MariaDB-Monitor"}]
    for i, m in enumerate(mons):
        where = f"monitors[{i}]"
        _check_keys(m, _MON, where)
        spec = MonitorSpec(name=_name(m.get("name"), f"{where}.name"))
        spec.module = _typed(m, "module", (str,), "mariadbmon", where)
        spec.state = _typed(m, "state", (str,), "Running", where).capitalize()
        if spec.state not in ("Running", "Stopped"):
            _fail(f"{where}.state", "must be Running or Stopped")
        spec.monitor_interval = _typed(m, "monitor_interval", (int,), 1000, where)
        if not 10 <= spec.monitor_interval <= 3_600_000:
            _fail(f"{where}.monitor_interval", "must be 10-3600000 milliseconds")
        sc.monitors.append(spec)


def _services(d: dict, sc: Scenario) -> None:
    if "services" in d:
        svcs = _typed(d, "services", (list,), [], "scenario")
    else:
        svcs = [{"name": "RW-Split-Router", "listener": "RW-Split-Listener"}]
    for i, s in enumerate(svcs):
        where = f"services[{i}]"
        _check_keys(s, _SVC, where)
        spec = ServiceSpec(name=_name(s.get("name"), f"{where}.name"))
        spec.router = _typed(s, "router", (str,), "readwritesplit", where)
        spec.listener = _typed(s, "listener", (str, type(None)), f"{spec.name}-Listener", where)
        spec.listener_port = _port(_typed(s, "listener_port", (int,), 4006, where), f"{where}.listener_port")
        sc.services.append(spec)


def _sessions(d: dict, sc: Scenario) -> None:
    for i, s in enumerate(_typed(d, "sessions", (list,), [], "scenario")):
        where = f"sessions[{i}]"
        _check_keys(s, _SES, where)
        spec = SessionSpec()
        spec.count = _typed(s, "count", (int,), 1, where)
        if not 0 <= spec.count <= 100_000:
            _fail(f"{where}.count", "must be 0-100000")
        srv = _typed(s, "servers", (list, type(None)), None, where)
        if srv is not None:
            known = {x.name for x in sc.servers}
            for n in srv:
                if n not in known:
                    _fail(f"{where}.servers", f"unknown server {n!r}")
            spec.servers = list(dict.fromkeys(srv))
        spec.user = _typed(s, "user", (str,), "app", where)
        spec.remote = _typed(s, "remote", (str,), "127.0.0.1", where)
        spec.service = _typed(s, "service", (str, type(None)), None, where)
        if spec.service is not None and spec.service not in {x.name for x in sc.services}:
            _fail(f"{where}.service", f"unknown service {spec.service!r}")
        spec.in_transaction = _typed(s, "in_transaction", (bool,), False, where)
        sc.sessions.append(spec)


def _default_servers() -> list[dict]:
    return [
        {
            "name": f"mcs{i}",
            "port": 3310 + i,
            "role": "master" if i == 1 else "slave",
            "server_id": i,
            "using_gtid": "Current_Pos" if i == 2 else "Slave_Pos",
        }
        for i in (1, 2, 3)
    ]


def _server(s: Any, i: int, sc: Scenario, explicit_roles: bool) -> ServerSpec:
    where = f"servers[{i}]"
    _check_keys(s, _SRV, where)
    spec = ServerSpec(name=_name(s.get("name"), f"{where}.name"))
    spec.socket = _typed(s, "socket", (str, type(None)), None, where)
    default_addr = None if spec.socket else "127.0.0.1"
    default_port = None if spec.socket else 3306
    spec.address = _typed(s, "address", (str, type(None)), default_addr, where)
    spec.port = _port(_typed(s, "port", (int, type(None)), default_port, where), f"{where}.port")
    if spec.address is None and spec.socket is None:
        _fail(where, "needs an address or a socket")
    first_monitor = sc.monitors[0].name if sc.monitors else None
    spec.monitor = _typed(s, "monitor", (str, type(None)), first_monitor, where)
    spec.services = list(_typed(s, "services", (list,), [x.name for x in sc.services], where))
    default_role = ("master" if i == 0 else "slave") if not explicit_roles else "slave"
    spec.role = _typed(s, "role", (str, type(None)), default_role, where)
    if spec.role not in ROLES:
        _fail(f"{where}.role", "must be master, slave, relay or null")
    for key in ("running", "maintenance", "drain", "auth_error"):
        setattr(spec, key, _typed(s, key, (bool,), getattr(spec, key), where))
    spec.state_details = _typed(s, "state_details", (str,), "", where)
    spec.gtid = _typed(s, "gtid", (str, type(None)), "", where)  # "" = not given: filled in later
    if spec.gtid and not _GTID.match(spec.gtid):
        _fail(f"{where}.gtid", f"{spec.gtid!r} is not a GTID list like 0-1-16")
    spec.server_id = _typed(s, "server_id", (int,), i + 1, where)
    spec.version_string = _typed(s, "version_string", (str,), DEFAULT_VERSION_STRING, where)
    spec.using_gtid = _typed(s, "using_gtid", (str,), "Slave_Pos", where)
    return spec


def _cross_check(sc: Scenario) -> None:
    names = [s.name for s in sc.servers]
    for kind, items in (
        ("server", names),
        ("monitor", [m.name for m in sc.monitors]),
        ("service", [s.name for s in sc.services]),
    ):
        dup = sorted({n for n in items if items.count(n) > 1})
        if dup:
            _fail(f"{kind}s", f"duplicate name(s) {', '.join(dup)}")
    monitors = {m.name for m in sc.monitors}
    services = {s.name for s in sc.services}
    for s in sc.servers:
        if s.monitor is not None and s.monitor not in monitors:
            _fail(f"server {s.name}", f"unknown monitor {s.monitor!r}")
        for svc in s.services:
            if svc not in services:
                _fail(f"server {s.name}", f"unknown service {svc!r}")
    masters = [s.name for s in sc.servers if s.role == "master"]
    if len(masters) > 1:
        _fail("servers", f"more than one primary (role master): {', '.join(masters)}")
    primary = next((s for s in sc.servers if s.role == "master"), None)
    fallback = primary.gtid if primary and primary.gtid else f"0-{primary.server_id if primary else 1}-16"
    for s in sc.servers:
        if s.gtid == "":
            s.gtid = fallback
