"""What a procedure is asked (`OnOptions`, the `maintenance on` options) and what it did (`Outcome`)."""

from __future__ import annotations

from .choices import OnTimeout, values
from .dataclass_lite import dataclass, field
from .model import Server

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any

ON_TIMEOUT = values(OnTimeout)  # fail | force | proceed


@dataclass
class OnOptions:
    """How to enter maintenance (the `maintenance on` options)."""

    force: bool = False  # skip the drain and close every connection at once
    drain: bool = True  # drain first; False = the plain `set server X maintenance`
    drain_timeout: float = 60.0
    on_timeout: str = "fail"  # fail | force | proceed
    switchover: bool = False  # the server is the primary: switch over first
    to: str | None = None  # switchover target
    allow_primary: bool = False  # take the primary without switchover where MaxScale allows it
    allow_last: bool = False  # take out the last routable servers (with consent): the cluster is broken anyway
    reason: str | None = None
    expires: float | None = None  # epoch seconds (an --expires time)
    expires_after: float | None = None  # seconds from entering (an --expires duration; per node in a roll)
    dry_run: bool = False
    yes: bool = False  # consent to cutting connections without a question


@dataclass
class Outcome:
    """What a procedure did; `final` is the server as each MaxScale last showed it."""

    server: str
    action: str
    changed: bool
    final: dict[str, Server] = field(default_factory=dict)
    message: str = ""
    cut: int = 0  # connections closed by force
    extra: dict[str, Any] = field(default_factory=dict)
