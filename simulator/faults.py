"""Injected REST failures (control API /sim/faults): the next matching requests fail as MaxScale would, or are
carried out and answered late."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Fault:
    method: str  # upper case
    path: str  # /v1/..., no trailing slash
    status: int  # 400-599
    detail: str
    count: int  # requests left to fail
    # MXS-6265: `perform` carries the request out as usual, and its answer comes `delay` seconds late (a client
    # with a shorter timeout reports a timeout for a change that happened); without `perform` the error is late.
    delay: float = 0.0
    perform: bool = False

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and self.path == path and self.count > 0


class Faults:
    """The faults one MaxScale still has to answer, in the order they were injected."""

    def __init__(self) -> None:
        self.items: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.items.append(fault)

    def clear(self) -> None:
        self.items.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, used up once (gone when its count reaches 0)."""
        path = path.rstrip("/")
        if not path.startswith("/v1"):
            path = "/v1" + path
        for fault in self.items:
            if fault.matches(method, path):
                fault.count -= 1
                if fault.count == 0:
                    self.items.remove(fault)
                return fault
        return None

    def as_json(self) -> list[dict[str, Any]]:
        return [asdict(f) for f in self.items]

    def __len__(self) -> int:
        return len(self.items)
