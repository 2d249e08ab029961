"""Signals: SIGTERM/SIGHUP act like Ctrl-C, and cleanup steps run to the end before an interrupt lands."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _raise(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt (even where the shell started us ignoring SIGINT)."""
    old = {s: signal.signal(s, _raise) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


@contextlib.contextmanager
def shielded() -> Iterator[list[int]]:
    """Defer SIGINT/SIGTERM/SIGHUP while a cleanup or undo runs; the caller sees what arrived.

    A second Ctrl-C must not leave a drain flag or half an undo behind. The signals are recorded,
    not lost: `deferred()` raises KeyboardInterrupt afterwards when one came in.
    """
    got: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield got
        return
    old = {s: signal.signal(s, lambda signum, frame: got.append(signum)) for s in SIGNALS}
    try:
        yield got
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def deferred(got: list[int]) -> None:
    """Raise the interrupt that `shielded` held back, if any."""
    if got:
        raise KeyboardInterrupt
