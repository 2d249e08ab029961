"""What the command procedures (status, extend, reap, run) are handed: the parts a Cluster builds.

Protocols only, so those modules need not import mcsctl.api (which imports them) or the CLI's frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .fleet import Fleet
    from .journal import Store
    from .procedures import Procedures
    from .ui import UI


class Parts(Protocol):
    """A Cluster as the procedures' modules use it: its observer, and a fleet, journal and procedures."""

    @property
    def reporter(self) -> UI: ...

    def fleet(self) -> Fleet: ...

    def journal(self) -> Store | None: ...

    def procedures(self) -> Procedures: ...
