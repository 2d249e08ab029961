"""How the API turns its arguments into values: Settings from explicit values or the MCSCTL_* environment,
--expires and duration words into seconds, the checked `maintenance on`
options. Used by `mcsctl.api.Cluster`; no I/O beyond os.environ."""

from __future__ import annotations

import os
import time

from .choices import OnTimeout, word
from .errors import UsageError

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

    from .outcome import OnOptions
    from .settings import Settings


def settings_of(given: dict[str, Any]) -> Settings:
    """Settings from explicit values (no config file, no environment); unset ones take the defaults."""
    from .dataclass_lite import fields
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


def on_options(
    *,
    force: bool = False,
    drain: bool = True,
    drain_timeout: str | float = 60,
    on_timeout: OnTimeout | str = OnTimeout.FAIL,
    switchover: bool = False,
    to: str | None = None,
    allow_primary: bool = False,
    allow_last: bool = False,
    reason: str | None = None,
    expires: str | float | None = None,
    yes: bool = False,
    dry_run: bool = False,
) -> OnOptions:
    """The `maintenance on` options, checked (bad values are UsageError, exit 2)."""
    from .outcome import ON_TIMEOUT, OnOptions

    on_timeout = str(word(on_timeout))  # an OnTimeout member or its word
    if on_timeout not in ON_TIMEOUT:
        raise UsageError(f"--on-timeout must be one of {', '.join(ON_TIMEOUT)}, not {on_timeout!r}")
    if to and not switchover:
        raise UsageError("--to goes with --switchover")
    expires_at, expires_after = expiry(expires)
    return OnOptions(
        force=force,
        drain=drain,
        drain_timeout=seconds(drain_timeout),
        on_timeout=on_timeout,
        switchover=switchover,
        to=to,
        allow_primary=allow_primary,
        allow_last=allow_last,
        reason=reason,
        expires=expires_at,
        expires_after=expires_after,
        dry_run=dry_run,
        yes=yes,
    )
