"""The top-level commands besides `maintenance`: servers, switchover, drain, undrain, rolling, completion."""

import sys
from typing import Annotated

import typer

from . import changes
from .changes import format_word, on_keywords
from .choices import OnTimeout, OutputFormat
from .cli_app import (
    AllowColumnstorePrimary,
    AllowUnhealthy,
    ColumnstoreStart,
    Command,
    CsSettle,
    DrainTimeout,
    DryRun,
    Expires,
    Force,
    FormatOpt,
    NoDrain,
    OnTimeoutOpt,
    Reason,
    ServerArg,
    SkipUnreachable,
    Takeover,
    To,
    Wait,
    Yes,
    app,
)
from .cli_frame import handled
from .options import typer_type


@app.command()
def servers(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List the servers as every MaxScale sees them (maintenance and down servers marked on a TTY)."""
    from .readers import show_servers

    with handled(ctx) as st:
        show_servers(st, format_word(fmt))


@app.command()
def switchover(
    ctx: typer.Context,
    to: To = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    skip_unreachable: SkipUnreachable = False,
    takeover: Takeover = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Switch the primary over to a replica (mariadbmon) and confirm on every MaxScale (asks first, or --yes)."""
    given = dict(locals(), format=fmt)
    with handled(ctx) as st:
        changes.switch(st, [], given)


@app.command()
def drain(
    ctx: typer.Context,
    server: ServerArg,
    wait: Wait = False,
    drain_timeout: DrainTimeout = "60",
    dry_run: DryRun = False,
    skip_unreachable: SkipUnreachable = False,
    takeover: Takeover = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Set SERVER draining on every MaxScale (no new sessions use it) and confirm; the cordon step alone."""
    given = dict(locals(), format=fmt)
    with handled(ctx) as st:
        changes.drain(st, [server], given)


@app.command()
def undrain(
    ctx: typer.Context,
    server: ServerArg,
    dry_run: DryRun = False,
    skip_unreachable: SkipUnreachable = False,
    takeover: Takeover = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Clear SERVER's drain flag on every MaxScale and confirm."""
    given = dict(locals(), format=fmt)
    with handled(ctx) as st:
        changes.undrain(st, [server], given)


# ------------------------------------------------------------------ the options of rolling alone
RollServers = Annotated[
    str | None,
    typer.Option(
        "--servers",
        help="Only these servers, comma-separated (default: every server of the monitor).",
        metavar="A,B,...",
    ),
]
RollTo = typer_type("to", help="Where the primary goes when its turn comes (default: the most caught-up replica).")
Resume = Annotated[bool, typer.Option("--resume", help="Continue the last unfinished roll from the journal.")]
CatchupTimeout = Annotated[
    str,
    typer.Option(
        "--catchup-timeout",
        help="How long a node may take to be Running with its role and caught up on GTID.",
        metavar="DURATION",
    ),
]


@app.command(context_settings={"allow_interspersed_args": False})
def rolling(
    ctx: typer.Context,
    command: Command,
    servers_: RollServers = None,
    force: Force = False,
    no_drain: NoDrain = False,
    drain_timeout: DrainTimeout = "60",
    on_timeout: OnTimeoutOpt = OnTimeout.FAIL,
    to: RollTo = None,
    reason: Reason = None,
    expires: Expires = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    resume: Resume = False,
    catchup_timeout: CatchupTimeout = "600",
    takeover: Takeover = False,
    skip_unreachable: SkipUnreachable = False,
    allow_columnstore_primary: AllowColumnstorePrimary = False,
    allow_unhealthy: AllowUnhealthy = False,
    columnstore_start: ColumnstoreStart = False,
    cs_settle: CsSettle = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Roll COMMAND through the cluster: one node at a time, replicas first, the primary last (after a switchover)."""
    with handled(ctx) as st:
        fmt = format_word(fmt)
        from .errors import McsctlError
        from .render_status import roll

        names = [n.strip() for n in servers_.split(",") if n.strip()] if servers_ else None
        on = on_keywords(locals())  # a roll always switches the primary over at its turn: it has no --switchover
        try:
            report = st.output(dry_run, fmt).cluster.roll(
                command,
                names,
                resume=resume,
                catchup_timeout=catchup_timeout,
                takeover=takeover,
                skip_unreachable=skip_unreachable,
                **on,
            )
        except McsctlError as exc:
            if exc.report is not None:  # the roll failed: the node table and what is left, then the error
                roll(exc.report, fmt, st.reporter)
            raise
        roll(report, fmt, st.reporter)
        if dry_run:
            st.reporter.flush_plan()


@app.command()
def completion(
    ctx: typer.Context,
    shell: Annotated[str, typer.Argument(help="bash or zsh.", metavar="bash|zsh")],
) -> None:
    """Print the shell completion script (source it; the package also installs it under share/)."""
    with handled(ctx):
        from .completion import script
        from .render import safe

        safe(sys.stdout).write(script(shell))
