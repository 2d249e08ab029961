"""The Typer app: commands and options only. Each command calls the Cluster (mcsctl.api) built from the
resolved settings and hands the report to `render`. Errors become one line and an exit code in `handled`."""

import sys
from typing import Annotated

import typer

from . import __version__
from .choices import BackendKind, OnTimeout, OutputFormat, PlanFormat, word
from .cli_frame import State, handled
from .errors import UsageError
from .options import typer_type

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


# ------------------------------------------------------------------ shared option types
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


def _version(value: bool) -> None:
    if value:
        print(f"mcsctl {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    hosts: Annotated[
        str | None,
        typer.Option(
            "--hosts",
            "-H",
            envvar="MCSCTL_HOSTS",
            help="MaxScale REST endpoints, HOST[:PORT][,HOST...] (default 127.0.0.1:8989).",
            metavar="HOSTS",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", envvar="MCSCTL_USER", help="REST user (default admin).", metavar="USER"),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            "-p",
            envvar="MCSCTL_PASSWORD",
            help="REST password (default mariadb); prefer MCSCTL_PASSWORD or the config file.",
            metavar="PASS",
        ),
    ] = None,
    backend: Annotated[
        BackendKind | None,
        typer.Option(
            "--backend",
            envvar="MCSCTL_BACKEND",
            help="auto (maxctrl when found, else REST), maxctrl or rest.",
            metavar="auto|maxctrl|rest",
        ),
    ] = None,
    maxctrl: Annotated[
        str | None,
        typer.Option(
            "--maxctrl",
            envvar="MCSCTL_MAXCTRL",
            help="The maxctrl executable (default: maxctrl on PATH).",
            metavar="PATH",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            "-t",
            envvar="MCSCTL_TIMEOUT",
            help="Per-request timeout towards MaxScale, seconds (default 10).",
            metavar="SECONDS",
        ),
    ] = None,
    secure: Annotated[
        bool | None,
        typer.Option(
            "--secure/--no-secure", "-s", envvar="MCSCTL_SECURE", help="Use HTTPS towards MaxScale.", show_default=False
        ),
    ] = None,
    tls_ca_cert: Annotated[
        str | None,
        typer.Option("--tls-ca-cert", envvar="MCSCTL_TLS_CA_CERT", help="CA certificate for HTTPS.", metavar="PATH"),
    ] = None,
    tls_verify_server_cert: Annotated[
        bool | None,
        typer.Option(
            "--tls-verify-server-cert/--no-tls-verify-server-cert",
            envvar="MCSCTL_TLS_VERIFY_SERVER_CERT",
            help="Verify MaxScale's certificate (default yes).",
            show_default=False,
        ),
    ] = None,
    poll_interval: Annotated[
        float | None,
        typer.Option(
            "--poll-interval",
            envvar="MCSCTL_POLL_INTERVAL",
            help="Seconds between polls while confirming or draining (default 0.5).",
            metavar="SECONDS",
        ),
    ] = None,
    confirm_timeout: Annotated[
        float | None,
        typer.Option(
            "--confirm-timeout",
            envvar="MCSCTL_CONFIRM_TIMEOUT",
            help="Seconds to wait for every MaxScale to show a change (default 30).",
            metavar="SECONDS",
        ),
    ] = None,
    journal: Annotated[
        str | None,
        typer.Option(
            "--journal",
            envvar="MCSCTL_JOURNAL",
            help="The journal file (default $XDG_STATE_HOME/mcsctl/journal.jsonl).",
            metavar="PATH",
        ),
    ] = None,
    no_journal: Annotated[
        bool,
        typer.Option(
            "--no-journal",
            envvar="MCSCTL_NO_JOURNAL",
            help="Work without journal records (also `journal = false` in the config); the per-server lock stays.",
        ),
    ] = False,
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            envvar="MCSCTL_CONFIG",
            help="Config file (default $XDG_CONFIG_HOME/mcsctl/config.toml).",
            metavar="PATH",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", envvar="MCSCTL_QUIET", help="Print less on stderr.")] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", envvar="MCSCTL_VERBOSE", help="Show each maxctrl call or HTTP request on stderr."
        ),
    ] = False,
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    flags = dict(
        hosts=hosts,
        user=user,
        password=password,
        backend=word(backend),
        maxctrl=maxctrl,
        timeout=timeout,
        secure=secure,
        tls_ca_cert=tls_ca_cert,
        tls_verify_server_cert=tls_verify_server_cert,
        poll_interval=poll_interval,
        confirm_timeout=confirm_timeout,
        journal=journal,
        no_journal=True if no_journal else None,
        verbose=1 if verbose else (-1 if quiet else 0),
    )
    ctx.obj = State(flags, config)


# ------------------------------------------------------------------ commands
@app.command()
def servers(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """List the servers as every MaxScale sees them (maintenance and down servers marked on a TTY)."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        from . import render
        from .cache import write_names
        from .status import silent_error

        report = st.cluster.servers()  # what answers is shown; exit 5 when some did not
        for why in report.unanswered.values():
            st.reporter.warn(f"{why}; its servers are missing below")
        write_names([s.name for s in report.servers], st.flags["hosts"])
        render.servers(report.servers, fmt)
        for line in report.disagreements:
            st.reporter.warn(line)
        if report.unanswered:
            raise silent_error(report.unanswered, len(st.cluster.settings.hosts))


def _on(
    *,
    force,
    no_drain,
    drain_timeout,
    on_timeout,
    switchover,
    to,
    allow_primary,
    reason,
    expires,
    dry_run,
    yes,
    allow_last=False,
) -> dict:
    """The `maintenance on` options (shared by run and rolling) as the keywords of Cluster.enter/run/roll."""
    return dict(
        force=force,
        drain=not no_drain,
        drain_timeout=drain_timeout,
        on_timeout=on_timeout,
        switchover=switchover,
        to=to,
        allow_primary=allow_primary,
        allow_last=allow_last,
        reason=reason,
        expires=expires,
        dry_run=dry_run,
        yes=yes,
    )


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
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Drain each SERVER, put it into maintenance on every MaxScale, and confirm (several: together, all or nothing)."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        on = _on(
            force=force,
            no_drain=no_drain,
            drain_timeout=drain_timeout,
            on_timeout=on_timeout,
            switchover=switchover,
            to=to,
            allow_primary=allow_primary,
            reason=reason,
            expires=expires,
            dry_run=dry_run,
            yes=yes,
            allow_last=allow_last,
        )
        report = st.output(dry_run, fmt).cluster.enter(
            servers_, takeover=takeover, skip_unreachable=skip_unreachable, **on
        )
        _finish(st, report.servers, dry_run, fmt)


def _finish(st: "State", outcomes: list, dry_run: bool, fmt: str) -> None:
    """The end of a changing command: the plan (--dry-run; JSON with --format json) or the outcomes."""
    if dry_run:
        st.reporter.flush_plan()
    else:
        st.reporter.outcomes(outcomes, fmt)


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
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Take each SERVER out of maintenance on every MaxScale, and confirm (several: all or nothing)."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        report = st.output(dry_run, fmt).cluster.leave(
            servers_,
            wait_healthy=wait_healthy,
            healthy_timeout=healthy_timeout,
            reason=reason,
            dry_run=dry_run,
            takeover=takeover,
            skip_unreachable=skip_unreachable,
        )
        _finish(st, report.servers, dry_run, fmt)


@maintenance_app.command("status")
def maintenance_status(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Argument(help="Only this server.", metavar="[SERVER]")] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Show servers in maintenance or draining and unfinished changes: live state merged with the journal."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        from .status import status

        status(st, server, fmt)


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
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Enter maintenance, run COMMAND, wait until the monitor sees SERVER running, leave maintenance."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        on = _on(
            force=force,
            no_drain=no_drain,
            drain_timeout=drain_timeout,
            on_timeout=on_timeout,
            switchover=switchover,
            to=to,
            allow_primary=allow_primary,
            reason=reason,
            expires=expires,
            dry_run=dry_run,
            yes=yes,
        )
        st.output(dry_run, fmt).cluster.run(
            server,
            command,
            always_clear=always_clear,
            healthy_timeout=healthy_timeout,
            takeover=takeover,
            skip_unreachable=skip_unreachable,
            **on,
        )
        if dry_run:
            st.reporter.flush_plan()


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
        fmt = _check_format(fmt)
        if fmt == "json" and not dry_run:
            raise UsageError("--format json goes with --dry-run (reap reports on stderr)")
        st.output(dry_run, fmt).cluster.reap(dry_run, takeover=takeover, skip_unreachable=skip_unreachable)
        if dry_run:
            st.reporter.flush_plan()


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
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        report = st.output(dry_run, fmt).cluster.switchover(
            to, yes=yes, dry_run=dry_run, takeover=takeover, skip_unreachable=skip_unreachable
        )
        _finish(st, report.servers, dry_run, fmt)


@app.command()
def drain(
    ctx: typer.Context,
    server: ServerArg,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until SERVER is Drained (up to --drain-timeout).")] = False,
    drain_timeout: DrainTimeout = "60",
    dry_run: DryRun = False,
    skip_unreachable: SkipUnreachable = False,
    takeover: Takeover = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Set SERVER draining on every MaxScale (no new sessions use it) and confirm; the cordon step alone."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        report = st.output(dry_run, fmt).cluster.drain(
            server,
            wait=wait,
            drain_timeout=drain_timeout,
            dry_run=dry_run,
            takeover=takeover,
            skip_unreachable=skip_unreachable,
        )
        _finish(st, report.servers, dry_run, fmt)


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
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        report = st.output(dry_run, fmt).cluster.undrain(
            server, dry_run=dry_run, takeover=takeover, skip_unreachable=skip_unreachable
        )
        _finish(st, report.servers, dry_run, fmt)


@app.command(context_settings={"allow_interspersed_args": False})
def rolling(
    ctx: typer.Context,
    command: Command,
    servers_: Annotated[
        str | None,
        typer.Option(
            "--servers",
            help="Only these servers, comma-separated (default: every server of the monitor).",
            metavar="A,B,...",
        ),
    ] = None,
    force: Force = False,
    no_drain: NoDrain = False,
    drain_timeout: DrainTimeout = "60",
    on_timeout: OnTimeoutOpt = OnTimeout.FAIL,
    to: typer_type(
        "to", help="Where the primary goes when its turn comes (default: the most caught-up replica)."
    ) = None,
    reason: Reason = None,
    expires: Expires = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the last unfinished roll from the journal.")
    ] = False,
    catchup_timeout: Annotated[
        str,
        typer.Option(
            "--catchup-timeout",
            help="How long a node may take to be Running with its role and caught up on GTID.",
            metavar="DURATION",
        ),
    ] = "600",
    takeover: Takeover = False,
    skip_unreachable: SkipUnreachable = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Roll COMMAND through the cluster: one node at a time, replicas first, the primary last (after a switchover)."""
    with handled(ctx) as st:
        fmt = _check_format(fmt)
        from . import render
        from .rolling import HEADERS, rows_for_output

        names = [n.strip() for n in servers_.split(",") if n.strip()] if servers_ else None
        on = _on(
            force=force,
            no_drain=no_drain,
            drain_timeout=drain_timeout,
            on_timeout=on_timeout,
            switchover=True,
            to=to,
            allow_primary=False,
            reason=reason,
            expires=expires,
            dry_run=dry_run,
            yes=yes,
        )
        del on["switchover"]  # a roll always switches the primary over at its turn
        st.output(dry_run, fmt).cluster.roll(
            command,
            names,
            resume=resume,
            catchup_timeout=catchup_timeout,
            takeover=takeover,
            skip_unreachable=skip_unreachable,
            on_rows=lambda rows: render.rows_out(HEADERS, rows_for_output(rows), fmt),
            **on,
        )
        if dry_run:
            st.reporter.flush_plan()


@app.command()
def completion(
    ctx: typer.Context,
    shell: Annotated[str, typer.Argument(help="bash or zsh.", metavar="bash|zsh")],
) -> None:
    """Print the shell completion script (source it, or install completions/ from the package)."""
    with handled(ctx):
        from .completion import script
        from .render import safe

        safe(sys.stdout).write(script(shell))


def run() -> None:
    """Console entry point (see cli_entry.run): the app with mcsctl's signal and error handling."""
    from .cli_entry import run as run_app

    run_app(app)
