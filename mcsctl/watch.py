"""What a `Cluster` keeps of one operation for its report: the observer's lines, the calls, the records.

`Watch` stands between the procedures and the caller's observer (it forwards everything);
`RecordingJournal` is the journal that also remembers what it appended.
"""

from __future__ import annotations

import contextlib

from .reports import Call, PlanStep
from .ui import UI

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from .journal import Record, Store
    from .journal.lease import Lease
    from .model import Server


class Watch:
    """The observer a Cluster hands to the procedures: forwards to the caller's and keeps what a report needs
    (plan lines with their host, calls sent, messages)."""

    def __init__(self, observer: UI) -> None:
        self.observer = observer
        self.interactive = observer.interactive
        self.plan_lines: list[Call] = []
        self.calls: list[Call] = []
        self.messages: list[str] = []

    def info(self, message: str) -> None:
        self.messages.append(message)
        self.observer.info(message)

    def warn(self, message: str) -> None:
        self.messages.append("warning: " + message)
        self.observer.warn(message)

    def plan(self, line: str, host: str | None = None) -> None:
        self.plan_lines.append(Call(line, host))
        self.observer.plan(line, host)

    def waiting(self, what: str, found: dict[str, Server], elapsed: float, deadline: float) -> None:
        self.observer.waiting(what, found, elapsed, deadline)

    def confirm(self, question: str) -> bool:
        return self.observer.confirm(question)

    def trace(self, line: str) -> None:
        if not line.startswith("# "):  # a backend's note (e.g. servers read as JSON) is shown, not a call made
            self.calls.append(Call(line))
        self.observer.trace(line)

    def prefixed(self, prefix: str) -> contextlib.AbstractContextManager[None]:
        return self.observer.prefixed(prefix)

    def planned_calls(self) -> list[Call]:
        """The exact calls of a dry run's plan (its `# step` lines left out)."""
        return [c for c in self.plan_lines if not c.call.startswith("# ")]

    def steps(self) -> list[PlanStep]:
        """The plan lines as steps (`# what`), each with the exact calls that follow it."""
        steps: list[PlanStep] = []
        for c in self.plan_lines:
            if c.call.startswith("# "):
                steps.append(PlanStep(c.call[2:]))
            else:
                last = steps.pop() if steps else PlanStep("")
                steps.append(PlanStep(last.step, (*last.calls, c)))
        return steps


class RecordingJournal:
    """A journal store (the file or the database), also keeping the records this process appends (for the reports)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.written: list[Record] = []

    @property
    def skipped(self) -> int:
        return self.store.skipped

    @property
    def where(self) -> str:
        return self.store.where

    def append(self, record: Record) -> None:
        self.store.append(record)
        self.written.append(record)

    def read(self) -> list[Record]:
        return self.store.read()

    def check_writable(self) -> None:
        self.store.check_writable()

    def lease(self, key: str) -> Lease | None:
        return self.store.lease(key)

    def lease_holders(self) -> set[tuple[str, int]]:
        return self.store.lease_holders()

    def close(self) -> None:
        self.store.close()
