"""How the API turns its arguments into values: Settings from explicit values or the MCSCTL_* environment,
--expires and duration words into seconds. Used by `mcsctl.api.Cluster`; no I/O beyond os.environ."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from .choices import word
from .errors import UsageError

if TYPE_CHECKING:
    from .settings import Settings


def settings_of(given: dict[str, Any]) -> Settings:
    """Settings from explicit values (no config file, no environment); unset ones take the defaults."""
    from dataclasses import fields

    from .settings import Settings, from_values

    unknown = sorted(set(given) - {f.name for f in fields(Settings)})
    if unknown:
        raise UsageError(f"Cluster() has no setting {unknown[0]!r} (the settings: mcsctl.settings.Settings)")
    return from_values({k: word(v) for k, v in given.items()})


_TRUE, _FALSE = ("1", "true", "t", "yes", "y", "on"), ("0", "false", "f", "no", "n", "off")


def environment() -> dict[str, Any]:
    """The settings the MCSCTL_* variables give (what Typer reads for the CLI), converted alike."""
    from .settings import BOOLS, LISTS, NUMBERS, PORTS, STRINGS

    flags: dict[str, Any] = {}
    for name in ("hosts", *STRINGS, *NUMBERS, *BOOLS, *LISTS, *PORTS):
        var = "MCSCTL_" + name.upper()
        raw = os.environ.get(var)
        if raw is None or raw == "":
            continue
        if name in NUMBERS:
            try:
                flags[name] = float(raw)
            except ValueError:
                raise UsageError(f"{var} must be a number of seconds, not {raw!r}") from None
        elif name in PORTS:
            try:
                flags[name] = int(raw)
            except ValueError:
                raise UsageError(f"{var} must be a port number, not {raw!r}") from None
        elif name in BOOLS:
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
