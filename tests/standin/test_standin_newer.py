"""The captures of three clients against the real MaxScale 24.02.4 (golden/maxctrl-{24.02,24.08,develop}-on-real-24.02,
golden/NEWER-RELEASES.md), replayed through the stand-in at the same release line against one simulator: the
real-24.02 script, then the extras (`x_*`) that show where the lines differ.

Each line's NOT_REPRODUCIBLE names the steps the stand-in does not reproduce and why; the test asserts that
exactly those differ.
"""

from __future__ import annotations

import pytest

from .goldens import GOLDEN
from .test_standin_real import NOT_REPRODUCIBLE as REAL_NOT_REPRODUCIBLE
from .test_standin_real import SCRIPT, run_script

EXTRAS = [
    ("x_version", "mc", "--version"),
    ("x_help", "mc", "--help"),
    ("x_set_server_help", "mc", "set server --help"),
    ("x_clear_server_help", "mc", "clear server --help"),
    ("x_show_help", "mc", "show --help"),
    ("x_create_help", "mc", "create --help"),
    ("x_set_two_states", "mc", "set server mcs3 maintenance drain"),
    ("set_maint_mcs3_x", "rest", "PUT /v1/servers/mcs3/set?state=maintenance"),
    ("set_drain_mcs3_x", "rest", "PUT /v1/servers/mcs3/set?state=drain"),
    ("x_clear_two_states", "mc", "clear server mcs3 maintenance drain"),
    ("clear_maint_mcs3_x", "rest", "PUT /v1/servers/mcs3/clear?state=maintenance"),
    ("clear_drain_mcs3_x", "rest", "PUT /v1/servers/mcs3/clear?state=drain"),
    ("x_set_maint_force_unknown", "mc", "set server nosuch maintenance --force"),
    ("x_clear_drain_unknown", "mc", "clear server nosuch drain"),
    ("x_show_replication", "mc", "show replication"),
    ("x_show_replication_tsv", "mc", "--tsv show replication"),
    ("x_create_qc_dump", "mc", "create qc_dump qcdump"),
    ("x_list_servers_tsv_final", "mc", "--tsv list servers"),
]

_HELP = "the stand-in's help texts are in its own words (simulator/maxctrl.py)"
NOT_REPRODUCIBLE_EVERYWHERE = {
    **REAL_NOT_REPRODUCIBLE,
    "x_help": _HELP,
    "x_set_server_help": _HELP,
    "x_clear_server_help": _HELP,
    "x_show_help": _HELP,
    "x_create_help": _HELP,
    "x_create_qc_dump": "`create` is not emulated (mcsctl never creates objects)",
}
NOT_REPRODUCIBLE = {
    "24.02": {
        **NOT_REPRODUCIBLE_EVERYWHERE,
        "x_show_replication": "`show replication` (MXS-5272) is not emulated",
        "x_show_replication_tsv": "`show replication` (MXS-5272) is not emulated",
    },
    "24.08": NOT_REPRODUCIBLE_EVERYWHERE,
    "develop": NOT_REPRODUCIBLE_EVERYWHERE,
}


def test_the_folders_hold_the_scripted_cases():
    for line in NOT_REPRODUCIBLE:
        folder = GOLDEN / f"maxctrl-{line}-on-real-24.02"
        captured = {p.name[: -len(".rc")] for p in folder.glob("*.rc")}
        scripted = {step for step, kind, _ in SCRIPT + EXTRAS if kind == "mc"}
        assert captured == scripted, line


@pytest.mark.parametrize("line", list(NOT_REPRODUCIBLE))
def test_capture_on_real_24_02(line, maxscale_sim, maxctrl_bin, tmp_path):
    differs = run_script(maxscale_sim, SCRIPT + EXTRAS, GOLDEN / f"maxctrl-{line}-on-real-24.02", line, tmp_path)
    expected = NOT_REPRODUCIBLE[line]
    unexpected = {k: v for k, v in differs.items() if k not in expected}
    assert unexpected == {}
    assert set(differs) == set(expected), "a known difference went away: update NOT_REPRODUCIBLE"
