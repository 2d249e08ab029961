"""Where hosts, credentials, backend and timeouts come from: flag > MCSCTL_* environment > config file > default.

Typer resolves flag > environment (each option names its MCSCTL_* variable); options left unset arrive
here as None and are filled from the TOML config file, then from the defaults below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from . import paths
from .errors import UsageError
from .hosts import DEFAULT_PORT, normalise


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
    # ColumnStore (CMAPI) awareness: mcsctl/columnstore.py. The key has the password's secrecy.
    cmapi_key: str | None = None  # else the monitor's cs_admin_api_key; never a guessed one
    cmapi_port: int | None = None  # else the monitor's cs_admin_port (8640)
    cmapi_ca_cert: str | None = None  # verify CMAPI's certificate (and hostname) against this CA
    columnstore: bool = True  # false: a plain MariaDB cluster, no CMAPI calls, no "not checked" note
    cmapi_failover: bool = True  # false: the site runs CMAPI with auto_failover = False
    cs_settle: float = 10.0  # seconds between the polls that must show the same pids


def default_config_path() -> Path:
    """`$XDG_CONFIG_HOME/mcsctl/config.toml` (mcsctl/paths.py)."""
    return paths.config_dir() / "config.toml"


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


def _load_config(path: Path, explicit: bool) -> dict[str, Any]:
    try:
        data = path.read_bytes()
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
    if "password" in doc and path.stat().st_mode & 0o077:
        raise UsageError(f"config file {path} holds a password but is readable by others; chmod 600 it")
    if "cmapi_key" in doc and path.stat().st_mode & 0o077:
        raise UsageError(f"config file {path} holds a CMAPI key but is readable by others; chmod 600 it")
    return {k.replace("-", "_"): v for k, v in doc.items()}


NUMBERS = ("timeout", "poll_interval", "confirm_timeout", "cs_settle")
BOOLS = ("secure", "tls_verify_server_cert", "no_journal", "columnstore", "cmapi_failover")
STRINGS = ("user", "password", "backend", "maxctrl", "tls_ca_cert", "journal", "cmapi_key", "cmapi_ca_cert")
PORTS = ("cmapi_port",)
MAX_SECONDS = 7 * 86400  # a week: anything longer is a typo, and would overflow timers


def _checked(name: str, value: Any) -> Any:
    """Type-check one setting (config files can hold anything); one-line UsageError otherwise."""
    flag = "--" + name.replace("_", "-")
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
    path = Path(config) if config else default_config_path()
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
    if settings.cmapi_ca_cert and not os.access(settings.cmapi_ca_cert, os.R_OK):
        raise UsageError(f"--cmapi-ca-cert: cannot read {settings.cmapi_ca_cert}")
    return replace(settings, hosts=hosts)
