"""What the command procedures (status, extend, reap, run) are handed: the parts a Cluster builds.

Protocols only, so those modules need not import mcsctl.api (which imports them) or the CLI's frame.
"""

from __future__ import annotations

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Protocol

    from .fleet import Fleet
    from .journal import Store
    from .procedures import Procedures
    from .ui import UI
else:
    Protocol = object  # the protocols here are for mypy only


class Parts(Protocol):
    """A Cluster as the procedures' modules use it: its observer, and a fleet, journal and procedures."""

    @property
    def reporter(self) -> UI: ...

    def fleet(self) -> Fleet: ...

    def journal(self) -> Store | None: ...

    def procedures(self) -> Procedures: ...
