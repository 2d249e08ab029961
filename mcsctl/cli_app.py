"""The Typer app of mcsctl and what its commands share: the apps and the shared option types (declared once in
options.SHARED; what turns options into Cluster keywords and a report into output is changes.py). The
commands are declared in cli_global (the global options), cli_maintenance and cli_commands; cli.py imports
them all."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import DRAIN, OFF, typer_option, typer_type

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
WaitHealthy = typer_option(OFF["wait_healthy"])
HealthyTimeout = typer_option(OFF["healthy_timeout"])
Wait = typer_option(DRAIN["wait"])  # drain's own
Command = Annotated[
    list[str],
    typer.Argument(
        help="The command to run (after --); {server}, {address} and {port} are replaced.", metavar="COMMAND..."
    ),
]
