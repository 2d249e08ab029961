"""Where hosts, credentials, backend and timeouts come from: flag > MCSCTL_* environment > config file > default.

Typer resolves flag > environment (each option names its MCSCTL_* variable); options left unset arrive
here as None and are filled from the TOML config file, then from the defaults below.
"""

from __future__ import annotations

import os

from . import paths
from .dataclass_lite import dataclass, fields, replace
from .errors import UsageError
from .hosts import DEFAULT_PORT, normalise
from .secrecy import is_secret

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


@dataclass(frozen=True)
class Settings:
    hosts: tuple[str, ...] = (f"127.0.0.1:{DEFAULT_PORT}",)
    user: str = "admin"
    password: str = "mariadb"
    backend: str = "auto"  # auto | maxctrl | rest
    maxctrl: str | None = None
    timeout: float = 10.0  # per request, seconds
    secure: bool = False
    tls_ca_cert: str | None = None
    tls_verify_server_cert: bool = True
    poll_interval: float = 0.5  # seconds between confirmation / drain polls
    confirm_timeout: float = 30.0  # seconds to see a change on every MaxScale
    journal: str | None = None  # path of the journal (default under $XDG_STATE_HOME)
    no_journal: bool = False  # --no-journal / `journal = false`: work without records (the locks stay)
    # Notifications and hooks (issue 15, items 2-3; docs/events.md)
    notify: tuple[str, ...] = ()  # webhook URLs: every event is POSTed to each (--notify, MCSCTL_NOTIFY)
    hooks: tuple[tuple[str, tuple[str, ...]], ...] = ()  # `[hooks]`: (name, argv) pairs, hooks.NAMES
    hook_timeout: float = 60.0  # seconds a hook may run (a pre-hook that takes longer vetoes)
    notify_timeout: float = 5.0  # seconds per POST, and in all for what is left at the end of a command
    # The shared journal (issue 15): `journal = "mariadb://USER@HOST:PORT/DB"` (journal/url.py).
    journal_password: str | None = None  # config (chmod 600) or MCSCTL_JOURNAL_PASSWORD; never a flag
    journal_fallback: str = "none"  # none | local: an unreachable database -> this host's file, said loudly
    lease_seconds: float = 120.0  # a shared lease lasts this long after its holder's last renewal
    # ColumnStore (CMAPI) awareness: mcsctl/columnstore.py. The key has the password's secrecy.
    cmapi_key: str | None = None  # else the monitor's cs_admin_api_key; never a guessed one
    cmapi_port: int | None = None  # else the monitor's cs_admin_port (8640)
    cmapi_ca_cert: str | None = None  # verify CMAPI's certificate (and hostname) against this CA
    columnstore: bool = True  # false: a plain MariaDB cluster, no CMAPI calls, no "not checked" note
    cmapi_failover: bool = True  # false: the site runs CMAPI with auto_failover = False
    cs_settle: float = 10.0  # seconds between the polls that must show the same pids


def default_config_path() -> str:
    """`$XDG_CONFIG_HOME/mcsctl/config.toml` (mcsctl/paths.py)."""
    return os.path.join(paths.config_dir(), "config.toml")


def parse_hosts(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """`a,b:8990` (or a TOML list) -> ("a:8989", "b:8990"). IPv6 as `[::1]:8990`; a bare `::1` has no port."""
    if isinstance(value, (list, tuple)):
        if not all(isinstance(i, str) for i in value):
            raise UsageError(f"hosts must be strings, not {value!r}")
        items = list(value)
    elif isinstance(value, str):
        items = value.split(",")
    else:
        raise UsageError(f"hosts must be a string or a list of strings, not {value!r}")
    out: list[str] = []
    for raw in items:
        if not raw.strip():
            raise UsageError(f"--hosts: empty host name in {value!r}")
        item = normalise(raw, what="host in --hosts")
        if item not in out:
            out.append(item)
    if not out:
        raise UsageError("no MaxScale host given (--hosts, MCSCTL_HOSTS or `hosts` in the config file)")
    return tuple(out)


def _load_config(path: str, explicit: bool) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"config file {path} does not exist") from None
        return {}
    except OSError as exc:
        raise UsageError(f"cannot read config file {path}: {exc.strerror}") from None
    import tomllib

    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path}: {exc}") from None
    known = {f.name for f in fields(Settings)} | {"tls-ca-cert", "tls-verify-server-cert"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise UsageError(f"config file {path}: unknown key {unknown[0]!r}")
    held = [k for k in doc if is_secret(k.replace("-", "_"))]
    if held and os.stat(path).st_mode & 0o077:
        raise UsageError(f"config file {path} holds a secret ({held[0]}) but is readable by others; chmod 600 it")
    return {k.replace("-", "_"): v for k, v in doc.items()}


NUMBERS = (
    "timeout", "poll_interval", "confirm_timeout", "lease_seconds", "cs_settle", "hook_timeout", "notify_timeout",
)  # fmt: skip
BOOLS = ("secure", "tls_verify_server_cert", "no_journal", "columnstore", "cmapi_failover")
STRINGS = (
    "user", "password", "backend", "maxctrl", "tls_ca_cert", "journal", "journal_password", "journal_fallback",
    "cmapi_key", "cmapi_ca_cert",
)  # fmt: skip
PORTS = ("cmapi_port",)
MAX_SECONDS = 7 * 86400  # a week: anything longer is a typo, and would overflow timers
LISTS = ("notify",)  # a comma list in MCSCTL_* (api_settings.environment)


def _checked(name: str, value: Any) -> Any:
    """Type-check one setting (config files can hold anything); one-line UsageError otherwise."""
    flag = "--" + name.replace("_", "-")
    if name in ("notify", "hooks"):  # notifications and hooks check their own (notify.py, hooks.py)
        from .hooks import checked_hooks
        from .notify import checked_urls

        return checked_urls(value) if name == "notify" else checked_hooks(value)
    if name in NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{flag} must be a number of seconds, not {value!r}")
        if not 0 < value <= MAX_SECONDS:  # also refuses NaN
            raise UsageError(f"{flag} must be a positive number of seconds up to {MAX_SECONDS}, not {value!r}")
        return float(value)
    if name in BOOLS and not isinstance(value, bool):
        raise UsageError(f"{flag} must be true or false, not {value!r}")
    if name in STRINGS and not isinstance(value, str):
        raise UsageError(f"{flag} must be a string, not {value!r}")
    if name in PORTS and (isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 65536):
        raise UsageError(f"{flag} must be a port number (1-65535), not {value!r}")
    return value


def resolve(flags: dict[str, Any], config: str | None = None) -> Settings:
    """Fill the options the command line and environment left unset from the config file and defaults."""
    path = config or default_config_path()
    from_file = _load_config(path, explicit=bool(config))
    if isinstance(from_file.get("journal"), bool):  # `journal = false` turns the records off; true = default
        from_file["no_journal"] = from_file.get("no_journal") or not from_file.pop("journal")
    given = {
        f.name: flags[f.name] if flags.get(f.name) is not None else from_file.get(f.name) for f in fields(Settings)
    }
    return from_values(given)


def from_values(given: dict[str, Any]) -> Settings:
    """Settings from values already chosen (None: unset, the default applies), each checked as in a config
    file; the one builder for the CLI's resolution and the library's explicit values."""
    from .choices import BackendKind, values

    checked = {name: _checked(name, value) for name, value in given.items() if value is not None}
    settings = replace(Settings(), **checked)
    hosts = parse_hosts(settings.hosts)
    if settings.backend not in values(BackendKind):
        raise UsageError(f"--backend must be auto, maxctrl or rest, not {settings.backend!r}")
    if settings.tls_ca_cert and not os.access(settings.tls_ca_cert, os.R_OK):
        raise UsageError(f"--tls-ca-cert: cannot read {settings.tls_ca_cert}")
    _check_shared_journal(settings)
    if settings.cmapi_ca_cert and not os.access(settings.cmapi_ca_cert, os.R_OK):
        raise UsageError(f"--cmapi-ca-cert: cannot read {settings.cmapi_ca_cert}")
    return replace(settings, hosts=hosts)


def _check_shared_journal(settings: Settings) -> None:
    """A mariadb:// journal is parsed here (a password in it refused); the fallback is none or local."""
    if settings.journal is not None and "://" in settings.journal:  # a file path needs no import of the journal
        from .journal.url import is_database, parse

        if is_database(settings.journal):
            parse(settings.journal)
    if settings.journal_fallback not in ("none", "local"):
        raise UsageError(f"--journal-fallback must be none or local, not {settings.journal_fallback!r}")
