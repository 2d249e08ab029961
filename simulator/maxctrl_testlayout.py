"""A made-up `list servers` layout, for tests of mcsctl's fallback only: NOT the output of any real maxctrl.

MaxScale 25.10 changes `list servers` (State words Write/Read/Up/Down with the reason in a column of its own,
MXS-5015), but no sample of its output was found (golden/NEWER-RELEASES.md), so nothing here models its bytes.
This layout only has what mcsctl must survive without parsing it: a header row in --tsv, an extra column, and
State words without Running. Chosen with MAXCTRL_SIM_VERSION=test-newer (claims 25.99.0) or test-header (24.02.4).
"""

from __future__ import annotations

from simulator.maxctrl_js import js_string
from simulator.maxctrl_views import get_path

HEADERS = ["Server", "Address", "Port", "Connections", "State", "Reason", "GTID", "Monitor"]
_WORDS = {"Master": ("Write", "Primary"), "Slave": ("Read", "Replica")}
_MARKS = ("Maintenance", "Draining", "Drained")


def _state_and_reason(state: str) -> tuple[str, str]:
    flags = [f.strip() for f in state.split(",")]
    word, reason = ("Down", "") if "Down" in flags else ("Up", "")
    for flag, pair in _WORDS.items():
        if flag in flags and "Down" not in flags:
            word, reason = pair
    return ", ".join([word, *(m for m in _MARKS if m in flags)]), reason


def list_servers_table(doc: dict) -> tuple[list[str], list[list[str]]]:
    rows = []
    for item in doc.get("data") or []:
        attrs = item.get("attributes") or {}
        params = attrs.get("parameters") or {}
        state, reason = _state_and_reason(str(attrs.get("state") or ""))
        row = [
            item.get("id"),
            params.get("address"),
            params.get("port"),
            get_path(attrs, "statistics.connections", ""),
            state,
            reason,
            attrs.get("gtid_current_pos") or "",
            get_path(item, "relationships.monitors.data[].id", ""),
        ]
        rows.append([js_string(c) for c in row])
    return list(HEADERS), rows
