"""`mcsctl journal export|import`: records between this host's journal file and the shared (mariadb://) journal."""

from __future__ import annotations

from typing import Annotated

import typer

from .cli_app import app
from .cli_frame import handled

journal_app = typer.Typer(
    help="Move records between this host's journal file and the shared journal (--journal mariadb://...).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(journal_app, name="journal")

FileOpt = Annotated[
    str | None,
    typer.Option(
        "--file", help="The local journal file (default $XDG_STATE_HOME/mcsctl/journal.jsonl).", metavar="PATH"
    ),
]


@journal_app.command("export")
def journal_export(ctx: typer.Context, file: FileOpt = None) -> None:
    """Copy the shared journal's records to the file.

    Records the local file already has are not copied again; the counts are printed on stderr."""
    from .journal.transfer import export

    with handled(ctx) as st:
        st.reporter.info(export(st.cluster.settings, file).message("exported"))


@journal_app.command("import")
def journal_import(ctx: typer.Context, file: FileOpt = None) -> None:
    """Copy the file's records to the shared journal.

    Records the shared journal already has are not copied again; the counts are printed on stderr."""
    from .journal.transfer import import_

    with handled(ctx) as st:
        st.reporter.info(import_(st.cluster.settings, file).message("imported"))
