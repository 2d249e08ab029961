"""Turn MaxScale JSON:API documents into the cells maxctrl prints (per release line)."""

from __future__ import annotations

from typing import Any

from simulator.maxctrl_format import list_servers_columns
from simulator.maxctrl_js import js_json, js_locale_datetime, js_string

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


def list_servers_table(doc: dict, version: str, with_details: bool) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of `list servers` for one GET /v1/servers document."""
    headers = list_servers_columns(version)
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
    ("Server", "id", 2),
    ("Source", "attributes.source.file", 6),
    ("Address", "attributes.parameters.address", 2),
    ("Port", "attributes.parameters.port", 2),
    ("State", "attributes.state", 2),
    ("Version", "attributes.version_string", 2),
    ("Uptime", "attributes.uptime", 22),
    ("Last Event", "attributes.last_event", 2),
    ("Triggered At", "attributes.triggered_at", 2),
    ("Services", "relationships.services.data[].id", 2),
    ("Monitors", "relationships.monitors.data[].id", 2),
    ("Master ID", "attributes.master_id", 2),
    ("Node ID", "attributes.node_id", 2),
    ("Slave Server IDs", "attributes.slaves", 2),
    ("Current Connections", "attributes.statistics.connections", 2),
    ("Total Connections", "attributes.statistics.total_connections", 2),
    ("Max Connections", "attributes.statistics.max_connections", 2),
    ("Statistics", "attributes.statistics", 2),
    ("Parameters", "attributes.parameters", 2),
]


def show_server_pairs(data: dict, major: int, with_details: bool, tsv: bool) -> list[list[str]]:
    """Key/value rows of `show server` (arrays: one per line, or ", " in --tsv)."""
    data = dict(data)
    attrs = dict(data.get("attributes") or {})
    attrs["state"] = _state(attrs, with_details)
    data["attributes"] = attrs
    rows = []
    for name, path, since in _SHOW_SERVER_FIELDS:
        if major < since:
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


def list_sessions_table(doc: dict, major: int) -> tuple[list[str], list[list[str]]]:
    """`list sessions`; Memory and I/O-Activity columns on 22.08+ (UNCONFIRMED before 24.02)."""
    headers = ["Id", "User", "Host", "Connected", "Idle", "Service"]
    wide = major >= 22
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
    "list_servers_table",
    "show_server_pairs",
    "list_monitors_table",
    "list_sessions_table",
]
