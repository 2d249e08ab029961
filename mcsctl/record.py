"""One line of the journal: the `Record` dataclass, its checks, and who wrote it (see journal.py's docstring)."""

from __future__ import annotations

import json
import os

from .dataclass_lite import asdict, dataclass, field, fields

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

OPENS = frozenset({"on", "run-start", "extend"})
CLOSES = frozenset({"off", "run-end", "reap"})
EFFECTIVE = frozenset({"ok", "partial"})
INTENT = "intent"  # the record written before a change (outcome "started") and after it (its outcome)
STARTED = "started"
UNKNOWN_HOST = ""  # key for an opening record that names no host


def hostname() -> str:
    """This host's name (recorded with an intent, so its pid is only checked here); never raises.

    `$MCSCTL_HOSTNAME` overrides it: hosts whose names collide (containers) can tell themselves apart,
    and tests play two hosts on one machine."""
    import socket

    if os.environ.get("MCSCTL_HOSTNAME"):
        return os.environ["MCSCTL_HOSTNAME"]
    try:
        return socket.gethostname() or "localhost"
    except Exception:
        return "localhost"


def who() -> str:
    """`user@hostname` of whoever runs mcsctl, `root (sudo: alice)@host` through sudo; never raises."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry and no LOGNAME/USER (containers)
        user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    sudo = os.environ.get("SUDO_USER", "")
    if sudo and sudo != user:
        user = f"{user} (sudo: {sudo})"
    return f"{user}@{hostname()}"


@dataclass(frozen=True)
class Record:
    """One ledger line. `time` and `expires` are epoch seconds."""

    time: float
    action: str
    server: str | None = None
    hosts: list[str] = field(default_factory=list)
    user: str = ""
    reason: str | None = None
    expires: float | None = None
    outcome: str = "ok"
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def now(cls, action: str, server: str | None = None, **kw: Any) -> Record:
        """A record stamped with the current time and `who()` (both overridable in `kw`)."""
        import time

        kw.setdefault("time", time.time())
        kw.setdefault("user", who())
        if "hosts" in kw:
            kw["hosts"] = list(kw["hosts"])
        return cls(action=action, server=server, **kw)

    def to_json(self) -> str:
        """One line of JSON (no newline inside: json escapes them)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, line: str | bytes) -> Record:
        """Parse one line; unknown keys are ignored. Raises ValueError when it is not a record."""
        data = json.loads(line)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        return cls(**_checked(kw))


def _checked(kw: dict[str, Any]) -> dict[str, Any]:
    """Validate field types so a hand-edited or foreign line cannot poison later logic."""

    def num(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    if not num(kw.get("time")):
        raise ValueError("time must be a number")
    if not isinstance(kw.get("action"), str):
        raise ValueError("action must be a string")
    kw["time"] = float(kw["time"])
    for key in ("server", "reason"):
        if kw.get(key) is not None and not isinstance(kw[key], str):
            raise ValueError(f"{key} must be a string or null")
    if kw.get("expires") is not None:
        if not num(kw["expires"]):
            raise ValueError("expires must be a number or null")
        kw["expires"] = float(kw["expires"])
    hosts = kw.get("hosts", [])
    if hosts is None:
        hosts = []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise ValueError("hosts must be a list of strings")
    kw["hosts"] = hosts
    if not isinstance(kw.get("user", ""), str):
        raise ValueError("user must be a string")
    if not isinstance(kw.get("outcome", "ok"), str):
        raise ValueError("outcome must be a string")
    if kw.get("extra") is None:
        kw["extra"] = {}
    elif not isinstance(kw["extra"], dict):
        raise ValueError("extra must be an object")
    return kw
