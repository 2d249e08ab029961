"""The only module that prints: tables, JSON, TSV, progress, warnings, errors."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable

from .model import Server
from .ui import Prefixing

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any, TextIO, TypedDict

    from .outcome import Outcome

    class _Call(TypedDict):
        host: str | None
        call: str

    class _Step(TypedDict):
        """One step of a JSON plan (--dry-run --format json) and the exact calls it makes."""

        step: str
        calls: list[_Call]


FORMATS = ("table", "json", "tsv")
SERVER_COLUMNS = ("Server", "Address", "Port", "Connections", "State", "GTID", "Monitor", "MaxScale")

# C0 controls, DEL and C1 controls: a terminal would act on them (colours, cursor moves, titles).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` with every control character shown as an escape (ESC as \\x1b, newline as \\n), so
    names, states and error texts from outside cannot drive the terminal or forge lines."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class SafeStream:
    """A text stream whose writes never raise: on EIO, EPIPE or a closed stream (the terminal hung up,
    the reader went away) it stops writing and remembers that output was lost.

    The file descriptor is pointed at /dev/null then, so Python's own flush at exit cannot fail either.
    """

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.lost = stream is None  # no stream at all: started with that descriptor closed

    def write(self, text: str) -> int:
        if not self.lost and self.stream is not None:
            try:
                self.stream.write(text)
            except (OSError, ValueError) as exc:
                self._lose(exc)
        return len(text)

    def flush(self) -> None:
        if not self.lost and self.stream is not None:
            try:
                self.stream.flush()
            except (OSError, ValueError) as exc:
                self._lose(exc)

    def isatty(self) -> bool:
        try:
            return not self.lost and self.stream is not None and self.stream.isatty()
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, getvalue (a StringIO in tests), ...
        return getattr(self.stream, name)

    def _lose(self, exc: Exception) -> None:
        # EIO (hung-up terminal), EPIPE (reader gone), a closed file, a full disk: the text is lost either way.
        self.lost = True
        if self.stream is None:
            return
        try:
            fd = self.stream.fileno()
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, fd)
            os.close(null)
        except (OSError, ValueError, AttributeError):
            pass  # no descriptor (a StringIO) or already closed: nothing to redirect


_safe: dict[int, SafeStream] = {}


def safe(stream: TextIO | SafeStream | None) -> SafeStream:
    """The one SafeStream wrapping `stream`, shared so lost output is known once.

    None (Python's sys.stdout/sys.stderr when mcsctl was started with that descriptor closed) gives a
    stream that is lost from the start.
    """
    if isinstance(stream, SafeStream):
        return stream
    wrapped = _safe.get(id(stream))
    if wrapped is None or wrapped.stream is not stream:
        wrapped = _safe[id(stream)] = SafeStream(stream)
    return wrapped


def output_lost() -> bool:
    """Whether some output of this run could not be written (the terminal hung up, a closed pipe)."""
    return any(s.lost for s in _safe.values())


def _colour_ok(stream: TextIO | SafeStream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _paint(text: str, server: Server, colour: bool) -> str:
    if not colour:
        return text
    if server.down:
        return f"\x1b[31m{text}\x1b[0m"  # red: down
    if server.in_maintenance:
        return f"\x1b[33m{text}\x1b[0m"  # yellow: maintenance
    if server.draining:
        return f"\x1b[36m{text}\x1b[0m"  # cyan: draining/drained
    return text


def server_row(s: Server) -> list[str]:
    state = s.state + (f", {s.details}" if s.details else "")
    return [
        s.name,
        s.address or "",
        "" if s.port is None else str(s.port),
        "" if s.connections is None else str(s.connections),
        state,
        s.gtid or "",
        s.monitor or "",
        s.maxscale,
    ]


def server_json(s: Server) -> dict[str, Any]:
    """The stable JSON shape of CLI.md: name, address, port, connections, state, states, gtid, monitor, maxscale."""
    return {
        "name": s.name,
        "address": s.address,
        "port": s.port,
        "connections": s.connections,
        "state": s.state,
        "states": list(s.states),
        "details": s.details,
        "gtid": s.gtid,
        "monitor": s.monitor,
        "maxscale": s.maxscale,
        "lag": s.lag,
        "status": s.status.as_dict() if s.status else None,  # 25.10's status object (REST), else null
    }


Painter = Callable[[str, bool], str]  # (a table line, colour on) -> the line as shown


def table(
    headers: Iterable[str], rows: list[list[str]], painters: list[Painter] | None = None, colour: bool = False
) -> str:
    """A plain aligned table (two spaces between columns); `painters[i]` colours row i on a TTY."""
    headers = list(headers)
    rows = [[printable(c) for c in r] for r in rows]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    lines = [fmt(headers)]
    for i, r in enumerate(rows):
        line = fmt(r)
        lines.append(painters[i](line, colour) if painters else line)
    return "\n".join(lines) + "\n"


def tsv(rows: list[list[str]]) -> str:
    return "".join("\t".join(printable(" ".join(c.split())) for c in r) + "\n" for r in rows)


def _painter(server: Server) -> Painter:
    return lambda line, colour: _paint(line, server, colour)


def servers(
    items: list[Server],
    fmt: str,
    out: TextIO | SafeStream | None = None,
    columnstore: dict[str, dict[str, Any]] | None = None,
) -> None:
    """The servers; `columnstore` (when checked): per name its `columnstore` object and `columnstore_error`."""
    dest = safe(out if out is not None else sys.stdout)
    if fmt == "json":
        docs = [server_json(s) | (columnstore.get(s.name) or {}) if columnstore else server_json(s) for s in items]
        dest.write(json.dumps(docs, indent=2) + "\n")
        return
    rows = [server_row(s) for s in items]
    if fmt == "tsv":  # the TSV columns stay fixed (scripts cut them by position)
        dest.write(tsv(rows))
        return
    headers = list(SERVER_COLUMNS)
    if columnstore is not None:
        from .columnstore import cs_cell

        headers.append("CS")
        for r, s in zip(rows, items, strict=False):
            r.append(cs_cell(columnstore.get(s.name)))
    if any(s.lag is not None for s in items):  # the Lag column only where the backend has it (REST)
        headers.insert(headers.index("GTID"), "Lag")
        for r, s in zip(rows, items, strict=False):
            r.insert(headers.index("Lag"), "" if s.lag is None else f"{s.lag:g}")
    if any(s.status and s.status.reason for s in items):  # 25.10's reasons, only when some server has one
        at = headers.index("State") + 1
        headers.insert(at, "Reason")
        for r, s in zip(rows, items, strict=False):
            r.insert(at, ", ".join(s.status.reason) if s.status else "")
    painters = [_painter(s) for s in items]
    dest.write(table(headers, rows, painters, _colour_ok(dest)))


def disagreements(items: list[Server]) -> list[str]:
    """Servers whose state differs between MaxScales, one line each."""
    by_name: dict[str, list[Server]] = {}
    for s in items:
        by_name.setdefault(s.name, []).append(s)
    lines: list[str] = []
    hosts = {s.maxscale for s in items}
    for name, seen in by_name.items():
        if len(seen) < len(hosts):
            missing = sorted(hosts - {s.maxscale for s in seen})
            lines.append(f"{name} is missing on {', '.join(missing)}")
        elif len({s.state for s in seen}) > 1:
            lines.append(f"{name} differs: " + "; ".join(f"{s.maxscale} {s.state}" for s in seen))
    return lines


def rows_out(headers: list[str], rows: list[dict[str, Any]], fmt: str, out: TextIO | SafeStream | None = None) -> None:
    """Generic data output for status-like commands: `rows` are dicts keyed by lower-case header."""
    dest = safe(out if out is not None else sys.stdout)
    if fmt == "json":
        dest.write(json.dumps(rows, indent=2, default=str) + "\n")
        return
    keys = [h.lower().replace(" ", "_") for h in headers]
    cells = [["" if r.get(k) is None else _cell(r.get(k)) for k in keys] for r in rows]
    dest.write(tsv(cells) if fmt == "tsv" else table(headers, cells))


def _cell(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v)
    return str(v)


def when(epoch: float | None) -> str:
    """Local time with its zone (`2026-11-26 06:00:00 CET`): a bare time is ambiguous across hosts."""
    return "" if epoch is None else time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(epoch))


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    """The JSON object of one outcome (CLI.md); `changes` lists what the command changed."""
    return {
        "server": outcome.server,
        "action": outcome.action,
        "changed": outcome.changed,
        "message": outcome.message,
        "connections_cut": outcome.cut,
        "final": [server_json(s) for s in outcome.final.values()],
        **outcome.extra,
    }


class Reporter(Prefixing):
    """The UI the procedures talk to: progress and warnings on stderr, plans and results on stdout.

    Every write goes through a SafeStream: a dead terminal or a closed pipe never raises into the
    procedures (a cleanup must not stop because its progress line cannot be shown); `lost` says so.
    Text from outside (names, states, MaxScale's errors, the journal) is shown with `printable`.
    """

    def __init__(self, verbosity: int = 0, out: TextIO | None = None, err: TextIO | None = None):
        self.verbosity = verbosity
        self.out = safe(out if out is not None else sys.stdout)
        self.err = safe(err if err is not None else sys.stderr)
        self.interactive = _isatty(sys.stdin) and self.err.isatty()
        self._live = self.err.isatty()
        self._last_progress: float | None = None
        self._line_open = False
        self.plan_json = False  # --dry-run --format json: plan() collects the steps for flush_plan()
        self._steps: list[_Step] = []

    @property
    def lost(self) -> bool:
        """Whether some of this reporter's output could not be written."""
        return self.out.lost or self.err.lost

    def _end_line(self) -> None:
        if self._line_open:
            self.err.write("\n")
            self._line_open = False

    def info(self, message: str) -> None:
        if self.verbosity >= 0:
            self._end_line()
            self.err.write(f"{printable(self.prefix + message)}\n")

    def warn(self, message: str) -> None:
        self._end_line()
        self.err.write(f"warning: {printable(self.prefix + message)}\n")

    def trace(self, line: str) -> None:
        if self.verbosity > 0:
            self._end_line()
            self.err.write(f"+ {printable(line)}\n")

    def plan(self, line: str, host: str | None = None) -> None:
        """A `# step` line or an exact call (to `host`): printed at once, or kept for `flush_plan` (JSON)."""
        if not self.plan_json:
            self.out.write(printable(line) + "\n")
            return
        if line.startswith("# "):
            self._steps.append({"step": line[2:], "calls": []})
            return
        if not self._steps:
            self._steps.append({"step": "", "calls": []})
        self._steps[-1]["calls"].append({"host": host, "call": line})

    def flush_plan(self) -> None:
        """--dry-run --format json: the plan as one JSON document (steps, each with its exact calls)."""
        if self.plan_json:
            self.out.write(json.dumps({"dry_run": True, "steps": self._steps}, indent=2) + "\n")
            self._steps = []

    def waiting(self, what: str, found: dict[str, Server], elapsed: float, deadline: float) -> None:
        if self.verbosity < 0:
            return
        conns = ", ".join(f"{h}: {s.connections or 0} conn" for h, s in found.items())
        text = printable(f"{self.prefix}{what}... {conns} ({elapsed:.0f}s / {deadline:g}s)")
        if self._live:
            self.err.write("\r\x1b[K" + text)
            self._line_open = True
        elif self._last_progress is None or elapsed - self._last_progress >= self._log_every(elapsed):
            self._last_progress = elapsed
            self.err.write(text + "\n")
        self.err.flush()

    @staticmethod
    def _log_every(elapsed: float) -> float:
        """Seconds between progress lines in a log: often at first, rarely in a long wait."""
        return 5 if elapsed < 60 else 30 if elapsed < 600 else 120

    def confirm(self, question: str) -> bool:
        self._end_line()
        self.err.write(f"{printable(question)} [y/N] ")
        self.err.flush()
        try:
            answer = input()
        except (EOFError, OSError):  # no answer (EOF, or the terminal hung up): no consent
            return False
        return answer.strip().lower() in ("y", "yes")

    def error(self, message: str, hint: str | None = None) -> None:
        self._end_line()
        self.err.write(f"mcsctl: error: {printable(message)}\n")
        if hint:
            self.err.write(f"hint: {printable(hint)}\n")
        self.err.flush()

    def outcomes(self, items: list[Outcome], fmt: str = "table") -> None:
        """Several outcomes (on/off of several servers): JSON is a list of outcome objects (one object
        for a single outcome); otherwise each sentence on stderr, then one table of their final states."""
        self._end_line()
        if fmt == "json":
            docs = [outcome_json(o) for o in items]
            self.out.write(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2) + "\n")
            return
        for o in items:
            if o.message and self.verbosity >= 0:
                self.err.write(printable(o.message) + "\n")
        final = [s for o in items for s in o.final.values()]
        if final:
            servers(final, fmt, self.out)


def _isatty(stream: TextIO | SafeStream | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False
