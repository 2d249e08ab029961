"""Fixtures for the simulator's own tests (helpers live in simhelpers.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def vsim(make_sim):
    """A default simulator on a virtual clock."""
    from simulator.clock import VirtualClock

    return make_sim(clock=VirtualClock(1_700_000_000.0))
