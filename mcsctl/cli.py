"""The Typer app: commands and options only. Each command calls the Cluster (mcsctl.api) built from the
resolved settings and hands the report to `render`. Errors become one line and an exit code in `handled`.

The app and what commands share live in cli_app; the commands in cli_global (the global options),
cli_maintenance (`maintenance ...`) and cli_commands (the others). Importing them here registers them:
`mcsctl.cli:app` is the app with every command."""

from . import (
    cli_columnstore,  # `mcsctl columnstore status` (issue 14)
    cli_commands,
    cli_global,
    cli_journal,  # `mcsctl journal export|import` (issue 15)
    cli_maintenance,
)
from .cli_app import HELP, app, maintenance_app
from .cli_commands import completion, drain, rolling, servers, switchover, undrain
from .cli_global import main
from .cli_maintenance import (
    maintenance_extend,
    maintenance_off,
    maintenance_on,
    maintenance_reap,
    maintenance_run,
    maintenance_status,
)

__all__ = [
    "HELP",
    "app",
    "cli_columnstore",
    "cli_commands",
    "cli_global",
    "cli_journal",
    "cli_maintenance",
    "completion",
    "drain",
    "main",
    "maintenance_app",
    "maintenance_extend",
    "maintenance_off",
    "maintenance_on",
    "maintenance_reap",
    "maintenance_run",
    "maintenance_status",
    "rolling",
    "servers",
    "switchover",
    "undrain",
]


def run() -> None:
    """Console entry point (see cli_entry.run): the app with mcsctl's signal and error handling."""
    from .cli_entry import run as run_app

    run_app(app)
