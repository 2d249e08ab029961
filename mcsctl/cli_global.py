"""The global options of mcsctl (before the command: hosts, credentials, backend, timeouts, journal, ...)
and the app's callback that turns them into the State every command uses."""

import os
from typing import Annotated

import typer

from . import __version__
from .choices import BackendKind, word
from .cli_app import app
from .cli_frame import State


def _version(value: bool) -> None:
    if value:
        print(f"mcsctl {__version__}")
        raise typer.Exit()


HostsOpt = Annotated[
    str | None,
    typer.Option(
        "--hosts",
        "-H",
        envvar="MCSCTL_HOSTS",
        help="MaxScale REST endpoints, HOST[:PORT][,HOST...] (default 127.0.0.1:8989).",
        metavar="HOSTS",
    ),
]
UserOpt = Annotated[
    str | None,
    typer.Option("--user", "-u", envvar="MCSCTL_USER", help="REST user (default admin).", metavar="USER"),
]
PasswordOpt = Annotated[
    str | None,
    typer.Option(
        "--password",
        "-p",
        envvar="MCSCTL_PASSWORD",
        help="REST password (default mariadb); prefer MCSCTL_PASSWORD or the config file.",
        metavar="PASS",
    ),
]
BackendOpt = Annotated[
    BackendKind | None,
    typer.Option(
        "--backend",
        envvar="MCSCTL_BACKEND",
        help="auto (maxctrl when found, else REST), maxctrl or rest.",
        metavar="auto|maxctrl|rest",
    ),
]
MaxctrlOpt = Annotated[
    str | None,
    typer.Option(
        "--maxctrl",
        envvar="MCSCTL_MAXCTRL",
        help="The maxctrl executable (default: maxctrl on PATH).",
        metavar="PATH",
    ),
]
TimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        "-t",
        envvar="MCSCTL_TIMEOUT",
        help="Per-request timeout towards MaxScale, seconds (default 10).",
        metavar="SECONDS",
    ),
]
SecureOpt = Annotated[
    bool | None,
    typer.Option(
        "--secure/--no-secure", "-s", envvar="MCSCTL_SECURE", help="Use HTTPS towards MaxScale.", show_default=False
    ),
]
TlsCaCertOpt = Annotated[
    str | None,
    typer.Option("--tls-ca-cert", envvar="MCSCTL_TLS_CA_CERT", help="CA certificate for HTTPS.", metavar="PATH"),
]
TlsVerifyServerCertOpt = Annotated[
    bool | None,
    typer.Option(
        "--tls-verify-server-cert/--no-tls-verify-server-cert",
        envvar="MCSCTL_TLS_VERIFY_SERVER_CERT",
        help="Verify MaxScale's certificate (default yes).",
        show_default=False,
    ),
]
PollIntervalOpt = Annotated[
    float | None,
    typer.Option(
        "--poll-interval",
        envvar="MCSCTL_POLL_INTERVAL",
        help="Seconds between polls while confirming or draining (default 0.5).",
        metavar="SECONDS",
    ),
]
ConfirmTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--confirm-timeout",
        envvar="MCSCTL_CONFIRM_TIMEOUT",
        help="Seconds to wait for every MaxScale to show a change (default 30).",
        metavar="SECONDS",
    ),
]
JournalOpt = Annotated[
    str | None,
    typer.Option(
        "--journal",
        envvar="MCSCTL_JOURNAL",
        help="The journal file (default $XDG_STATE_HOME/mcsctl/journal.jsonl), or a shared journal "
        "mariadb://USER@HOST[:PORT]/DATABASE (password: journal_password in the config or MCSCTL_JOURNAL_PASSWORD).",
        metavar="PATH|URL",
    ),
]
NoJournalOpt = Annotated[
    bool,
    typer.Option(
        "--no-journal",
        envvar="MCSCTL_NO_JOURNAL",
        help="Work without journal records (also `journal = false` in the config); the per-server lock stays.",
    ),
]
# The shared journal (issue 15): what an unreachable database does, and how long a lease lasts.
JournalFallbackOpt = Annotated[
    str | None,
    typer.Option(
        "--journal-fallback",
        envvar="MCSCTL_JOURNAL_FALLBACK",
        help="When the journal's database cannot be reached: none (exit 3, change nothing; the default) or "
        "local (write this host's journal file instead, with a warning).",
        metavar="none|local",
    ),
]
LeaseSecondsOpt = Annotated[
    float | None,
    typer.Option(
        "--lease-seconds",
        envvar="MCSCTL_LEASE_SECONDS",
        help="How long a shared lease (mariadb:// journal) outlives its holder's last renewal (default 120).",
        metavar="SECONDS",
    ),
]
ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config",
        envvar="MCSCTL_CONFIG",
        help="Config file (default $XDG_CONFIG_HOME/mcsctl/config.toml).",
        metavar="PATH",
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", envvar="MCSCTL_QUIET", help="Print less on stderr.")]
VerboseOpt = Annotated[
    bool,
    typer.Option("--verbose", "-v", envvar="MCSCTL_VERBOSE", help="Show each maxctrl call or HTTP request on stderr."),
]
# ---- notifications and hooks (issue 15; docs/events.md): their own group
NotifyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--notify",
        envvar="MCSCTL_NOTIFY",
        help="POST every event (JSON) to this webhook URL; repeatable (MCSCTL_NOTIFY: a comma list). "
        "Best effort: a failure is a warning.",
        metavar="URL",
        show_default=False,
    ),
]
HookTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--hook-timeout",
        envvar="MCSCTL_HOOK_TIMEOUT",
        help="Seconds a hook ([hooks] in the config) may run; a pre-hook that takes longer vetoes (default 60).",
        metavar="SECONDS",
    ),
]
NotifyTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--notify-timeout",
        envvar="MCSCTL_NOTIFY_TIMEOUT",
        help="Seconds per webhook POST, and in all for the ones left when the command ends (default 5).",
        metavar="SECONDS",
    ),
]


def _notify_urls(ctx: typer.Context, urls: list[str] | None) -> list[str] | None:
    """--notify URLs; MCSCTL_NOTIFY is a comma list (a URL with a comma goes in the config file)."""
    if not urls:
        return None
    source = ctx.get_parameter_source("notify")
    if source is not None and source.name == "ENVIRONMENT":
        return [u for item in urls for u in item.split(",") if u.strip()] or None
    return urls


VersionOpt = Annotated[
    bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
]


# ------------------------------------------------------------ ColumnStore (CMAPI): mcsctl/columnstore.py
CmapiKeyOpt = Annotated[
    str | None,
    typer.Option(
        "--cmapi-key",
        envvar="MCSCTL_CMAPI_KEY",
        help="CMAPI API key (default: the monitor's cs_admin_api_key); prefer MCSCTL_CMAPI_KEY or the config file.",
        metavar="KEY",
    ),
]
CmapiPortOpt = Annotated[
    int | None,
    typer.Option(
        "--cmapi-port",
        envvar="MCSCTL_CMAPI_PORT",
        help="CMAPI port on every node (default: the monitor's cs_admin_port, 8640).",
        metavar="PORT",
    ),
]
CmapiCaCertOpt = Annotated[
    str | None,
    typer.Option(
        "--cmapi-ca-cert",
        envvar="MCSCTL_CMAPI_CA_CERT",
        help="Verify CMAPI's certificates (and hostnames) against this CA (default: accept the self-signed ones).",
        metavar="PATH",
    ),
]
ColumnstoreOpt = Annotated[
    bool | None,
    typer.Option(
        "--columnstore/--no-columnstore",
        envvar="MCSCTL_COLUMNSTORE",
        help="Check ColumnStore through CMAPI when a key is known (default); --no-columnstore: plain MariaDB.",
        show_default=False,
    ),
]
CmapiFailoverOpt = Annotated[
    bool | None,
    typer.Option(
        "--cmapi-failover/--no-cmapi-failover",
        envvar="MCSCTL_CMAPI_FAILOVER",
        help="Whether CMAPI's auto_failover may be on (default yes; `cmapi_failover = false` in the config says off).",
        show_default=False,
    ),
]


@app.callback()
def main(
    ctx: typer.Context,
    hosts: HostsOpt = None,
    user: UserOpt = None,
    password: PasswordOpt = None,
    backend: BackendOpt = None,
    maxctrl: MaxctrlOpt = None,
    timeout: TimeoutOpt = None,
    secure: SecureOpt = None,
    tls_ca_cert: TlsCaCertOpt = None,
    tls_verify_server_cert: TlsVerifyServerCertOpt = None,
    poll_interval: PollIntervalOpt = None,
    confirm_timeout: ConfirmTimeoutOpt = None,
    journal: JournalOpt = None,
    no_journal: NoJournalOpt = False,
    journal_fallback: JournalFallbackOpt = None,
    lease_seconds: LeaseSecondsOpt = None,
    config: ConfigOpt = None,
    cmapi_key: CmapiKeyOpt = None,
    cmapi_port: CmapiPortOpt = None,
    cmapi_ca_cert: CmapiCaCertOpt = None,
    columnstore: ColumnstoreOpt = None,
    cmapi_failover: CmapiFailoverOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    notify: NotifyOpt = None,
    hook_timeout: HookTimeoutOpt = None,
    notify_timeout: NotifyTimeoutOpt = None,
    version: VersionOpt = None,
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
        journal_fallback=journal_fallback,
        lease_seconds=lease_seconds,
        journal_password=os.environ.get("MCSCTL_JOURNAL_PASSWORD") or None,  # never a flag: secrets stay off argv
        verbose=1 if verbose else (-1 if quiet else 0),
        notify=_notify_urls(ctx, notify),
        hook_timeout=hook_timeout,
        notify_timeout=notify_timeout,
        cmapi_key=cmapi_key,
        cmapi_port=cmapi_port,
        cmapi_ca_cert=cmapi_ca_cert,
        columnstore=columnstore,
        cmapi_failover=cmapi_failover,
    )
    ctx.obj = State(flags, config)
