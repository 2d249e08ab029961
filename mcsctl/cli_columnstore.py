"""`mcsctl columnstore` (alias `cs`): the ColumnStore side as CMAPI shows it."""

import typer

from .changes import format_word
from .choices import OutputFormat
from .cli_app import FormatOpt, app
from .cli_frame import handled

columnstore_app = typer.Typer(
    help="ColumnStore as CMAPI sees it (needs a CMAPI key: --cmapi-key or the monitor's cs_admin_api_key).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(columnstore_app, name="columnstore")
app.add_typer(columnstore_app, name="cs", help="Alias of columnstore.", hidden=True)


@columnstore_app.command("status")
def columnstore_status(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Nodes, roles, cluster modes, services against the full set for the role, active and inactive nodes,
    the config revision, and whether CMAPI's primary is MaxScale's. Only the DBRM master's mode counts."""
    with handled(ctx) as st:
        fmt = format_word(fmt)
        from .render_cs import status

        status(st.cluster.columnstore_status(), fmt)
