"""maxctrl's text output: cli-table box tables, --tsv text and column sets per release line."""

from __future__ import annotations

import re

__all__ = ["box_table", "tsv_table", "list_servers_columns", "js_len"]


def js_len(text: str) -> int:
    """Length as JavaScript counts it (UTF-16 code units: astral characters count 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _border(left: str, mid: str, right: str, widths: list[int]) -> str:
    return left + mid.join("─" * w for w in widths) + right


def box_table(headers: list[str], rows: list[list[str]]) -> str:
    """Render a cli-table (default style) exactly as maxctrl prints it, final newline included.

    Cells may contain newlines (show server's JSON values): each line is padded separately.
    """
    table = [list(headers)] + [list(r) for r in rows]
    ncols = max((len(r) for r in table), default=0)
    table = [r + [""] * (ncols - len(r)) for r in table]
    split = [[str(c).split("\n") for c in r] for r in table]
    widths = [max(js_len(line) for r in split for line in r[i]) + 2 for i in range(ncols)]
    out = [_border("┌", "┬", "┐", widths)]
    for n, row in enumerate(split):
        if n:
            out.append(_border("├", "┼", "┤", widths))
        height = max(len(c) for c in row)
        for k in range(height):
            parts = []
            for i, cell in enumerate(row):
                line = cell[k] if k < len(cell) else ""
                parts.append(" " + line + " " * (widths[i] - 1 - js_len(line)))
            out.append("│" + "│".join(parts) + "│")
    out.append(_border("└", "┴", "┘", widths))
    return "\n".join(out) + "\n"


_WS = re.compile(r"\s+")


def tsv_cell(cell: str) -> str:
    """One --tsv cell: trimmed, inner whitespace runs (newlines too) collapsed to one space."""
    return _WS.sub(" ", str(cell).strip())


def tsv_table(rows: list[list[str]]) -> str:
    """maxctrl --tsv text: no header, TAB-joined cleaned cells, "\\n" per line; no rows -> ""."""
    return "".join("\t".join(tsv_cell(c) for c in r) + "\n" for r in rows)


_BASE_COLUMNS = ["Server", "Address", "Port", "Connections", "State", "GTID"]


def list_servers_columns(version: str) -> list[str]:
    """`list servers` headers for a maxctrl release line (Monitor column from 22.08.2 on)."""
    parts = [int(p) for p in re.findall(r"\d+", version)[:3]]
    parts += [0] * (3 - len(parts))
    major, minor, patch = parts
    with_monitor = (major, minor) > (22, 8) or ((major, minor) == (22, 8) and (patch >= 2 or version.count(".") == 1))
    return _BASE_COLUMNS + (["Monitor"] if with_monitor else [])
