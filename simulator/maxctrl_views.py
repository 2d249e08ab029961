"""Turn MaxScale JSON:API documents into the cells maxctrl prints (per release line)."""

from __future__ import annotations

from typing import Any

from simulator.maxctrl_js import js_json, js_locale_datetime, js_string
from simulator.maxctrl_versions import Profile

_MISSING = object()


def get_path(doc: Any, path: str, default: Any = None) -> Any:
    """lodash-getpath: dotted path; `name[]` maps the rest of the path over an array."""
    parts = path.split(".")
    return _walk(doc, parts, default)


def _walk(node: Any, parts: list[str], default: Any) -> Any:
    for i, part in enumerate(parts):
        if part.endswith("[]"):
            key = part[:-2]
            arr = _step(node, key) if key else node
            if not isinstance(arr, list):
                return default
            rest = parts[i + 1 :]
            out = [_walk(item, rest, _MISSING) if rest else item for item in arr]
            return [v for v in out if v is not _MISSING]
        node = _step(node, part)
        if node is _MISSING:
            return default
    return node


def _step(node: Any, key: str) -> Any:
    if isinstance(node, dict):
        return node.get(key, _MISSING)
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    return _MISSING


def _cell(value: Any) -> str:
    return js_string(value)


def _state(attrs: dict, with_details: bool) -> Any:
    state = attrs.get("state")
    details = attrs.get("state_details")
    if with_details and details:
        return f"{js_string(state)}, {js_string(details)}"
    return state


_BASE_COLUMNS = ["Server", "Address", "Port", "Connections", "State", "GTID"]


def list_servers_columns(profile: Profile) -> list[str]:
    """`list servers` headers for a maxctrl release line."""
    return _BASE_COLUMNS + (["Monitor"] if profile.monitor_column else [])


def list_servers_table(doc: dict, profile: Profile) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of `list servers` for one GET /v1/servers document."""
    headers = list_servers_columns(profile)
    with_details = profile.state_details
    rows = []
    for item in doc.get("data") or []:
        attrs = item.get("attributes") or {}
        params = attrs.get("parameters") or {}
        address, port = params.get("address"), params.get("port")
        if not address and params.get("socket"):
            address, port = params.get("socket"), ""
        row = [
            item.get("id"),
            address,
            port,
            get_path(attrs, "statistics.connections", ""),
            _state(attrs, with_details),
            attrs.get("gtid_current_pos") or "",
        ]
        if "Monitor" in headers:
            row.append(get_path(item, "relationships.monitors.data[].id", ""))
        rows.append([_cell(c) for c in row])
    return headers, rows


# (name, path, first release line that shows it)
_SHOW_SERVER_FIELDS = [
    ("Server", "id", False),
    ("Source", "attributes.source.file", 6),
    ("Address", "attributes.parameters.address", False),
    ("Port", "attributes.parameters.port", False),
    ("State", "attributes.state", False),
    ("Version", "attributes.version_string", False),
    ("Uptime", "attributes.uptime", 22),
    ("Last Event", "attributes.last_event", False),
    ("Triggered At", "attributes.triggered_at", False),
    ("Services", "relationships.services.data[].id", False),
    ("Monitors", "relationships.monitors.data[].id", False),
    ("Master ID", "attributes.master_id", False),
    ("Node ID", "attributes.node_id", False),
    ("Slave Server IDs", "attributes.slaves", False),
    ("Current Connections", "attributes.statistics.connections", False),
    ("Total Connections", "attributes.statistics.total_connections", False),
    ("Max Connections", "attributes.statistics.max_connections", False),
    ("Statistics", "attributes.statistics", False),
    ("Parameters", "attributes.parameters", False),
]


def show_server_pairs(data: dict, profile: Profile, tsv: bool) -> list[list[str]]:
    """Key/value rows of `show server` (arrays: one per line, or ", " in --tsv)."""
    data = dict(data)
    attrs = dict(data.get("attributes") or {})
    attrs["state"] = _state(attrs, profile.state_details)
    data["attributes"] = attrs
    rows = []
    for name, path, optional in _SHOW_SERVER_FIELDS:
        if optional and name not in profile.show_server_extra:
            continue
        value = get_path(data, path, "")
        if isinstance(value, list) and not (value and isinstance(value[0], (dict, list))):
            value = (", " if tsv else "\n").join(js_string(v) for v in value)
        elif isinstance(value, (dict, list)):
            value = js_json(value, indent=4)
        rows.append([name, _cell(value)])
    return rows


def list_monitors_table(doc: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["Monitor", "State", "Servers"]
    rows = [
        [
            _cell(item.get("id")),
            _cell(get_path(item, "attributes.state", "")),
            _cell(get_path(item, "relationships.servers.data[].id", "")),
        ]
        for item in doc.get("data") or []
    ]
    return headers, rows


def list_sessions_table(doc: dict, profile: Profile) -> tuple[list[str], list[list[str]]]:
    """`list sessions`; Memory and I/O-Activity columns where the release line has them."""
    headers = ["Id", "User", "Host", "Connected", "Idle", "Service"]
    wide = profile.session_io_columns
    if wide:
        headers += ["Memory", "I/O-Activity"]
    rows = []
    for item in doc.get("data") or []:
        attrs = item.get("attributes") or {}
        connected = attrs.get("connected")
        row = [
            item.get("id"),
            attrs.get("user"),
            attrs.get("remote"),
            js_locale_datetime(connected) if connected else "",
            attrs.get("idle"),
            get_path(item, "relationships.services.data[].id", ""),
        ]
        if wide:
            row += [get_path(attrs, "memory.total", ""), attrs.get("io_activity")]
        rows.append([_cell(c) for c in row])
    return headers, rows


__all__ = [
    "get_path",
    "list_servers_columns",
    "list_servers_table",
    "show_server_pairs",
    "list_monitors_table",
    "list_sessions_table",
]
