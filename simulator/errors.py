"""The simulator's one exception: a refusal carried with its wire form."""

from __future__ import annotations


class SimError(Exception):
    """A refusal with its wire form: HTTP status and the `detail`s (None = empty body)."""

    def __init__(self, status: int, details: list[str] | None = None) -> None:
        super().__init__(details[-1] if details else str(status))
        self.status = status
        self.details = details
