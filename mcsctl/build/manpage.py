"""man/mcsctl.1, rendered from the Typer app through a jinja2 template (templates/mcsctl.1.j2).

Every command, option, metavar, default and environment variable comes from the click tree
(`mcsctl.build.tree.app_tree`); only the prose around them lives in the template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..dataclass_lite import fields
from ..errors import ExitCode
from .templating import template_env
from .tree import Arg, Cmd, Opt, app_tree

# The meaning of each exit status (CLI.md); a new ExitCode without a line here fails tests/docs.
EXIT_TEXT = {
    ExitCode.OK: "done and confirmed",
    ExitCode.FAILED: "MaxScale refused, or the operation failed (e.g. unknown server)",
    ExitCode.USAGE: "usage error (bad option, duration, server name, host or config file)",
    ExitCode.UNREACHABLE: "cannot reach MaxScale, maxctrl missing or unusable, authentication failed, bad output "
    "from MaxScale or maxctrl, the journal or the lock directory cannot be used",
    ExitCode.GUARD: "refused by mcsctl's safety guard (primary without --switchover, a --to that cannot take "
    "over, last routable server, interrupting clients without --yes when there is no terminal to ask on, "
    "another mcsctl holds the server's lock)",
    ExitCode.PARTIAL: "partial: some MaxScales did what was asked and others did not (a change that could not "
    "be undone everywhere; a read that some MaxScales did not answer)",
    ExitCode.TIMEOUT: "timed out waiting (drain, confirmation, health, catch-up)",
    ExitCode.INTERRUPTED: "interrupted (SIGINT, SIGTERM, SIGHUP); cleanup was done: no drain flag left behind, "
    "the final state printed",
}
# Reading order of the COMMANDS section; commands not named here follow in the app's order.
ORDER = ("servers", "maintenance", "switchover", "rolling", "completion")

_OPTION_TOKEN = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*|--)(?![\w-])")


def roff_text(text: str) -> str:
    """Prose for a text line: backslashes and option names (\\-\\-force) escaped, no leading . or '."""
    text = str(text).replace("\\", "\\e")
    text = _OPTION_TOKEN.sub(lambda m: m.group(0).replace("-", "\\-"), text)
    return "\\&" + text if text[:1] in (".", "'") else text


def roff_code(text: str) -> str:
    """A literal (command line, path, name): every hyphen is a real minus sign."""
    text = str(text).replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def option_signature(opt: Opt) -> str:
    r"""`\fB\-H\fR, \fB\-\-hosts\fR \fIHOSTS\fR` (short names after the long one, as the tree orders them)."""
    short_first = sorted(opt.names, key=lambda n: n.startswith("--")) + list(opt.off)
    names = ", ".join(f"\\fB{roff_code(n)}\\fR" for n in short_first)
    return f"{names} \\fI{roff_code(opt.metavar or '')}\\fR" if opt.takes_value else names


def argument_usage(arg: Arg) -> str:
    if arg.variadic:
        return f"\\fB\\-\\-\\fR \\fI{roff_code(arg.metavar.rstrip('.'))}\\fR [\\fIARG\\fR...]"
    return f"\\fI{roff_code(arg.metavar)}\\fR"


def option_details(opt: Opt) -> str:
    """The help text plus its default and environment variable, one roff text line."""
    parts = [opt.help.rstrip(".") + "." if opt.help else ""]
    if opt.takes_value and opt.show_default and opt.default not in (None, "", False, ()):
        parts.append(f"Default: \\fB{roff_code(str(opt.default))}\\fR.")
    if opt.envvar:
        parts.append(f"Environment: \\fB{roff_code(opt.envvar)}\\fR.")
    return " ".join(p for p in (roff_text(parts[0]), *parts[1:]) if p)


def name_line(help_text: str) -> str:
    """The NAME line's description: the app help's first sentence, lower-case start, no full stop."""
    first = re.split(r"(?<=\.)\s", help_text, maxsplit=1)[0].rstrip(".")
    return first[:1].lower() + first[1:]


def ordered(commands: Iterable[Cmd]) -> list[Cmd]:
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(commands, key=lambda c: rank.get(c.name, len(ORDER)))


def render(tree: Cmd | None = None) -> str:
    """The man page text for the current app."""
    from .. import __version__
    from ..cache import TTL
    from ..settings import Settings

    tree = tree or app_tree()
    env = template_env()
    env.filters.update(t=roff_text, c=roff_code, sig=option_signature, details=option_details, usage=argument_usage)
    visible = [c for c in tree.subcommands if not c.hidden]
    aliases: dict[str, list[str]] = {}
    for c in tree.subcommands:
        if c.alias_of:
            aliases.setdefault(c.alias_of, []).append(c.name)
    envvars: list[Opt] = []
    seen: set[str] = set()
    for cmd in tree.walk():
        for opt in cmd.options:
            if opt.envvar and opt.envvar not in seen:
                seen.add(opt.envvar)
                envvars.append(opt)
    return env.get_template("mcsctl.1.j2").render(
        version=__version__,
        tree=tree,
        commands=ordered(visible),
        aliases=aliases,
        globals_=[o for o in tree.options],
        envvars=envvars,
        exit_codes=[(int(code), EXIT_TEXT[code]) for code in ExitCode],
        ttl=TTL,
        name_line=name_line(tree.help),
        config_keys=[f.name for f in fields(Settings)],
    )
