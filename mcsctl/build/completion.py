"""Render the static bash and zsh completion scripts from the app tree through jinja2 templates.

The scripts run no Python on a TAB while the server-name cache (mcsctl/cache.py) is fresh: commands,
options and option values are embedded; server names are read from the cache file by the shell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..completion import SHELLS
from ..errors import UsageError
from .templating import template_env
from .tree import Arg, Cmd, Opt, app_tree

TEMPLATES = {"bash": "mcsctl.bash.j2", "zsh": "_mcsctl.zsh.j2"}

# What a value is, by metavar, where the metavar is not itself a list of choices (`table|json|tsv`).
METAVAR_KINDS = {
    "SERVER": "server",
    "[SERVER]": "server",
    "A,B,...": "servers",  # comma-separated server names
    "PATH": "file",
    "COMMAND...": "command",
}
# Global options handed to the `mcsctl servers` call that fills the cache: every one that decides which
# MaxScale is asked and how.
PASS_THROUGH = (
    "hosts",
    "user",
    "backend",
    "maxctrl",
    "timeout",
    "secure",
    "tls_ca_cert",
    "tls_verify_server_cert",
    "config",
)
# A password typed on the line reaches the fill too, but in its environment (the option's envvar), never
# in its argv: `ps` shows every process's argv to every user. It is never written anywhere.
PASSWORD = "password"
# Time limits (seconds) of the cache fill a TAB waits for, and of the detached background refresh.
FILL_TIMEOUT = 1
REFRESH_TIMEOUT = 10

_CHOICES = re.compile(r"[a-z0-9][a-z0-9-]*(\|[a-z0-9][a-z0-9-]*)+")


def value_kind(metavar: str | None, choices: Iterable[str] = ()) -> str:
    """The kind of a value: "w:a b c" (choices), "server", "servers", "file", "command", or "" (nothing to suggest).

    `choices` are the parameter type's (a `click.Choice`); without them a metavar `a|b|c` is the list."""
    if metavar is None:
        return ""
    words = tuple(choices)
    if words:
        return "w:" + " ".join(words)
    if _CHOICES.fullmatch(metavar):
        return "w:" + metavar.replace("|", " ")
    return METAVAR_KINDS.get(metavar, "")


def kind_of(param: Opt | Arg) -> str:
    """`value_kind` of an option or argument of the tree (its choices first, then its metavar)."""
    return value_kind(param.metavar, param.choices)


def choices(kind: str) -> list[str]:
    return kind[2:].split() if kind.startswith("w:") else []


def render(shell: str, tree: Cmd | None = None) -> str:
    """Render the script for `shell` from the app tree (`app_tree()` by default)."""
    from .. import __version__
    from ..cache import DEFAULT_KEY, KEY_MAX, TTL

    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}: choose bash or zsh")
    tree = tree or app_tree()
    env = template_env(
        comment_start_string="<%#",  # `${#name}` is everywhere in shell; no jinja comments needed
        comment_end_string="#%>",
    )
    env.filters["sq"] = shell_quote
    env.filters["zdesc"] = zsh_description
    env.filters["fname"] = lambda path: "_".join(("_mcsctl",) + tuple(p.replace("-", "_") for p in path))
    env.globals["value_kind"] = value_kind
    env.globals["kind_of"] = kind_of
    env.globals["choices"] = choices
    env.globals["zsh_specs"] = zsh_specs
    conn = [o for o in tree.options if o.name in PASS_THROUGH]
    hosts = next(o for o in tree.options if o.name == "hosts")
    password = next(o for o in tree.options if o.name == PASSWORD)
    if not (password.takes_value and password.envvar and re.fullmatch(r"[A-Z_][A-Z0-9_]*", password.envvar)):
        raise ValueError(f"the {PASSWORD} option needs a value and an environment variable")
    return env.get_template(TEMPLATES[shell]).render(
        version=__version__,
        tree=tree,
        commands=list(tree.walk()),
        conn=conn,
        conn_valued=[n for o in conn if o.takes_value for n in o.all_names],
        conn_flags=[n for o in conn if not o.takes_value for n in o.all_names],
        conn_short=[n for o in conn + [password] if o.takes_value for n in o.names if not n.startswith("--")],
        hosts_names=list(hosts.all_names),
        password_names=list(password.all_names),
        password_env=password.envvar,
        key_max=KEY_MAX,
        default_key=DEFAULT_KEY,
        optkinds=option_kinds(tree),
        ttl=TTL,
        ttl_minutes=max(1, TTL // 60),
        fill_timeout=FILL_TIMEOUT,
        refresh_timeout=REFRESH_TIMEOUT,
    )


def option_kinds(tree: Cmd) -> list[tuple[str, list[str]]]:
    """[(kind, bash case patterns of "PATH|OPTION")]; `*'|--format'` when the option means the same everywhere."""
    seen: dict[str, dict[str, list[str]]] = {}  # option name -> kind -> command paths
    for cmd in tree.walk():
        for opt in cmd.options:
            if opt.takes_value and kind_of(opt):
                for name in opt.names:
                    seen.setdefault(name, {}).setdefault(kind_of(opt), []).append(" ".join(cmd.path))
    users: dict[str, set[str]] = {}
    for cmd in tree.walk():
        for opt in cmd.options:
            for name in opt.names:
                users.setdefault(name, set()).add(" ".join(cmd.path))
    out: dict[str, list[str]] = {}
    for name, kinds in seen.items():
        for kind, paths in kinds.items():
            if len(kinds) == 1 and set(paths) == users[name]:
                out.setdefault(kind, []).append("*" + shell_quote("|" + name))
            else:
                out.setdefault(kind, []).extend(shell_quote(f"{p}|{name}") for p in paths)
    return sorted(out.items())


ZSH_ACTIONS = {
    "server": "_mcsctl_server",
    "servers": "_mcsctl_server_list",
    "file": "_files",
    "command": "_mcsctl_command",
    "": "",
}


def zsh_action(param: Opt | Arg) -> str:
    kind = kind_of(param)
    return f"({' '.join(choices(kind))})" if kind.startswith("w:") else ZSH_ACTIONS[kind]


def zsh_specs(cmd: Cmd, global_options: Iterable[Opt] = ()) -> list[str]:
    """The `_arguments` specs (unquoted) of a command's options (and of `global_options`, which mcsctl also
    takes after the command), then of its arguments if it is no group."""
    own = {n for opt in cmd.options for n in opt.all_names}
    specs: list[str] = []
    for opt in [*cmd.options, *(o for o in global_options if not own & set(o.all_names))]:  # --help once
        excl = "(" + " ".join(opt.all_names) + ")"
        desc = "[" + zsh_description(opt.help) + "]"
        for name in opt.names:
            if opt.takes_value:
                value = f":{opt.names[0].lstrip('-')}:{zsh_action(opt)}"
                specs.append(excl + name + ("=" if name.startswith("--") else "+") + desc + value)
            else:
                specs.append(excl + name + desc)
        off = "[" + zsh_description(f"Turn off {opt.names[0]}") + "]"
        specs += [excl + name + off for name in opt.off]
    if not cmd.is_group:
        for arg in cmd.args:
            lead = "*:" if arg.variadic else (":" if arg.required else "::")
            specs.append(f"{lead}{arg.name}:{zsh_action(arg)}")
    return specs


def shell_quote(text: str) -> str:
    """Single-quote for bash and zsh: 'it'\\''s'."""
    return "'" + str(text).replace("'", "'\\''") + "'"


def zsh_description(text: str) -> str:
    """A help text made safe inside an `_arguments` [description] (before quoting)."""
    return text.rstrip(".").replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
