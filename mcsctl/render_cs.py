"""How ColumnStore is shown: the CS column of `servers` and `mcsctl columnstore status` (table, json, tsv)."""

from __future__ import annotations

import json
import sys

from .render import safe, table, tsv

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .reports import ColumnStoreReport

STATUS_COLUMNS = ("Node", "Address", "CMAPI", "Role", "DBRM", "Mode", "Active", "Services", "Revision")


def _yes(v: object) -> str:
    return "yes" if v is True else "no" if v is False else ""


def _services(n: dict[str, Any]) -> str:
    if n.get("role") is None:
        return ""
    want = n.get("expected_services") or []
    have = len(want) - len(n.get("missing_services") or [])
    missing = n.get("missing_services") or []
    return f"{have}/{len(want)}" + (f" (missing {', '.join(missing)})" if missing else "")


def status_rows(report: ColumnStoreReport) -> list[list[str]]:
    rows = []
    for n in report.nodes:
        cmapi = "error" if n.get("error") else "ready" if n.get("ready") else "not ready"
        rev = n.get("config_revision")
        rows.append(
            [
                n["name"],
                n.get("address") or "",
                cmapi,
                n.get("role") or "",
                n.get("dbrm_mode") or "",
                n.get("cluster_mode") or "",
                _yes(n.get("active")),
                _services(n),
                "" if rev is None else str(rev),
            ]
        )
    return rows


def status_json(report: ColumnStoreReport) -> dict[str, Any]:
    return {
        "nodes": report.nodes,
        "columnstore_primary": report.columnstore_primary,
        "maxscale_primary": report.maxscale_primary,
        "primaries_match": report.primaries_match,
        "config_revision": report.config_revision,
        "active_nodes": report.active,
        "inactive_nodes": report.inactive,
        "desired_nodes": report.desired,
        "problems": report.problems,
    }


def status(report: ColumnStoreReport, fmt: str, out: Any = None) -> None:
    """`columnstore status`: the node table and the cluster lines (JSON: one object; TSV: the rows)."""
    dest = safe(out if out is not None else sys.stdout)
    if fmt == "json":
        dest.write(json.dumps(status_json(report), indent=2) + "\n")
        return
    if fmt == "tsv":
        dest.write(tsv(status_rows(report)))
        return
    dest.write(table(STATUS_COLUMNS, status_rows(report)))
    match = "they match" if report.primaries_match else "they differ"
    lines = [
        f"ColumnStore primary: {report.columnstore_primary or 'none'}; MaxScale primary: "
        f"{report.maxscale_primary or 'none'} ({match})",
        f"config revision: {'' if report.config_revision is None else report.config_revision}",
        f"active nodes: {', '.join(report.active) or 'none'}; inactive nodes: {', '.join(report.inactive) or 'none'}",
        "only the DBRM master's cluster mode is meaningful (the others report readonly by design)",
    ]
    lines += [f"problem: {p}" for p in report.problems]
    dest.write("".join(line + "\n" for line in lines))
