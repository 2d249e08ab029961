"""The global options of mcsctl, declared once as plain data: the Typer callback (cli_global) is built from
this table and the lean path (lean.py) parses argv with it, so nothing is declared twice. A new global
option is one more entry here (and, for a setting, its field in settings.Settings)."""

from __future__ import annotations

import os

from .choices import BackendKind, word
from .options import OptionSpec

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


def _g(
    name: str,
    flags: tuple[str, ...],
    type_: Any,
    help_: str,
    metavar: str | None = None,
    *,
    show_default: bool = True,
) -> OptionSpec:
    default = False if type_ is bool else None
    envvar = "MCSCTL_" + name.upper()
    return OptionSpec(name, flags, type_, help_, metavar, default, envvar=envvar, show_default=show_default)


# In the order of `mcsctl --help`. Types are runtime types for Typer (hence Optional spelled `X | None`).
GLOBAL: dict[str, OptionSpec] = {
    s.name: s
    for s in (
        _g(
            "hosts",
            ("--hosts", "-H"),
            str | None,
            "MaxScale REST endpoints, HOST[:PORT][,HOST...] (default 127.0.0.1:8989).",
            "HOSTS",
        ),
        _g("user", ("--user", "-u"), str | None, "REST user (default admin).", "USER"),
        _g(
            "password",
            ("--password", "-p"),
            str | None,
            "REST password (default mariadb); prefer MCSCTL_PASSWORD or the config file.",
            "PASS",
        ),
        _g(
            "backend",
            ("--backend",),
            BackendKind | None,
            "auto (maxctrl when found, else REST), maxctrl or rest.",
            "auto|maxctrl|rest",
        ),
        _g("maxctrl", ("--maxctrl",), str | None, "The maxctrl executable (default: maxctrl on PATH).", "PATH"),
        _g(
            "timeout",
            ("--timeout", "-t"),
            float | None,
            "Per-request timeout towards MaxScale, seconds (default 10).",
            "SECONDS",
        ),
        _g("secure", ("--secure/--no-secure", "-s"), bool | None, "Use HTTPS towards MaxScale.", show_default=False),
        _g("tls_ca_cert", ("--tls-ca-cert",), str | None, "CA certificate for HTTPS.", "PATH"),
        _g(
            "tls_verify_server_cert",
            ("--tls-verify-server-cert/--no-tls-verify-server-cert",),
            bool | None,
            "Verify MaxScale's certificate (default yes).",
            show_default=False,
        ),
        _g(
            "poll_interval",
            ("--poll-interval",),
            float | None,
            "Seconds between polls while confirming or draining (default 0.5).",
            "SECONDS",
        ),
        _g(
            "confirm_timeout",
            ("--confirm-timeout",),
            float | None,
            "Seconds to wait for every MaxScale to show a change (default 30).",
            "SECONDS",
        ),
        _g(
            "journal",
            ("--journal",),
            str | None,
            "The journal file (default $XDG_STATE_HOME/mcsctl/journal.jsonl), or a shared journal "
            "mariadb://USER@HOST[:PORT]/DATABASE "
            "(password: journal_password in the config or MCSCTL_JOURNAL_PASSWORD).",
            "PATH|URL",
        ),
        _g(
            "no_journal",
            ("--no-journal",),
            bool,
            "Work without journal records (also `journal = false` in the config); the per-server lock stays.",
        ),
        # The shared journal (issue 15): what an unreachable database does, and how long a lease lasts.
        _g(
            "journal_fallback",
            ("--journal-fallback",),
            str | None,
            "When the journal's database cannot be reached: none (exit 3, change nothing; the default) or "
            "local (write this host's journal file instead, with a warning).",
            "none|local",
        ),
        _g(
            "lease_seconds",
            ("--lease-seconds",),
            float | None,
            "How long a shared lease (mariadb:// journal) outlives its holder's last renewal (default 120).",
            "SECONDS",
        ),
        _g("config", ("--config",), str | None, "Config file (default $XDG_CONFIG_HOME/mcsctl/config.toml).", "PATH"),
        # ---- ColumnStore (CMAPI): mcsctl/columnstore.py (issue 14)
        _g(
            "cmapi_key",
            ("--cmapi-key",),
            str | None,
            "CMAPI API key (default: the monitor's cs_admin_api_key); prefer MCSCTL_CMAPI_KEY or the config file.",
            "KEY",
        ),
        _g(
            "cmapi_port",
            ("--cmapi-port",),
            int | None,
            "CMAPI port on every node (default: the monitor's cs_admin_port, 8640).",
            "PORT",
        ),
        _g(
            "cmapi_ca_cert",
            ("--cmapi-ca-cert",),
            str | None,
            "Verify CMAPI's certificates (and hostnames) against this CA (default: accept the self-signed ones).",
            "PATH",
        ),
        _g(
            "columnstore",
            ("--columnstore/--no-columnstore",),
            bool | None,
            "Check ColumnStore through CMAPI when a key is known (default); --no-columnstore: plain MariaDB.",
            show_default=False,
        ),
        _g(
            "cmapi_failover",
            ("--cmapi-failover/--no-cmapi-failover",),
            bool | None,
            "Whether CMAPI's auto_failover may be on (default yes; `cmapi_failover = false` in the config says off).",
            show_default=False,
        ),
        _g("quiet", ("--quiet", "-q"), bool, "Print less on stderr."),
        _g("verbose", ("--verbose", "-v"), bool, "Show each maxctrl call or HTTP request on stderr."),
        # ---- notifications and hooks (issue 15; docs/events.md)
        _g(
            "notify",
            ("--notify",),
            list[str] | None,
            "POST every event (JSON) to this webhook URL; repeatable (MCSCTL_NOTIFY: a comma list). "
            "Best effort: a failure is a warning.",
            "URL",
            show_default=False,
        ),
        _g(
            "hook_timeout",
            ("--hook-timeout",),
            float | None,
            "Seconds a hook ([hooks] in the config) may run; a pre-hook that takes longer vetoes (default 60).",
            "SECONDS",
        ),
        _g(
            "notify_timeout",
            ("--notify-timeout",),
            float | None,
            "Seconds per webhook POST, and in all for the ones left when the command ends (default 5).",
            "SECONDS",
        ),
    )
}
# Options that are not settings: how the callback uses them (the rest go to settings by their own name).
NOT_SETTINGS = ("config", "quiet", "verbose")


def flags_from(given: dict[str, Any], notify_from_env: bool = False) -> dict[str, Any]:
    """The State's flags from the parsed global options (by name, as the table gives them; unset: None/False).

    `notify_from_env`: the --notify URLs came from MCSCTL_NOTIFY, a comma list."""
    flags = {name: given.get(name) for name in GLOBAL if name not in NOT_SETTINGS}
    flags["backend"] = word(flags["backend"])
    flags["no_journal"] = True if given.get("no_journal") else None
    # never a flag: secrets stay off argv
    flags["journal_password"] = os.environ.get("MCSCTL_JOURNAL_PASSWORD") or None
    flags["verbose"] = 1 if given.get("verbose") else (-1 if given.get("quiet") else 0)
    urls = given.get("notify")
    if not urls:
        flags["notify"] = None
    elif notify_from_env:  # a URL with a comma goes in the config file
        flags["notify"] = [u for item in urls for u in item.split(",") if u.strip()] or None
    return flags
