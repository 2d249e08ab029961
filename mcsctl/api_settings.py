"""How the API turns its arguments into values: Settings from explicit values or the MCSCTL_* environment,
--expires and duration words into seconds. Used by `mcsctl.api.Cluster`; no I/O beyond os.environ."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .choices import BackendKind, values, word
from .errors import UsageError

if TYPE_CHECKING:
    from .settings import Settings


def settings_of(given: dict[str, Any]) -> Settings:
    """Settings from explicit values (no config file, no environment); unset ones take the defaults."""
    from .settings import MAX_SECONDS, Settings, parse_hosts

    given = {k: word(v) for k, v in given.items() if v is not None}
    for name in _ENV_NUMBERS:
        value = given.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_SECONDS
        ):
            raise UsageError(f"{name} must be a positive number of seconds up to {MAX_SECONDS}, not {value!r}")
    settings = replace(Settings(), **given)
    if settings.backend not in values(BackendKind):
        raise UsageError(f"--backend must be auto, maxctrl or rest, not {settings.backend!r}")
    return replace(settings, hosts=parse_hosts(settings.hosts))


_ENV_NUMBERS = ("timeout", "poll_interval", "confirm_timeout")
_ENV_BOOLS = ("secure", "tls_verify_server_cert", "no_journal")
_ENV_STRINGS = ("hosts", "user", "password", "backend", "maxctrl", "tls_ca_cert", "journal")
_TRUE, _FALSE = ("1", "true", "t", "yes", "y", "on"), ("0", "false", "f", "no", "n", "off")


def environment() -> dict[str, Any]:
    """The settings the MCSCTL_* variables give (what Typer reads for the CLI), converted alike."""
    flags: dict[str, Any] = {}
    for name in (*_ENV_STRINGS, *_ENV_NUMBERS, *_ENV_BOOLS):
        var = "MCSCTL_" + name.upper()
        raw = os.environ.get(var)
        if raw is None or raw == "":
            continue
        if name in _ENV_NUMBERS:
            try:
                flags[name] = float(raw)
            except ValueError:
                raise UsageError(f"{var} must be a number of seconds, not {raw!r}") from None
        elif name in _ENV_BOOLS:
            word = raw.strip().lower()
            if word not in _TRUE + _FALSE:
                raise UsageError(f"{var} must be true or false, not {raw!r}")
            flags[name] = word in _TRUE
        else:
            flags[name] = raw
    if flags.get("no_journal") is False:
        flags["no_journal"] = None  # as the CLI's flag: false means "not given", the config file may say
    return flags


def expiry(expires: str | float | None) -> tuple[float | None, float | None]:
    """(epoch, seconds after entering) of an --expires value: "2h", an ISO time, or epoch seconds."""
    if expires is None or expires == "":
        return None, None
    if isinstance(expires, (int, float)) and not isinstance(expires, bool):
        return float(expires), None
    from .durations import parse_duration, parse_until

    try:  # a duration counts from entering maintenance (per node in a roll); a time is a time
        return None, parse_duration(str(expires))
    except UsageError:
        return parse_until(str(expires), time.time()), None


def seconds(value: str | float) -> float:
    from .durations import parse_duration

    return float(value) if isinstance(value, (int, float)) else parse_duration(value)
