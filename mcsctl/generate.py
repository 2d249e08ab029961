"""The Typer app as plain data (commands, options, arguments), and `python -m mcsctl.generate`, which
rewrites the generated files: completions/mcsctl.bash, completions/_mcsctl and man/mcsctl.1.

The completion scripts and the man page are rendered from this data only, so they cannot drift from
the CLI; tests/docs checks that the checked-in files equal a fresh rendering.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = {
    "bash": Path("completions/mcsctl.bash"),
    "zsh": Path("completions/_mcsctl"),
    "man": Path("man/mcsctl.1"),
}


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
    subcommands: list["Cmd"] = field(default_factory=list)
    alias_of: str | None = None  # set on a hidden group that mirrors a visible one (maint -> maintenance)

    @property
    def name(self) -> str:
        return self.path[-1] if self.path else "mcsctl"

    @property
    def is_group(self) -> bool:
        return bool(self.subcommands)

    def walk(self):
        """This command and every command below it, depth first, in the app's order."""
        yield self
        for sub in self.subcommands:
            yield from sub.walk()


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _opt(param, ctx) -> Opt:
    flag = bool(getattr(param, "is_flag", False))
    metavar = None
    if not flag:
        metavar = param.metavar or param.name.upper()  # no metavar: the name, as USER
    envvar = param.envvar if isinstance(param.envvar, str) else None
    names = sorted(param.opts, key=lambda n: (not n.startswith("--"), n))  # long name first
    return Opt(
        name=param.name,
        names=tuple(names),
        off=tuple(param.secondary_opts),
        metavar=metavar,
        help=_one_line(param.help),
        default=param.default,
        envvar=envvar,
        show_default=bool(param.show_default) if param.show_default is not None else True,
    )


def _arg(param) -> Arg:
    metavar = param.metavar or param.name.upper()
    return Arg(
        name=param.name,
        metavar=metavar,
        help=_one_line(getattr(param, "help", None)),
        required=bool(param.required),
        variadic=param.nargs == -1,
    )


def _walk(command, path: tuple[str, ...], parent_ctx) -> Cmd:
    ctx = command.context_class(command, info_name=path[-1] if path else "mcsctl", parent=parent_ctx)
    options, args = [], []
    for param in command.get_params(ctx):  # includes the --help option
        if getattr(param, "hidden", False):
            continue
        if param.param_type_name == "argument":
            args.append(_arg(param))
        else:
            options.append(_opt(param, ctx))
    cmd = Cmd(
        path=path,
        help=_one_line(command.help),
        short=_one_line(command.get_short_help_str(limit=300)),
        hidden=bool(command.hidden),
        options=options,
        args=args,
        interspersed=bool(getattr(command, "allow_interspersed_args", True)),
    )
    for name in getattr(command, "list_commands", lambda c: [])(ctx):
        cmd.subcommands.append(_walk(command.get_command(ctx, name), path + (name,), ctx))
    _mark_aliases(cmd)
    return cmd


def _shape(cmd: Cmd):
    return ([o.all_names for o in cmd.options], [a.metavar for a in cmd.args],
            [(s.name, _shape(s)) for s in cmd.subcommands])


def _mark_aliases(group: Cmd) -> None:
    """A hidden subcommand with the same shape as a visible sibling is an alias of it."""
    for sub in group.subcommands:
        if sub.hidden:
            for other in group.subcommands:
                if not other.hidden and _shape(other) == _shape(sub):
                    sub.alias_of = other.name
                    break


def app_tree(app=None) -> Cmd:
    """The mcsctl Typer app (or `app`) as a `Cmd` tree."""
    import typer.main

    if app is None:
        from .cli import app
    return _walk(typer.main.get_command(app), (), None)


def template_env(**overrides):
    """The jinja2 environment for every generated file (templates are shell and roff, never HTML)."""
    import jinja2

    options = dict(
        loader=jinja2.PackageLoader("mcsctl", "templates"),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
    )
    options.update(overrides)
    return jinja2.Environment(**options)


def render_all(tree: Cmd | None = None) -> dict[str, str]:
    """{"bash"|"zsh"|"man": text} for the current app."""
    from . import completion, manpage

    tree = tree or app_tree()
    return {
        "bash": completion.render("bash", tree),
        "zsh": completion.render("zsh", tree),
        "man": manpage.render(tree),
    }


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated files under `--root DIR` (default: the source tree); `--check` only compares."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m mcsctl.generate", description=main.__doc__)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is out of date")
    ns = parser.parse_args(argv)
    stale = []
    for kind, text in render_all().items():
        path = ns.root / OUTPUTS[kind]
        try:
            same = path.read_text(encoding="utf-8") == text
        except FileNotFoundError:
            same = False
        if same:
            continue
        stale.append(str(OUTPUTS[kind]))
        if not ns.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if ns.check else "rewritten"
    for name in stale:
        print(f"{name}: {verb}", file=sys.stderr)
    return 1 if (ns.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
