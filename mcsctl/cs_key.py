"""Which CMAPI key applies (never guessed): --cmapi-key (MCSCTL_CMAPI_KEY, the config), else the first
ColumnStore monitor's cs_admin_api_key. Its own small module so that a command can tell "no key known"
without importing the ColumnStore side (columnstore.py) at all (issue 17)."""

from __future__ import annotations

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .model import Monitor
    from .settings import Settings


def cmapi_key(settings: Settings, monitors: list[Monitor]) -> tuple[str | None, str, Monitor | None]:
    """(the key or None, where it came from, the ColumnStore monitor or None)."""
    cs_monitors = [m for m in monitors if m.cs_admin is not None]
    monitor = cs_monitors[0] if cs_monitors else None
    admin = monitor.cs_admin if monitor is not None else None
    key, source = settings.cmapi_key, "--cmapi-key"
    if not key and admin is not None and admin.api_key:
        key, source = admin.api_key, f"the monitor {monitor.name if monitor else ''}'s cs_admin_api_key"
    return key or None, source, monitor
