"""Durations and deadlines typed by admins: `90`, `90s`, `15m`, `1h30m`, `1.5h`, `2026-11-26T06:00`.

`parse_duration` and `parse_until` raise `UsageError` (exit 2) with one line naming the bad value
and the accepted forms; `format_duration` is their inverse for display.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

from mcsctl.errors import UsageError

# Units in the only order they may appear (largest first), with their length in seconds.
UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}

ACCEPTED = "a number of seconds or a duration like 90s, 15m, 2h, 1d, 1h30m, 1.5h"

_NUMBER = r"(?:\d+(?:\.\d*)?|\.\d+)"
_PART = re.compile(rf"({_NUMBER})([dhms])")
_PLAIN = re.compile(rf"{_NUMBER}")


def _bad(text: object, accepted: str = ACCEPTED) -> UsageError:
    return UsageError(f"invalid duration {text!r}: expected {accepted}")


def parse_duration(text: str) -> float:
    """Seconds in `text`: a bare number (seconds) or `<n><unit>` parts, units d/h/m/s, largest first.

    Each unit appears at most once and in decreasing order (`1h30m`, not `30m1h`), so a slip like
    `1m1m` is reported rather than guessed at. Negative, infinite and empty values are refused.
    """
    if not isinstance(text, str):
        raise _bad(text)
    s = text.strip().lower()
    if not s:
        raise _bad(text)
    if _PLAIN.fullmatch(s):
        value = float(s)
        if not math.isfinite(value):  # a 400-digit number parses to inf
            raise _bad(text)
        return value
    total = 0.0
    pos = 0
    last_rank = -1
    order = list(UNITS)
    for m in _PART.finditer(s):
        if m.start() != pos:
            raise _bad(text)
        rank = order.index(m.group(2))
        if rank <= last_rank:
            raise _bad(text)
        last_rank = rank
        total += float(m.group(1)) * UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or last_rank < 0 or not math.isfinite(total):
        raise _bad(text)
    return total


def format_duration(seconds: float) -> str:
    """`5400` -> `1h30m`, `45` -> `45s`, `183600` -> `2d3h`, `0` -> `0s`, `-90` -> `-1m30s`.

    Whole seconds are exact; a fractional remainder is kept to the millisecond
    (`1.5` -> `1.5s`), so `parse_duration(format_duration(x))` gives `x` back for such values.
    """
    if not math.isfinite(seconds):
        raise ValueError(f"cannot format {seconds!r} as a duration")
    sign = "-" if seconds < 0 else ""
    millis = round(abs(seconds) * 1000)
    whole, frac = divmod(millis, 1000)
    parts = []
    for unit, size in UNITS.items():
        count, whole = divmod(whole, size)
        if unit == "s":
            if count or frac:
                parts.append(f"{count}.{frac:03d}".rstrip("0") + "s" if frac else f"{count}s")
        elif count:
            parts.append(f"{count}{unit}")
    return sign + ("".join(parts) or "0s")


def parse_until(text: str, now: float) -> float:
    """Absolute epoch seconds for `--expires`: a duration from `now`, or an ISO-8601 timestamp.

    Timestamps may carry a zone (`2026-11-26T06:00+01:00`, `...Z`); a naive one is local time.
    A timestamp that is not after `now` is refused: an expiry in the past is always a mistake.
    """
    try:
        return now + parse_duration(text)
    except UsageError:
        pass
    accepted = f"{ACCEPTED}, or a date and time like 2026-11-26T06:00 (optionally with a zone)"
    try:
        when = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError, TypeError):
        raise _bad(text, accepted) from None
    # A naive datetime's .timestamp() already interprets it as local time.
    epoch = when.timestamp()
    if epoch <= now:
        raise UsageError(f"invalid expiry {text!r}: that time is already past")
    return epoch
