"""The lean dispatch path (issue 17): `servers` and `maintenance status` (also the completion-cache fill,
`mcsctl -q ... servers --format tsv`), `maintenance on|off`, `switchover`, `drain` and `undrain`, parsed
and run without importing Typer, which costs ~30 ms of every start. It reads the same option tables as the
Typer app (global_options.GLOBAL, options.SHARED, OFF and DRAIN) and runs the same bodies (readers.py,
changes.py) in the same frame (frame.py).

Anything it does not fully understand falls back to the Typer path, before any output, so that errors
and help stay Click's own: an unknown option or command, --help, --version, `--` or `-`, a value that
does not convert, an option value that looks like an option, a missing value, a flag or list option set
in the environment, too many arguments.
"""

from __future__ import annotations

import os

from .global_options import GLOBAL
from .options import DRAIN, OFF, OFF_KEYWORDS, SHARED, OptionSpec

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

_OPTIONS = SHARED | OFF | DRAIN
_ON = (
    "force", "no_drain", "drain_timeout", "on_timeout", "switchover", "to", "allow_primary", "allow_last", "reason",
    "expires", "dry_run", "yes", "takeover", "skip_unreachable", "allow_columnstore_primary", "allow_unhealthy",
    "format", "max_in_maintenance",
)  # fmt: skip
_OFF = (*OFF_KEYWORDS, "format")
_GUARDED = ("dry_run", "skip_unreachable", "takeover", "format")  # the order of the Typer commands' options
MANY = 1 << 16  # SERVER...: any number of arguments
# command path -> (its options, by name in options.SHARED, OFF or DRAIN; how many arguments it takes: least, most)
COMMANDS: dict[tuple[str, ...], tuple[tuple[str, ...], int, int]] = {
    ("servers",): (("format",), 0, 0),
    **{(group, "status"): (("format",), 0, 1) for group in ("maintenance", "maint")},  # maint: the hidden alias
    **{(group, "on"): (_ON, 1, MANY) for group in ("maintenance", "maint")},
    **{(group, "off"): (_OFF, 1, MANY) for group in ("maintenance", "maint")},
    ("switchover",): (("to", "dry_run", "yes", "skip_unreachable", "takeover", "format"), 0, 0),
    ("drain",): (("wait", "drain_timeout", *_GUARDED), 1, 1),
    ("undrain",): (_GUARDED, 1, 1),
}
_GROUPS = {path[:1] for path in COMMANDS if len(path) > 1}


class Fallback(Exception):
    """This argv is for the Typer path."""


def _switches(specs: list[OptionSpec]) -> dict[str, tuple[OptionSpec, bool | None]]:
    """Each switch -> (its spec, the value a flag switch sets; None: the switch takes a value)."""
    table: dict[str, tuple[OptionSpec, bool | None]] = {}
    for spec in specs:
        is_flag = spec.type is bool or spec.type == (bool | None)
        for flag in spec.flags:
            on, _, off = flag.partition("/")
            table[on] = (spec, True if is_flag else None)
            if off:
                table[off] = (spec, False)
    return table


_Switches = dict[str, tuple[OptionSpec, bool | None]]
_GLOBAL_SWITCHES = _switches(list(GLOBAL.values()))


def _convert(spec: OptionSpec, text: str) -> Any:
    """A value as Click would give it to the command, or Fallback (Click then reports the error)."""
    kind = spec.type
    if kind == (float | None) or kind is float:
        try:
            return float(text)
        except ValueError:
            raise Fallback from None
    if spec.choices:
        if text not in spec.choices:
            raise Fallback
        return text
    if kind in (str, str | None) or kind == (list[str] | None):
        return text
    if kind == (int | None):
        try:
            return int(text)  # as Click's INT converts
        except ValueError:
            raise Fallback from None
    raise Fallback  # a type this parser does not know


class _Parsed:
    def __init__(self) -> None:
        self.path: list[str] = []
        self.globals: dict[str, Any] = {}
        self.local: dict[str, Any] = {}
        self.args: list[str] = []


def parse(argv: list[str]) -> tuple[tuple[str, ...], dict[str, Any], dict[str, Any], list[str]]:
    """argv -> (command path, global option values, the command's option values, its arguments); Fallback
    for anything the Typer path should see."""
    p = _Parsed()
    local: _Switches = {}
    least = limit = 0
    i = 0
    while i < len(argv):
        tok = argv[i]
        if tok in ("--", "-"):
            raise Fallback
        if tok.startswith("-"):
            i = _option(argv, i, {**_GLOBAL_SWITCHES, **local}, p, local)
        elif tuple(p.path) in COMMANDS:
            p.args.append(tok)
            if len(p.args) > limit:
                raise Fallback
        else:
            p.path.append(tok)
            path = tuple(p.path)
            if path in COMMANDS:
                names, least, limit = COMMANDS[path]
                local = _switches([_OPTIONS[n] for n in names])
            elif path not in _GROUPS:
                raise Fallback
        i += 1
    path = tuple(p.path)
    if path not in COMMANDS or len(p.args) < least:
        raise Fallback  # a missing argument: Click's error
    local_values = {n: _OPTIONS[n].default for n in COMMANDS[path][0]} | p.local
    return path, _with_environment(p), local_values, p.args


def _option(argv: list[str], i: int, table: _Switches, p: _Parsed, local: _Switches) -> int:
    """Take the option token argv[i] (and its value); the index of the last token used."""
    tok = argv[i]
    pieces: list[tuple[str, str | None]] = []
    if tok.startswith("--"):
        name, eq, rest = tok.partition("=")
        pieces.append((name, rest if eq else None))
    else:  # -x, -xVALUE, -qv (flags clustered)
        for k in range(1, len(tok)):
            switch = "-" + tok[k]
            entry = table.get(switch)
            if entry is None:
                raise Fallback
            if entry[1] is None:  # takes a value: the rest of the token, else the next one
                pieces.append((switch, tok[k + 1 :] or None))
                break
            pieces.append((switch, None))
    for switch, inline in pieces:
        entry = table.get(switch)
        if entry is None:
            raise Fallback
        spec, flag_value = entry
        if flag_value is not None:
            if inline is not None and tok.startswith("--"):
                raise Fallback  # --quiet=1: Click's error
            value: Any = flag_value
        else:
            if inline is None:
                if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                    raise Fallback
                i += 1
                value = _convert(spec, argv[i])
            else:
                value = _convert(spec, inline)
        target = p.local if switch in local else p.globals
        if spec.type == (list[str] | None):
            target.setdefault(spec.name, []).append(value)
        else:
            target[spec.name] = value
    return i


def _with_environment(p: _Parsed) -> dict[str, Any]:
    """The global options not on the command line from their MCSCTL_* variables (a non-empty one, as Click
    reads them), then their defaults."""
    out: dict[str, Any] = {}
    for name, spec in GLOBAL.items():
        if name in p.globals:
            out[name] = p.globals[name]
            continue
        raw = os.environ.get(spec.envvar or "")
        if not raw:
            out[name] = spec.default
        elif spec.type in (bool, bool | None) or spec.type == (list[str] | None):
            raise Fallback  # how Click reads a flag or a list from the environment is its own
        else:
            out[name] = _convert(spec, raw)
    return out


def run_lean(argv: list[str]) -> None:
    """Run argv on the lean path and exit; return (having done nothing) when it is for the Typer path."""
    try:
        path, given, local, args = parse(argv)
    except Fallback:
        return
    from .frame import finish

    # A read ends quick (frame.finish); a change ends as usual: hooks, webhooks and the journal see it through.
    finish(lambda: _run(path, given, local, args), quick=path[-1] in ("servers", "status"))


def _run(path: tuple[str, ...], given: dict[str, Any], local: dict[str, Any], args: list[str]) -> int:
    from . import readers
    from .frame import CommandExit, State, framed
    from .global_options import flags_from

    state = State(flags_from(given), given["config"])
    fmt = str(local["format"])
    try:
        with framed(state) as st:
            if path == ("servers",):
                readers.show_servers(st, fmt)
            elif path[-1] == "status":
                readers.show_status(st, args[0] if args else None, fmt)
            else:
                from . import changes

                changes.BODIES[path[-1]](st, args, local)
    except CommandExit as exc:
        return exc.code
    return 0
