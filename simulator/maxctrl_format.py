"""maxctrl's text output: cli-table box tables and --tsv text (the same in every release line)."""

from __future__ import annotations

import re

__all__ = ["box_table", "tsv_table", "js_len"]


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
