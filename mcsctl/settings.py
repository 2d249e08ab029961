"""Where hosts, credentials, backend and timeouts come from: flag > MCSCTL_* environment > config file > default.

Typer resolves flag > environment (each option names its MCSCTL_* variable); options left unset arrive
here as None and are filled from the TOML config file, then from the defaults below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import UsageError

DEFAULT_PORT = 8989


@dataclass(frozen=True)
class Settings:
    hosts: tuple[str, ...] = ("127.0.0.1:8989",)
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


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "mcsctl" / "config.toml"


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
    out = []
    for raw in items:
        item = raw.strip()
        if not item:
            raise UsageError(f"--hosts: empty host name in {value!r}")
        if any(c.isspace() for c in item) or "/" in item:
            raise UsageError(f"--hosts: bad host {item!r} (expected HOST[:PORT], comma-separated)")
        if item.startswith("["):
            addr, close, rest = item[1:].partition("]")
            if not close or not addr or (rest and not rest.startswith(":")):
                raise UsageError(f"--hosts: bad IPv6 host {item!r} (expected [ADDR]:PORT)")
            host, port = f"[{addr}]", rest[1:]
        elif item.count(":") > 1:  # a bare IPv6 address: the port needs brackets, [ADDR]:PORT
            host, port = f"[{item}]", ""
        else:
            host, _, port = item.partition(":")
            if not host:
                raise UsageError(f"--hosts: no host name in {item!r}")
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise UsageError(f"--hosts: bad port in {item!r} (1-65535)")
        item = f"{host}:{port or DEFAULT_PORT}"
        if item not in out:
            out.append(item)
    if not out:
        raise UsageError("no MaxScale host given (--hosts, MCSCTL_HOSTS or `hosts` in the config file)")
    return tuple(out)


def _load_config(path: Path, explicit: bool) -> dict:
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
    return {k.replace("-", "_"): v for k, v in doc.items()}


_NUMBERS = ("timeout", "poll_interval", "confirm_timeout")
_BOOLS = ("secure", "tls_verify_server_cert", "no_journal")
_STRINGS = ("user", "password", "backend", "maxctrl", "tls_ca_cert", "journal")
MAX_SECONDS = 7 * 86400  # a week: anything longer is a typo, and would overflow timers


def _checked(name: str, value):
    """Type-check one setting (config files can hold anything); one-line UsageError otherwise."""
    flag = "--" + name.replace("_", "-")
    if name in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise UsageError(f"{flag} must be a number of seconds, not {value!r}")
        if not 0 < value <= MAX_SECONDS:  # also refuses NaN
            raise UsageError(f"{flag} must be a positive number of seconds up to {MAX_SECONDS}, not {value!r}")
        return float(value)
    if name in _BOOLS and not isinstance(value, bool):
        raise UsageError(f"{flag} must be true or false, not {value!r}")
    if name in _STRINGS and not isinstance(value, str):
        raise UsageError(f"{flag} must be a string, not {value!r}")
    return value


def resolve(flags: dict, config: str | None = None) -> Settings:
    """Fill the options the command line and environment left unset from the config file and defaults."""
    path = Path(config) if config else default_config_path()
    from_file = _load_config(path, explicit=bool(config))
    if isinstance(from_file.get("journal"), bool):  # `journal = false` turns the records off; true = default
        from_file["no_journal"] = from_file.get("no_journal") or not from_file.pop("journal")
    values = {}
    for f in fields(Settings):
        value = flags.get(f.name)
        if value is None:
            value = from_file.get(f.name)
        if value is not None:
            values[f.name] = _checked(f.name, value)
    settings = replace(Settings(), **values)
    hosts = parse_hosts(settings.hosts)
    if settings.backend not in ("auto", "maxctrl", "rest"):
        raise UsageError(f"--backend must be auto, maxctrl or rest, not {settings.backend!r}")
    if settings.tls_ca_cert and not os.access(settings.tls_ca_cert, os.R_OK):
        raise UsageError(f"--tls-ca-cert: cannot read {settings.tls_ca_cert}")
    return replace(settings, hosts=hosts)
