"""What the procedures tell the admin while they work (the observer of `mcsctl.api.Cluster`).

`render.Reporter` implements it for the CLI; `SilentUI` keeps the lines (library use, tests).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .model import Server

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # the protocols here are for mypy only


class UI(Protocol):
    interactive: bool  # a person at a terminal who can answer a question

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def plan(self, line: str, host: str | None = None) -> None:
        """--dry-run: one step of the plan (`# what`) or one exact call (with the MaxScale it goes to)."""

    def waiting(self, what: str, found: dict[str, Server], elapsed: float, deadline: float) -> None: ...

    def confirm(self, question: str) -> bool: ...

    def trace(self, line: str) -> None:
        """One exact call sent to a MaxScale (a request, a maxctrl command line)."""

    def prefixed(self, prefix: str) -> contextlib.AbstractContextManager[None]:
        """Within it, what is said (info, warn, waiting) starts with `prefix` (a roll's `node i/n: `)."""


class Prefixing:
    """The context part of a UI: `with ui.prefixed("node 1/3: "): ...` (nested prefixes add up)."""

    prefix = ""

    @contextlib.contextmanager
    def prefixed(self, prefix: str) -> Iterator[None]:
        outer = self.prefix
        self.prefix = outer + prefix
        try:
            yield
        finally:
            self.prefix = outer


class SilentUI(Prefixing):
    """A UI that remembers everything it was told (tests, library use)."""

    interactive = False

    def __init__(self, answer: bool = False) -> None:
        self.lines: list[str] = []
        self.calls: list[str] = []
        self.answer = answer

    def info(self, message: str) -> None:
        self.lines.append(self.prefix + message)

    def warn(self, message: str) -> None:
        self.lines.append("warning: " + self.prefix + message)

    def plan(self, line: str, host: str | None = None) -> None:
        self.lines.append(line)

    def waiting(self, what: str, found: dict[str, Server], elapsed: float, deadline: float) -> None:
        conns = ", ".join(f"{h} {s.connections or 0}" for h, s in found.items())
        self.lines.append(f"{self.prefix}{what}: {conns} ({elapsed:.1f}/{deadline:g}s)")

    def confirm(self, question: str) -> bool:
        self.lines.append("? " + question)
        return self.answer

    def trace(self, line: str) -> None:
        self.calls.append(line)
