"""What the procedures tell the admin while they work. `render.Reporter` implements it; tests record it."""

from __future__ import annotations

from typing import Protocol

from .model import Server


class UI(Protocol):
    interactive: bool  # a person at a terminal who can answer a question

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def plan(self, line: str, host: str | None = None) -> None:
        """--dry-run: one step of the plan (`# what`) or one exact call (with the MaxScale it goes to)."""

    def waiting(self, what: str, found: dict[str, Server], elapsed: float, deadline: float) -> None: ...

    def confirm(self, question: str) -> bool: ...


class SilentUI:
    """A UI that remembers everything it was told (tests, library use)."""

    interactive = False

    def __init__(self, answer: bool = False):
        self.lines: list[str] = []
        self.answer = answer

    def info(self, message: str) -> None:
        self.lines.append(message)

    def warn(self, message: str) -> None:
        self.lines.append("warning: " + message)

    def plan(self, line: str, host: str | None = None) -> None:
        self.lines.append(line)

    def waiting(self, what: str, found: dict[str, Server], elapsed: float, deadline: float) -> None:
        conns = ", ".join(f"{h} {s.connections or 0}" for h, s in found.items())
        self.lines.append(f"{what}: {conns} ({elapsed:.1f}/{deadline:g}s)")

    def confirm(self, question: str) -> bool:
        self.lines.append("? " + question)
        return self.answer
