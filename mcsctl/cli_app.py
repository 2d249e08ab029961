"""The Typer app of mcsctl and what its commands share: the apps, the shared option types (declared once in
options.SHARED), and the helpers that turn options into Cluster keywords and a report into output.
The commands are declared in cli_global (the global options), cli_maintenance and cli_commands; cli.py
imports them all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .choices import OutputFormat, word
from .cs_api import CS_KEYWORDS as _CS_KEYWORDS  # the ColumnStore options Cluster.enter/run/roll/leave take
from .options import typer_type

if TYPE_CHECKING:
    from .cli_frame import State
    from .outcome import Outcome

HELP = """Safe MaxScale maintenance for MariaDB ColumnStore nodes.

Takes a node out of traffic the way a careful admin does by hand with maxctrl (set server X
maintenance, confirm in list servers, work, clear, confirm), on every MaxScale at once."""

app = typer.Typer(
    name="mcsctl",
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["--help"]},
)
maintenance_app = typer.Typer(
    help="Put a server into maintenance, take it out, show and reap maintenances.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(maintenance_app, name="maintenance")
app.add_typer(maintenance_app, name="maint", help="Alias of maintenance.", hidden=True)


# The "on" options and --format are declared once, in options.SHARED; these are their Typer types.
FormatOpt = typer_type("format")
ServerArg = Annotated[str, typer.Argument(help="The server's name as MaxScale knows it.", metavar="SERVER")]
DryRun = typer_type("dry_run")
Force = typer_type("force")
NoDrain = typer_type("no_drain")
DrainTimeout = typer_type("drain_timeout")
OnTimeoutOpt = typer_type("on_timeout")
Switchover = typer_type("switchover")
To = typer_type("to")
AllowPrimary = typer_type("allow_primary")
Reason = typer_type("reason")
Expires = typer_type("expires")
Yes = typer_type("yes")
SkipUnreachable = typer_type("skip_unreachable")
AllowLast = typer_type("allow_last")
Takeover = typer_type("takeover")
MaxInMaintenance = typer_type("max_in_maintenance")  # the cluster-wide limit (limit.py)
AllowColumnstorePrimary = typer_type("allow_columnstore_primary")
AllowUnhealthy = typer_type("allow_unhealthy")
ColumnstoreStart = typer_type("columnstore_start")
CsSettle = typer_type("cs_settle")
ServersArg = Annotated[
    list[str], typer.Argument(help="The servers' names as MaxScale knows them (all or nothing).", metavar="SERVER")
]
WaitHealthy = Annotated[
    bool, typer.Option("--wait-healthy", help="Also wait until the server is Running with a role again.")
]
HealthyTimeout = Annotated[
    str,
    typer.Option("--healthy-timeout", help="How long to wait for the server to be healthy again.", metavar="DURATION"),
]
Command = Annotated[
    list[str],
    typer.Argument(
        help="The command to run (after --); {server}, {address} and {port} are replaced.", metavar="COMMAND..."
    ),
]


def _check_format(fmt: OutputFormat | str) -> str:
    """The --format word (Click has checked it is one of the choices)."""
    return str(word(fmt))


# The `maintenance on` options a command may have, by the name Cluster.enter/run/roll give them.
_ON_KEYWORDS = (
    "force",
    "drain_timeout",
    "on_timeout",
    "switchover",
    "to",
    "allow_primary",
    "allow_last",
    "reason",
    "expires",
    "dry_run",
    "yes",
)


def _on(given: Mapping[str, Any]) -> dict[str, Any]:
    """The `maintenance on` options among a command's parameters (it passes `locals()`), as the keywords of
    Cluster.enter/run/roll: the ones it has, and `--no-drain` as `drain`."""
    on = {key: given[key] for key in _ON_KEYWORDS + _CS_KEYWORDS if key in given}
    on["drain"] = not given["no_drain"]
    return on


def _finish(st: State, outcomes: list[Outcome], dry_run: bool, fmt: str) -> None:
    """The end of a changing command: the plan (--dry-run; JSON with --format json) or the outcomes."""
    if dry_run:
        st.reporter.flush_plan()
    else:
        st.reporter.outcomes(outcomes, fmt)
