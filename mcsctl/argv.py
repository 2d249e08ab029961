"""Global options anywhere before `--`: argv reordered for Click, which takes a group's options only before
its subcommand. Pure; works on the Click command tree of the Typer app (cli.run builds it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, cast

from .errors import UsageError


class _Param(Protocol):
    """What is read of a Click parameter (Typer's vendored Click or Click itself)."""

    @property
    def name(self) -> str | None: ...
    @property
    def opts(self) -> list[str]: ...
    @property
    def secondary_opts(self) -> list[str]: ...
    @property
    def nargs(self) -> int: ...


class _Option(_Param, Protocol):
    @property
    def is_flag(self) -> bool: ...
    @property
    def count(self) -> bool: ...


class _Command(Protocol):
    """What is read of a Click command; a group's `commands` is looked up by name (getattr)."""

    @property
    def params(self) -> Sequence[_Param]: ...
    @property
    def context_settings(self) -> Mapping[str, Any] | None: ...
    @property
    def allow_interspersed_args(self) -> bool: ...


def _switches(command: _Command) -> dict[str, bool]:
    """Every switch of `command`'s own options (not --help) -> whether it takes a value."""
    table: dict[str, bool] = {}
    for param in command.params:
        if getattr(param, "param_type_name", "") != "option":
            continue
        option = cast(_Option, param)  # param_type_name "option": a Click Option (the type does not say so)
        takes_value = not (option.is_flag or option.count)
        for name in [*option.opts, *option.secondary_opts]:
            table[name] = takes_value
    return table


def _split_option(tok: str, table: dict[str, bool]) -> list[tuple[str, bool]] | None:
    """An option token -> [(token, needs the next token as its value)], one per option in it; None when
    `table` does not know it. `-yq` (flags clustered) gives one pair per flag; `-Hmx1`, `--hosts=mx1` one."""
    if tok.startswith("--"):
        name, eq, _ = tok.partition("=")
        return [(tok, table[name] and not eq)] if name in table else None
    if tok in table:
        return [(tok, table[tok])]
    parts: list[tuple[str, bool]] = []
    for i, ch in enumerate(tok[1:], start=1):
        switch = "-" + ch
        if switch not in table:
            return None
        if table[switch]:  # takes a value: the rest of the token is it, else the next token
            rest = tok[i + 1 :]
            return parts + [(switch + rest, not rest)]
        parts.append((switch, False))
    return parts


def global_options_first(root: _Command, argv: list[str]) -> list[str]:
    """`argv` with every global option (of `root`, the app's callback) that follows a subcommand moved,
    with its value, to just before the first subcommand: `servers -H mx1` -> `-H mx1 servers`, as maxctrl
    and kubectl allow. A subcommand's own option of the same name wins; an option's VALUE is never read as
    an option; nothing from `--` on moves (COMMAND's own arguments), nor anything after the first
    argument of a command that stops parsing options there (rolling's COMMAND)."""
    globals_ = _switches(root)
    out: list[str] = []
    moved: list[str] = []
    first_sub: int | None = None
    cmd, local = root, globals_
    i = npos = 0  # npos: the command's arguments so far
    while i < len(argv):
        tok = argv[i]
        if tok == "--":
            out += argv[i:]
            break
        if tok.startswith("-") and tok != "-":
            own = _split_option(tok, local)
            if own is not None or cmd is root:
                out.append(tok)
                if own and own[-1][1] and i + 1 < len(argv):
                    out.append(argv[i + 1])  # its value, whatever it looks like
                    i += 1
            else:
                i = _take_mixed(tok, argv, i, local, globals_, out, moved)
            i += 1
            continue
        subs = getattr(cmd, "commands", None)  # a group's subcommands
        if subs is not None and tok in subs:  # a subcommand name: descend
            if first_sub is None:
                first_sub = len(out)
            cmd, local, npos = subs[tok], _switches(subs[tok]), 0
            out.append(tok)
        elif subs is not None or not _interspersed(cmd) or npos >= _fixed_arguments(cmd):
            # an unknown command (Click reports it), options that end at the first argument, or COMMAND...
            # begun without `--`: nothing from here on is moved
            out += argv[i:]
            break
        else:
            out.append(tok)
            npos += 1
        i += 1
    if first_sub is None or not moved:
        return list(argv)
    return out[:first_sub] + moved + out[first_sub:]


def _fixed_arguments(command: _Command) -> float:
    """How many single arguments come before a command's COMMAND... (the words of a command to run, which
    are its own); infinite without one. Other variadic arguments (SERVER...) take options among them."""
    args = [p for p in command.params if getattr(p, "param_type_name", "") == "argument"]
    if not any(p.nargs == -1 and p.name == "command" for p in args):
        return float("inf")
    return sum(1 for p in args if p.nargs != -1)


def _interspersed(command: _Command) -> bool:
    """Whether Click takes options after the command's first argument (rolling: no, COMMAND's own)."""
    return bool((command.context_settings or {}).get("allow_interspersed_args", command.allow_interspersed_args))


def _take_mixed(
    tok: str,
    argv: list[str],
    i: int,
    local: dict[str, bool],
    globals_: dict[str, bool],
    out: list[str],
    moved: list[str],
) -> int:
    """Place one option token after a subcommand: global options to `moved`, the command's own (and
    unknown ones, for Click to report) to `out`; a cluster mixing both is split. Returns the index of
    the last token used (the option's value may be the next one)."""
    either = {**globals_, **local}  # the command's own meaning wins
    parts = _split_option(tok, either)
    if parts is None:
        out.append(tok)
        return i
    for piece, needs_value in parts:
        switch = piece.partition("=")[0] if piece.startswith("--") else piece[:2]
        target = out if switch in local else moved
        target.append(piece)
        if needs_value and i + 1 < len(argv):
            target.append(argv[i + 1])
            i += 1
        elif needs_value and target is moved:  # moved alone, it would take the subcommand's name as its value
            raise UsageError(f"Option '{switch}' requires an argument.")
    return i
