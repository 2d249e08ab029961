"""The `maintenance status` table (one row per server in something, its cleanup hints after it) and the
`rolling` node table (its last line after it)."""

from __future__ import annotations

from .noderow import HEADERS, rows_for_output
from .render import rows_out, when
from .reports import RollReport, StatusReport
from .ui import UI

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

STATUS_COLUMNS = [
    "Server",
    "State",
    "Action",
    "Hosts",
    "Since",
    "By",
    "Reason",
    "Expires",
    "Overdue",
    "Source",
    "Stale",
    "Change",
]


def status(report: StatusReport, fmt: str, ui: UI, server: str | None = None) -> None:
    """`maintenance status`: the rows (a table shows only servers in something), then the cleanup hints."""
    rows = report.rows
    if fmt != "json":
        rows = [r for r in rows if _in_something(r)]  # no blank row for a server that is in nothing
        if not rows:
            what = f"{server} is not" if server else "no server is"
            ui.info(f"{what} in maintenance or draining, and the journal has no open or unfinished record")
    if rows or fmt == "json":
        rows_out(STATUS_COLUMNS, rows if fmt == "json" else [_table_row(r, fmt == "table") for r in rows], fmt)
    for hint in report.hints:
        ui.info(f"hint: {hint}")


def roll(report: RollReport, fmt: str, ui: UI) -> None:
    """`rolling`: the node table when the roll ran (failed or not), then its last line."""
    if report.table:
        rows_out(HEADERS, rows_for_output(report.rows), fmt)
    if report.summary:
        ui.info(report.summary)


def _in_something(row: dict[str, Any]) -> bool:
    return bool(row["in_maintenance"] or row["draining"] or row["source"] or row["unfinished"])


def _table_row(r: dict[str, Any], human: bool) -> dict[str, Any]:
    """A status row as table/tsv show it: one state cell, the action; a table's times with their zone
    (TSV keeps epoch seconds, for scripts)."""
    state = ", ".join(w for w, on in (("maintenance", r["in_maintenance"]), ("draining", r["draining"])) if on)
    change = r["unfinished"]
    action = r["action"] or (change["action"] if change else None)
    at = when if human else (lambda t: t)
    return {
        **r,
        "state": state or "-",
        "action": action,
        "hosts": r["hosts"] or r["draining_hosts"],
        "since": at(r["since"] if r["since"] is not None else (change["since"] if change else None)),
        "expires": at(r["expires"]),
        "change": _change_cell(change),
    }


def _change_cell(change: dict[str, Any] | None) -> str | None:
    if change is None:
        return None
    where = f" on {change['host']}" if change["state"] == "unfinished" and change.get("host") else ""
    return f"{change['action']} {change['state']} (pid {change['pid']}{where})"
