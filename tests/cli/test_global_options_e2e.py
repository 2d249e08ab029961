"""Global options after the command, through the installed entry point against the simulator."""

from __future__ import annotations

from .conftest import state_of


def test_servers_with_hosts_and_format_after_the_command(mcsctl, maxscale_sim):
    r = mcsctl("servers", "-H", maxscale_sim.host, "--format", "json")
    assert r.rc == 0, r.err
    assert [s["name"] for s in r.json()] == ["mcs1", "mcs2", "mcs3"]
    r = mcsctl("servers", f"--hosts={maxscale_sim.host}", "-f", "tsv", "-t", "5")
    assert r.rc == 0 and r.out.split("\n")[0].startswith("mcs1\t"), r.err


def test_maintenance_on_and_off_with_the_hosts_last(mcsctl, maxscale_sim):
    r = mcsctl("maintenance", "on", "mcs3", "--yes", "-H", maxscale_sim.host)
    assert r.rc == 0, r.err
    assert state_of(maxscale_sim, "mcs3") == "Maintenance, Running"
    r = mcsctl("maint", "off", "mcs3", "-qH", maxscale_sim.host)  # a cluster of global flags, value glued on
    assert r.rc == 0 and r.err == "", r.err
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_options_after_double_dash_stay_with_the_command(mcsctl, maxscale_sim, tmp_path):
    """`-H x` after `--` is COMMAND's; the `-H` before it is mcsctl's."""
    seen = tmp_path / "argv"
    r = mcsctl(
        "maintenance",
        "run",
        "mcs3",
        "-H",
        maxscale_sim.host,
        "--drain-timeout",
        "2",
        "--",
        "sh",
        "-c",
        'printf "%s\\n" "$@" >"$0"',
        str(seen),
        "-H",
        "x",
        "--format",
        "json",
    )
    assert r.rc == 0, r.err
    assert seen.read_text().split("\n") == ["-H", "x", "--format", "json", ""]
    assert state_of(maxscale_sim, "mcs3") == "Slave, Running"


def test_a_bad_global_option_after_the_command_is_one_usage_line(mcsctl):
    r = mcsctl("servers", "-t")
    assert r.rc == 2 and r.err.splitlines()[0] == "mcsctl: error: Option '-t' requires an argument.", r.err
