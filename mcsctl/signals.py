"""Signals: SIGTERM/SIGHUP act like Ctrl-C, and cleanup steps run to the end before an interrupt lands.

One handler serves SIGINT, SIGTERM and SIGHUP for the whole run. The console entry point installs it
first thing (`install`) and never swaps it: a handler that is swapped in and out leaves gaps where a
signal hits the default action (exit 129/143, no cleanup) or lands in the middle of a cleanup.
What the handler does depends on where the program is, kept in `_state`:

- inside `interrupts()` (a command body), the FIRST signal raises KeyboardInterrupt; every later one is
  only recorded, so it cannot cut the cleanup that the first one started;
- inside `shielded()` (a cleanup or undo) signals are recorded for the caller, never raised;
- while `forwarding()` runs a child (COMMAND), signals go to the child;
- anywhere else (parsing, the final report) they are recorded; `received()` makes the exit status 130.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from types import FrameType

from .dataclass_lite import dataclass, field

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass
class _State:
    installed: bool = False  # by the entry point, for the whole process
    armed: bool = False  # inside interrupts(): the first signal raises
    interrupted: bool = False  # an interrupt was raised or deferred: later signals are only recorded
    shields: list[list[int]] = field(default_factory=list)  # the open shielded() blocks, innermost last
    forward: Callable[[int], None] | None = None  # while a child runs: where signals go
    received: list[int] = field(default_factory=list)  # every signal of this run
    raised: int = 0  # KeyboardInterrupts the handler raised (see `surfacing`)


_state = _State()


def _handler(signum: int, frame: FrameType | None) -> None:
    _state.received.append(signum)
    if _state.forward is not None:
        _state.forward(signum)
        return
    if _state.shields:
        for got in _state.shields:
            got.append(signum)
        _state.interrupted = True  # the shield's caller reports it; later signals must not cut its cleanup
        return
    if _state.armed and not _state.interrupted:
        _state.interrupted = True
        _state.raised += 1
        raise KeyboardInterrupt


# What signal.signal() returns and takes back: a handler, SIG_DFL/SIG_IGN, or None (not set from Python).
_Handler = Callable[[int, FrameType | None], object] | int | None


def _install_handlers() -> dict[signal.Signals, _Handler]:
    return {s: signal.signal(s, _handler) for s in SIGNALS}


@contextlib.contextmanager
def _handlers_set() -> Iterator[None]:
    """Our handler for the block, if it is not in place already (library use and tests; the entry point
    installs it for good, so there it is never swapped)."""
    if signal.getsignal(signal.SIGINT) is _handler:
        yield
        return
    old = _install_handlers()
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def install() -> None:
    """Handle SIGINT/SIGTERM/SIGHUP for the rest of the process (the console entry point calls this first).

    The handler is installed even where the shell started us ignoring SIGINT (a background job).
    """
    global _state
    if _state.installed:
        return  # already (the entry point installs it before importing the CLI); keep what was received
    _state = _State(installed=True)
    _install_handlers()


def ignore_from_now() -> None:
    """The run is over: ignore SIGINT/SIGTERM/SIGHUP until the process is gone.

    Python's shutdown resets a Python-level handler to the default action (but leaves an ignored signal
    ignored), so without this a signal during the shutdown would kill the finished run (129, 143).
    """
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)


def received() -> list[int]:
    """Every SIGINT/SIGTERM/SIGHUP this run has received, in order (also those only recorded)."""
    return list(_state.received)


@contextlib.contextmanager
def interrupts() -> Iterator[None]:
    """A command body: the first SIGINT/SIGTERM/SIGHUP raises KeyboardInterrupt here.

    A signal that came before (while the command line was parsed) interrupts at once, before any change.
    Without `install` (library use, tests) the handlers are set here and restored afterwards.
    """
    global _state
    if not _state.installed:
        _state = _State()  # a fresh run (library use, tests)
    with _handlers_set():
        _state.armed = True
        try:
            if _state.received and not _state.interrupted:
                _state.interrupted = True
                raise KeyboardInterrupt
            yield
        finally:
            _state.armed = False


def _in_main_thread() -> bool:
    import threading  # here: a read-only command never needs it (~0.5 ms of a start)

    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def shielded() -> Iterator[list[int]]:
    """Defer SIGINT/SIGTERM/SIGHUP while a cleanup or undo runs; the caller sees what arrived.

    A second Ctrl-C must not leave a drain flag or half an undo behind. The signals are recorded,
    not lost: `deferred()` raises KeyboardInterrupt afterwards when one came in. Entering and leaving
    swap no handler, so there is no gap for a signal to slip through.
    """
    got: list[int] = []
    if not _in_main_thread():
        yield got  # signals are only ever handled in the main thread
        return
    with _handlers_set():
        _state.shields.append(got)
        try:
            yield got
        finally:
            del _state.shields[next(i for i, g in enumerate(_state.shields) if g is got)]


def deferred(got: list[int]) -> None:
    """Raise the interrupt that `shielded` held back, if any."""
    if got:
        _state.interrupted = True
        raise KeyboardInterrupt


@contextlib.contextmanager
def forwarding(forward: Callable[[int], None]) -> Iterator[None]:
    """While a child runs: each SIGINT/SIGTERM/SIGHUP goes to `forward(signum)` instead of interrupting us."""
    if not _in_main_thread():
        yield
        return
    with _handlers_set():
        previous, _state.forward = _state.forward, forward
        try:
            yield
        finally:
            _state.forward = previous


@contextlib.contextmanager
def surfacing() -> Iterator[None]:
    """Around third-party code that may swallow the KeyboardInterrupt the handler raises inside it (sh
    catches exceptions in its waits and threads): one raised during the block and lost there is raised again
    when the block ends, so an interrupt is never lost (it would be: later signals are only recorded)."""
    before = _state.raised
    yield
    if _state.raised != before:
        raise KeyboardInterrupt
