"""ColumnStore tests: the installed mcsctl (REST backend) against the simulator with its fake CMAPI on a real
clock and a small tick (every CMAPI timing scaled), so deactivation and reactivation take a second or two."""

from __future__ import annotations

import pytest

from tests.cli.conftest import cli_env, rest_mcsctl  # noqa: F401 (fixtures)

TICK = 0.05  # seconds per CMAPI tick: deactivation after about 33 ticks = 1.7 s


@pytest.fixture
def cs_sim(make_sim):
    """cs_sim(n=3, **columnstore options) -> a SimHandle whose servers are ColumnStore nodes."""

    def start(n: int = 3, scenario=None, **options):
        options.setdefault("tick", TICK)
        if scenario is None and n != 3:
            scenario = {"servers": [{"name": f"mcs{i}"} for i in range(1, n + 1)]}
        return make_sim(scenario, columnstore=options)

    return start
