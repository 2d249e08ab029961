"""Injected time: the real clock for the standalone server, a virtual one that tests advance by hand."""

from __future__ import annotations

import threading
import time


class RealClock:
    """Wall-clock seconds (time.time()), so timestamps in documents are real dates."""

    virtual = False

    def now(self) -> float:
        return time.time()

    def advance(self, seconds: float) -> None:
        raise TypeError("the real clock cannot be advanced; use VirtualClock")


class VirtualClock:
    """Time stands still until `advance()` is called. `start` is seconds since the epoch (0 = 1970)."""

    virtual = True

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        seconds = float(seconds)
        if seconds < 0 or seconds != seconds:  # negative or NaN
            raise ValueError("seconds must be a non-negative number")
        with self._lock:
            self._now += seconds
            return self._now
