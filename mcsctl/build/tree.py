"""The Typer app as plain data (commands, options, arguments): what the completion scripts and the man
page are rendered from, so they cannot drift from the CLI.

Option and argument choices come from the Click parameter type when it is a choice (`click.Choice`, or
Typer's `TyperChoice` for an enum used as a Typer type); a metavar written as `a|b|c` is read as the
same list. Click is matched by shape: recent Typers vendor a trimmed copy of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..dataclass_lite import dataclass, field

if TYPE_CHECKING:
    import typer


Param = Any  # a Param (of whichever Click the installed Typer uses)

_CHOICES = re.compile(r"[a-z0-9][a-z0-9-]*(\|[a-z0-9][a-z0-9-]*)+")


@dataclass(frozen=True)
class Opt:
    """One option. `names` are the switches that turn it on, `off` the `--no-x` half of a flag pair."""

    name: str
    names: tuple[str, ...]
    off: tuple[str, ...]
    metavar: str | None  # None: a flag, takes no value
    help: str
    default: object
    envvar: str | None
    show_default: bool
    choices: tuple[str, ...] = ()  # the values it accepts, when they are a fixed list

    @property
    def all_names(self) -> tuple[str, ...]:
        return self.names + self.off

    @property
    def takes_value(self) -> bool:
        return self.metavar is not None


@dataclass(frozen=True)
class Arg:
    name: str
    metavar: str
    help: str
    required: bool
    variadic: bool
    choices: tuple[str, ...] = ()


@dataclass
class Cmd:
    """A command or group; `path` is () for mcsctl itself, ("maintenance", "on") for a subcommand."""

    path: tuple[str, ...]
    help: str
    short: str
    hidden: bool
    options: list[Opt]
    args: list[Arg]
    interspersed: bool
    subcommands: list[Cmd] = field(default_factory=list)
    alias_of: str | None = None  # set on a hidden group that mirrors a visible one (maint -> maintenance)

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else "mcsctl"

    @property
    def is_group(self) -> bool:
        return bool(self.subcommands)

    def walk(self) -> Iterator[Cmd]:
        """This command and every command below it, depth first, in the app's order."""
        yield self
        for sub in self.subcommands:
            yield from sub.walk()


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _plain(value: object) -> object:
    """An enum member as the value the command line takes (`json`, not `Format.json`)."""
    return getattr(value, "value", value)


def param_choices(param: Param) -> tuple[str, ...]:
    """The fixed values `param` takes: its type's choices, else a metavar written as `a|b|c`, else ()."""
    listed = getattr(param.type, "choices", None)
    if isinstance(listed, (list, tuple)) and listed:
        return tuple(str(_plain(c)) for c in listed)
    if param.metavar and _CHOICES.fullmatch(param.metavar):
        return tuple(param.metavar.split("|"))
    return ()


def _metavar(param: Param, choices: tuple[str, ...]) -> str:
    """The metavar as written, else `a|b|c` for choices, else the name in capitals (USER)."""
    return param.metavar or ("|".join(choices) if choices else (param.name or "").upper())


def _opt(param: Param) -> Opt:
    choices = param_choices(param)
    metavar = None if param.is_flag else _metavar(param, choices)
    envvar = param.envvar if isinstance(param.envvar, str) else None
    names = sorted(param.opts, key=lambda n: (not n.startswith("--"), n))  # long name first
    return Opt(
        name=param.name or "",
        names=tuple(names),
        off=tuple(param.secondary_opts),
        metavar=metavar,
        help=_one_line(param.help),
        default=_plain(param.default),
        envvar=envvar,
        show_default=bool(param.show_default) if param.show_default is not None else True,
        choices=choices,
    )


def _arg(param: Param) -> Arg:
    choices = param_choices(param)
    return Arg(
        name=param.name or "",
        metavar=_metavar(param, choices),
        help=_one_line(getattr(param, "help", None)),
        required=bool(param.required),
        variadic=param.nargs == -1,
        choices=choices,
    )


def _walk(command: Any, path: tuple[str, ...], parent_ctx: Any) -> Cmd:
    ctx = command.context_class(command, info_name=path[-1] if path else "mcsctl", parent=parent_ctx)
    options: list[Opt] = []
    args: list[Arg] = []
    for param in command.get_params(ctx):  # includes the --help option
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            args.append(_arg(param))
        else:
            options.append(_opt(param))
    cmd = Cmd(
        path=path,
        help=_one_line(command.help),
        short=_one_line(command.get_short_help_str(limit=300)),
        hidden=bool(command.hidden),
        options=options,
        args=args,
        interspersed=bool(getattr(command, "allow_interspersed_args", True)),
    )
    if hasattr(command, "list_commands"):  # a group
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None:
                cmd.subcommands.append(_walk(sub, (*path, name), ctx))
    _mark_aliases(cmd)
    return cmd


def _shape(cmd: Cmd) -> tuple[Any, ...]:
    return (
        [o.all_names for o in cmd.options],
        [a.metavar for a in cmd.args],
        [(s.name, _shape(s)) for s in cmd.subcommands],
    )


def _mark_aliases(group: Cmd) -> None:
    """A hidden subcommand with the same shape as a visible sibling is an alias of it."""
    for sub in group.subcommands:
        if sub.hidden:
            for other in group.subcommands:
                if not other.hidden and _shape(other) == _shape(sub):
                    sub.alias_of = other.name
                    break


def app_tree(app: typer.Typer | None = None) -> Cmd:
    """The mcsctl Typer app (or `app`) as a `Cmd` tree."""
    import typer.main

    if app is None:
        from ..cli import app as mcsctl_app

        app = mcsctl_app
    return _walk(typer.main.get_command(app), (), None)
