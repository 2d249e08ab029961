"""The procedures a careful admin follows: enter/leave maintenance, drain with a deadline, switchover.

One class per concern, each building on the one before (core -> switch -> enter -> leave -> drain ->
together); `Procedures` is the last. Every change is confirmed by re-reading every MaxScale; a change that
fails half-way is undone.
"""

from __future__ import annotations

from .together import Together


class Procedures(Together):
    """Every procedure, over a Fleet, a UI (the observer) and an optional journal."""


__all__ = ["Procedures"]
