"""The `maintenance` commands (also `maint`): on, off, status, run, extend, reap."""

from typing import Annotated

import typer

from . import changes
from .changes import finish_change, format_word, on_keywords
from .choices import OnTimeout, OutputFormat, PlanFormat
from .cli_app import (
    AllowColumnstorePrimary,
    AllowLast,
    AllowPrimary,
    AllowUnhealthy,
    ColumnstoreStart,
    Command,
    CsSettle,
    DrainTimeout,
    DryRun,
    Expires,
    Force,
    FormatOpt,
    HealthyTimeout,
    MaxInMaintenance,
    NoDrain,
    OnTimeoutOpt,
    Reason,
    ServerArg,
    ServersArg,
    SkipUnreachable,
    Switchover,
    Takeover,
    To,
    WaitHealthy,
    Yes,
    maintenance_app,
)
from .cli_frame import handled
from .errors import McsctlError, UsageError
from .readers import show_status  # looked up here at each call (tests replace it)


@maintenance_app.command("on")
def maintenance_on(
    ctx: typer.Context,
    servers_: ServersArg,
    force: Force = False,
    no_drain: NoDrain = False,
    drain_timeout: DrainTimeout = "60",
    on_timeout: OnTimeoutOpt = OnTimeout.FAIL,
    switchover: Switchover = False,
    to: To = None,
    allow_primary: AllowPrimary = False,
    allow_last: AllowLast = False,
    reason: Reason = None,
    expires: Expires = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    takeover: Takeover = False,
    skip_unreachable: SkipUnreachable = False,
    allow_columnstore_primary: AllowColumnstorePrimary = False,
    allow_unhealthy: AllowUnhealthy = False,
    fmt: FormatOpt = OutputFormat.TABLE,
    max_in_maintenance: MaxInMaintenance = None,
) -> None:
    """Drain each SERVER, put it into maintenance on every MaxScale, and confirm (several: together, all or nothing)."""
    given = dict(locals(), format=fmt)
    with handled(ctx) as st:
        changes.enter(st, servers_, given)


@maintenance_app.command("off")
def maintenance_off(
    ctx: typer.Context,
    servers_: ServersArg,
    wait_healthy: WaitHealthy = False,
    healthy_timeout: HealthyTimeout = "300",
    reason: Reason = None,
    dry_run: DryRun = False,
    takeover: Takeover = False,
    skip_unreachable: SkipUnreachable = False,
    columnstore_start: ColumnstoreStart = False,
    cs_settle: CsSettle = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Take each SERVER out of maintenance on every MaxScale, and confirm (several: all or nothing)."""
    given = dict(locals(), format=fmt)
    with handled(ctx) as st:
        changes.leave(st, servers_, given)


@maintenance_app.command("status")
def maintenance_status(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Argument(help="Only this server.", metavar="[SERVER]")] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show servers in maintenance or draining and unfinished changes: live state merged with the journal."""
    with handled(ctx) as st:
        fmt = format_word(fmt)
        show_status(st, server, fmt)


@maintenance_app.command("run")
def maintenance_run(
    ctx: typer.Context,
    server: ServerArg,
    command: Command,
    force: Force = False,
    no_drain: NoDrain = False,
    drain_timeout: DrainTimeout = "60",
    on_timeout: OnTimeoutOpt = OnTimeout.FAIL,
    switchover: Switchover = False,
    to: To = None,
    allow_primary: AllowPrimary = False,
    reason: Reason = None,
    expires: Expires = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    always_clear: Annotated[
        bool, typer.Option("--always-clear", help="Leave maintenance even if COMMAND fails.")
    ] = False,
    healthy_timeout: HealthyTimeout = "300",
    takeover: Takeover = False,
    skip_unreachable: SkipUnreachable = False,
    allow_columnstore_primary: AllowColumnstorePrimary = False,
    allow_unhealthy: AllowUnhealthy = False,
    columnstore_start: ColumnstoreStart = False,
    cs_settle: CsSettle = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Enter maintenance, run COMMAND, wait until the monitor sees SERVER running, leave maintenance."""
    with handled(ctx) as st:
        fmt = format_word(fmt)
        on = on_keywords(locals())
        try:
            report = st.output(dry_run, fmt).cluster.run(
                server,
                command,
                always_clear=always_clear,
                healthy_timeout=healthy_timeout,
                takeover=takeover,
                skip_unreachable=skip_unreachable,
                **on,
            )
        except McsctlError as exc:
            if exc.report is not None:  # COMMAND failed or was interrupted: where the server stands, then why
                finish_change(st, exc.report.servers, dry_run, fmt)
            raise
        finish_change(st, report.servers, dry_run, fmt)


@maintenance_app.command("extend")
def maintenance_extend(
    ctx: typer.Context,
    server: ServerArg,
    expires: Annotated[
        str, typer.Option("--expires", help="The new end (duration from now like 2h, or an ISO time).", metavar="WHEN")
    ],
    reason: Reason = None,
    dry_run: DryRun = False,
    takeover: Takeover = False,
) -> None:
    """Move the expiry (and the reason) of a maintenance; changes only the journal."""
    with handled(ctx) as st:
        st.cluster.extend(server, expires, reason=reason, dry_run=dry_run, takeover=takeover)


@maintenance_app.command("reap")
def maintenance_reap(
    ctx: typer.Context,
    dry_run: DryRun = False,
    takeover: Takeover = False,
    skip_unreachable: SkipUnreachable = False,
    fmt: Annotated[
        PlanFormat,
        typer.Option("--format", "-f", help="With --dry-run: the plan as text (table) or JSON.", metavar="table|json"),
    ] = PlanFormat.TABLE,
) -> None:
    """Take out of maintenance every server whose --expires has passed."""
    with handled(ctx) as st:
        plan_format = format_word(fmt)
        if plan_format == "json" and not dry_run:
            raise UsageError("--format json goes with --dry-run (reap reports on stderr)")
        st.output(dry_run, plan_format).cluster.reap(dry_run, takeover=takeover, skip_unreachable=skip_unreachable)
        if dry_run:
            st.reporter.flush_plan()
