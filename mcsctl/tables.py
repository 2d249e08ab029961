"""maxctrl's text output -> rows and Servers: cli-table box tables and `--tsv` text. Pure; no I/O.

Both parsers are strict: output that does not have the exact expected shape raises BadOutput
(never a guess), while columns are found by header name, so new or missing columns are tolerated.
"""

from __future__ import annotations

from .backends.documents import check_server
from .errors import BadOutput
from .model import Server, split_state

# `list servers` columns by release line (docs/maxscale-facts.md: list-servers-columns): no header row in --tsv,
# so the column count tells the layout apart.
TSV_COLUMNS = {
    6: ("Server", "Address", "Port", "Connections", "State", "GTID"),  # 2.5 – 22.08.1
    7: ("Server", "Address", "Port", "Connections", "State", "GTID", "Monitor"),  # 22.08.2+
}


class UnknownLayout(BadOutput):
    """`list servers` output of a layout mcsctl does not know (a header row in --tsv, another column count, State
    words without Running/Down): not parsed; the maxctrl backend reads the servers as JSON instead."""


_V = "│"
_H = "─"


def _units(ch: str) -> int:
    """Width of one character as JavaScript's String.length counts it (UTF-16 code units)."""
    return 2 if ord(ch) > 0xFFFF else 1


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _border_widths(line: str, left: str, mid: str, right: str) -> list[int] | None:
    """Column widths (padding included) of a border line like `┌───┬──┐`, or None if it is not one."""
    if len(line) < 3 or line[0] != left or line[-1] != right:
        return None
    parts = line[1:-1].split(mid)
    if any(not p or p.strip(_H) for p in parts):
        return None
    return [len(p) for p in parts]


def _split_content(line: str, widths: list[int], lineno: int) -> list[str]:
    """Cut one `│ a │ b │` line at the boundaries the border gave (in JS units), never at every `│`."""
    if not line.startswith(_V):
        raise BadOutput(f"box table line {lineno} does not start with {_V!r}: {_short(line)}")
    cells: list[str] = []
    i = 1  # index into `line` (Python characters)
    for w in widths:
        start, used = i, 0
        while used < w and i < len(line):
            used += _units(line[i])
            i += 1
        if used != w or i >= len(line) or line[i] != _V:
            raise BadOutput(f"box table line {lineno} does not line up with the top border: {_short(line)}")
        cells.append(line[start:i])
        i += 1  # the `│`
    if i != len(line):
        raise BadOutput(f"box table line {lineno} is longer than the top border: {_short(line)}")
    return cells


def _cell_text(raw: str) -> str:
    # cli-table pads with exactly one space on the left and spaces on the right.
    if not raw.startswith(" "):
        raise BadOutput(f"box table cell without its padding space: {_short(raw)}")
    return raw[1:].rstrip(" ")


def parse_box_table(text: str) -> list[dict[str, str]]:
    """cli-table box output (header row first) -> one dict per data row, keyed by header text.

    Column boundaries come from the top border, so a `│` inside a cell is just text. A row that
    spans several lines (a multi-line cell) gives its cells' lines joined with "\\n".
    """
    if not isinstance(text, str) or not text.strip():
        raise BadOutput("expected a table, got no output")
    lines = text.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    widths = _border_widths(lines[0], "┌", "┬", "┐")
    if widths is None:
        raise BadOutput(f"expected a box table, first line is {_short(lines[0])}")
    if _border_widths(lines[-1], "└", "┴", "┘") != widths:
        raise BadOutput(f"box table is not closed by a matching bottom border: {_short(lines[-1])}")

    groups: list[list[list[str]]] = [[]]  # rows, each a list of physical lines (lists of cells)
    for lineno, line in enumerate(lines[1:-1], start=2):
        if line.startswith("├"):
            if _border_widths(line, "├", "┼", "┤") != widths or not groups[-1]:
                raise BadOutput(f"box table line {lineno} is not a matching row separator: {_short(line)}")
            groups.append([])
            continue
        groups[-1].append([_cell_text(c) for c in _split_content(line, widths, lineno)])
    if not groups[-1]:
        raise BadOutput("box table has an empty row (separator right before the bottom border)")

    def join(group: list[list[str]]) -> list[str]:
        return ["\n".join(line[i] for line in group).rstrip("\n") for i in range(len(widths))]

    header, *rows = (join(g) for g in groups)
    if any(not h for h in header) or len(set(header)) != len(header):
        raise BadOutput(f"box table header is empty or repeats a column: {header!r}")
    return [dict(zip(header, row, strict=False)) for row in rows]


def _int_cell(value: str, column: str, name: str) -> int | None:
    if value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        raise BadOutput(f"server {name!r}: {column} is not a number: {_short(value)}")
    return int(value)


def servers_from_rows(rows: list[dict[str, str]], host: str) -> list[Server]:
    """`list servers` rows (box or TSV, keyed by header) -> Servers. Needs the Server and State columns."""
    servers = []
    for row in rows:
        missing = [c for c in ("Server", "State") if c not in row]
        if missing:
            raise BadOutput(f"list servers output has no {' or '.join(missing)} column (columns: {', '.join(row)})")
        name = row["Server"]
        flags = split_state(row["State"])[0]
        if not flags or flags[-1] not in ("Running", "Down"):  # e.g. 25.10's Read/Write/Up (MXS-5015)
            raise UnknownLayout(f"server {name!r}: State {_short(row['State'])} has no Running or Down")
        check_server(name, row["State"], host)  # the same validation as a REST document's
        servers.append(
            Server.from_state_cell(
                row["State"],
                name=name,
                address=row.get("Address") or None,
                port=_int_cell(row.get("Port", ""), "Port", name),
                connections=_int_cell(row.get("Connections", ""), "Connections", name),
                gtid=row.get("GTID") or None,
                monitor=row.get("Monitor") or None,
                maxscale=host,
            )
        )
    return servers


def parse_tsv_rows(text: str) -> list[dict[str, str]]:
    """`list servers --tsv` text -> rows keyed by the release line's column names (6 or 7 columns)."""
    if text == "":
        return []  # maxctrl prints 0 bytes for no servers
    if not text.endswith("\n"):
        raise BadOutput("list servers --tsv output does not end with a newline (cut short?)")
    rows = []
    ncols = None
    for lineno, line in enumerate(text[:-1].split("\n"), start=1):
        cells = line.split("\t")
        if lineno == 1 and is_header_row(cells):
            raise UnknownLayout(f"list servers --tsv begins with a header row: {_short(line)}")
        if len(cells) not in TSV_COLUMNS:
            raise UnknownLayout(
                f"list servers --tsv line {lineno} has {len(cells)} columns, expected 6 or 7: {_short(line)}"
            )
        if ncols is not None and len(cells) != ncols:
            raise BadOutput(f"list servers --tsv lines have different column counts ({ncols} and {len(cells)})")
        ncols = len(cells)
        rows.append(dict(zip(TSV_COLUMNS[ncols], cells, strict=False)))
    return rows


def is_header_row(cells: list[str]) -> bool:
    """A --tsv line that names columns (Server and State among them), not a server: no cell is a state string."""
    if "Server" not in cells or "State" not in cells:
        return False
    return not any(split_state(c)[0][-1:] in (("Running",), ("Down",)) for c in cells)


def parse_servers_tsv(text: str, host: str) -> list[Server]:
    """`maxctrl list servers --tsv` -> Servers (no header row; empty output = no servers)."""
    return servers_from_rows(parse_tsv_rows(text), host)


def parse_servers_output(text: str, host: str) -> list[Server]:
    """`list servers` output in either form: a box table (starts with `┌`) or --tsv text."""
    first = text.split("\n", 1)[0]
    # A box table's first line is all border; a TSV row can start with `┌` too (a server may be named so).
    if first.startswith("┌") and first.endswith("┐") and set(first) <= set("┌─┬┐"):
        return servers_from_rows(parse_box_table(text), host)
    return parse_servers_tsv(text, host)
