"""JavaScript value semantics that maxctrl's output depends on (String(x), JSON.stringify)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any


def js_number(value: float | int) -> str:
    """String(n) for a JS number: integral floats lose their ".0"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _jsify(value: Any) -> Any:
    # Integral floats must print like JS numbers (0.0 -> 0); bools stay bools.
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    if isinstance(value, dict):
        return {k: _jsify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsify(v) for v in value]
    return value


def js_json(value: Any, indent: int | None = None) -> str:
    """JSON.stringify(value[, null, indent])."""
    if indent is None:
        return json.dumps(_jsify(value), ensure_ascii=False, separators=(",", ":"))
    return json.dumps(_jsify(value), ensure_ascii=False, indent=indent)


def js_string(value: Any) -> str:
    """How maxctrl turns a field value into a table cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return js_number(value)
    if isinstance(value, list):
        return ", ".join(js_string(v) for v in value)
    return js_json(value, indent=4)


def js_locale_datetime(http_date: str) -> str:
    """new Date(s).toLocaleString() in en-US, local time zone: "11/25/2026, 10:53:23 PM"."""
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return "Invalid Date"
    local: datetime = when.astimezone()
    hour = local.hour % 12 or 12
    ampm = "AM" if local.hour < 12 else "PM"
    return f"{local.month}/{local.day}/{local.year}, {hour}:{local.minute:02d}:{local.second:02d} {ampm}"


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness: objects and arrays are true even when empty."""
    if isinstance(value, (dict, list)):
        return True
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value)
