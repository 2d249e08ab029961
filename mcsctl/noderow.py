"""One line of the rolling table: a `NodeRow`, its typed `NodeResult` and the `Step` a node is at."""

from __future__ import annotations

from .choices import Choice
from .dataclass_lite import dataclass

TYPE_CHECKING = False  # True for mypy; typing itself is not imported (README, Speed)
if TYPE_CHECKING:
    from typing import Any


class NodeResult(Choice):
    """How a node fared in a roll (the table's Result column)."""

    RUNNING = "running"
    DONE = "done"
    DONE_BEFORE = "done before"  # by the roll this one resumes
    LEFT = "left"  # not reached: an earlier node failed
    FAILED = "failed"  # COMMAND failed
    TIMEOUT = "timeout"
    INTERRUPTED = "interrupted"
    ERROR = "error"  # any other failure (MaxScale refused, a guard...)


FINISHED = (NodeResult.DONE, NodeResult.DONE_BEFORE)


class Step(Choice):
    """Where a node's turn is: the failure message and the journal name it."""

    ENTER = "enter"
    COMMAND = "command"
    CATCH_UP = "catch-up"
    LEAVE = "leave"
    ROLE = "role"


HEADERS = ["Order", "Node", "Role", "Result", "Enter s", "Command s", "Exit", "Catchup s", "Leave s", "Total s", "Note"]
TIMES = ("enter_s", "command_s", "catchup_s", "leave_s", "total_s")


@dataclass
class NodeRow:
    """A node of the roll: its order (`i/n`), role, result, the seconds each step took, COMMAND's exit."""

    order: str
    node: str
    role: str
    result: NodeResult
    enter_s: float | None = None
    command_s: float | None = None
    exit: int | None = None
    catchup_s: float | None = None
    leave_s: float | None = None
    total_s: float | None = None
    note: str = ""
    step: Step = Step.ENTER  # not a column

    def add_time(self, column: str, seconds: float) -> None:
        """Add to one of the `*_s` columns (a step may take two parts: the switchover, then entering)."""
        if column not in TIMES:
            raise ValueError(f"not a time column: {column}")
        before = self.times()[column]
        setattr(self, column, round((before or 0) + seconds, 2))

    def times(self) -> dict[str, float | None]:
        return {
            "enter_s": self.enter_s,
            "command_s": self.command_s,
            "catchup_s": self.catchup_s,
            "leave_s": self.leave_s,
            "total_s": self.total_s,
        }

    def output(self) -> dict[str, Any]:
        """The row as the table and `--format json` show it (words, not enum members; no step)."""
        return {
            "order": self.order,
            "node": self.node,
            "role": self.role,
            "result": self.result.value,
            "enter_s": self.enter_s,
            "command_s": self.command_s,
            "exit": self.exit,
            "catchup_s": self.catchup_s,
            "leave_s": self.leave_s,
            "total_s": self.total_s,
            "note": self.note,
        }


def rows_for_output(rows: list[NodeRow]) -> list[dict[str, Any]]:
    """The table as render (and --format json) shows it."""
    return [r.output() for r in rows]
