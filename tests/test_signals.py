"""signals.py: an interrupt that third-party code swallowed is raised again (`surfacing`)."""

from __future__ import annotations

import os
import signal

import pytest

from mcsctl import signals


@pytest.fixture(autouse=True)
def fresh_run(monkeypatch):
    """Each test a run of its own (an earlier in-process CLI run may have installed the handler)."""
    monkeypatch.setattr(signals, "_state", signals._State())


def _swallowing_wait() -> None:
    """What sh's waits can do with an exception raised inside them: catch it and go on."""
    try:
        os.kill(os.getpid(), signal.SIGTERM)  # the handler raises KeyboardInterrupt here
    except BaseException:
        pass


def test_an_interrupt_swallowed_inside_the_block_is_raised_again():
    with pytest.raises(KeyboardInterrupt), signals.interrupts(), signals.surfacing():
        _swallowing_wait()
    assert signals.received() == [signal.SIGTERM]


def test_no_interrupt_no_raise_and_later_signals_are_only_recorded():
    with signals.interrupts():
        with signals.surfacing():
            pass  # nothing arrived: the block ends as usual
        with pytest.raises(KeyboardInterrupt), signals.surfacing():
            _swallowing_wait()
        with signals.surfacing():  # the run is interrupted already: a second signal is recorded, not raised
            os.kill(os.getpid(), signal.SIGTERM)
    assert signals.received() == [signal.SIGTERM, signal.SIGTERM]
