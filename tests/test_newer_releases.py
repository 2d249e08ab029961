"""Newer maxctrl clients (issue 13): the captures of the 24.08 branch and develop against a real 24.02.4 parsed
and mapped byte for byte, the client's version learnt once, unknown layouts recognised, 25.10's status objects."""

from __future__ import annotations

import json
import os

import pytest

from mcsctl.backends import documents, maxctrl_version
from mcsctl.backends.maxctrl import map_error
from mcsctl.backends.maxctrl_process import MISSING_HINT
from mcsctl.errors import BadOutput, NoAnswer, Refused, UnknownServer, Unreachable
from mcsctl.model import ServerStatus
from mcsctl.tables import UnknownLayout, parse_servers_output, parse_tsv_rows

from .golden import GOLDEN

FOLDERS = ["maxctrl-24.02-on-real-24.02", "maxctrl-24.08-on-real-24.02", "maxctrl-develop-on-real-24.02"]
PRIMARY = (
    "The server is primary, so it cannot be set in maintenance or draining mode. "
    "First perform a switchover and then retry the operation."
)


def listing_cases() -> list[tuple[str, str]]:
    return [
        (f, p.name[: -len(".stdout")])
        for f in FOLDERS
        for p in sorted((GOLDEN / f).glob("*list_servers*.stdout"))
        if (GOLDEN / f / p.name.replace(".stdout", ".rc")).read_text().strip() == "0"
    ]


def test_listing_cases_found():
    assert len(listing_cases()) == 3 * 12


@pytest.mark.parametrize("folder,case", listing_cases())
def test_list_servers_captures_parse_as_24_02_4s(folder, case):
    """Table and --tsv of every line give the same servers as maxctrl 24.02.4 in the same run."""
    text = (GOLDEN / folder / f"{case}.stdout").read_text(encoding="utf-8")
    same = (GOLDEN / FOLDERS[0] / f"{case}.stdout").read_text(encoding="utf-8")
    servers = parse_servers_output(text, "127.0.0.1:8989")
    assert servers == parse_servers_output(same, "127.0.0.1:8989")
    assert [(s.name, s.port, s.gtid, s.monitor) for s in servers] == [
        (f"mcs{i}", 3310 + i, "0-1-16", "MariaDB-Monitor") for i in (1, 2, 3)
    ]
    assert all(s.state.endswith("Running") for s in servers)


EXPECTED = {
    "mc_clear_maint_unknown": (UnknownServer, "nosuch"),
    "mc_set_maint_unknown": (UnknownServer, "nosuch"),
    "x_clear_drain_unknown": (UnknownServer, "nosuch"),
    "x_set_maint_force_unknown": (UnknownServer, "nosuch"),  # `set?state=maintenance&force=yes` on 24.08/develop
    "mc_set_maint_mcs1": (Refused, PRIMARY),
    "mc_set_maint_force_mcs1": (Refused, PRIMARY),  # the query order in the first line does not matter
    "mc_switchover_bad_target": (Refused, "Argument 2, server not found: nosuch"),
    "mc_list_servers_two_hosts": (Refused, None),
    "mc_list_servers_badpw": (Unreachable, "authentication failed"),
    "mc_list_servers_refused": (Unreachable, "connection refused"),
    "mc_list_servers_two_hosts_one_down": (Unreachable, "connection refused"),
    "mc_set_maint_two_hosts_one_down": (Unreachable, "connection refused"),
    "x_set_two_states": (BadOutput, "does not support the call: Unknown argument: drain"),
    "x_clear_two_states": (BadOutput, "does not support the call: Unknown argument: drain"),
    "x_show_replication": (BadOutput, "does not support the call: At least one command is required"),
    "x_show_replication_tsv": (BadOutput, "does not support the call: At least one command is required"),
    "x_create_qc_dump": (None, None),  # not a call mcsctl makes: 404 (develop) or an argument error
}


def failing(folder: str) -> list[str]:
    return sorted(p.name[:-3] for p in (GOLDEN / folder).glob("*.rc") if p.read_text().strip() != "0")


@pytest.mark.parametrize("folder,case", [(f, c) for f in FOLDERS for c in failing(f)])
def test_failures_map_as_on_24_02_4(folder, case):
    base = GOLDEN / folder / case
    out, err = base.with_suffix(".stdout").read_text(), base.with_suffix(".stderr").read_text()
    server = "nosuch" if "unknown" in case else None
    exc = map_error(out, err, host="mx1", server=server, user="admin", rc=1)
    cls, what = EXPECTED[case]
    if cls is None:
        return
    assert isinstance(exc, cls) and "\n" not in exc.message, exc
    if cls is UnknownServer:
        assert exc.server == what
    elif cls is Refused:
        assert exc.detail == what
    else:
        assert what in exc.message


def test_the_several_state_cases_differ_only_where_the_capture_says():
    for case in ("x_set_two_states", "x_clear_two_states"):
        assert (GOLDEN / FOLDERS[0] / f"{case}.stdout").read_text() == "OK,OK\n"
        for folder in FOLDERS[1:]:
            assert (GOLDEN / folder / f"{case}.stderr").read_text() == "Unknown argument: drain\n"


# --- the client's version ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,version,covered",
    [
        ("24.02.4\n", "24.02.4", True),
        ("24.08.1\n", "24.08.1", True),
        ("2.5.30\n", "2.5.30", True),
        ("25.01.2\n", "25.01.2", False),
        ("99.99.99\n", "99.99.99", False),
        ("maxctrl 25.10.3 (2026-01-01)\n", "25.10.3", False),
        ("", None, True),
        ("what?\n", None, True),
    ],
)
def test_versions(text, version, covered):
    assert maxctrl_version.parse_version(text) == version
    assert maxctrl_version.covered(version) is covered


def test_the_version_is_learnt_once_per_path_and_mtime(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(maxctrl_version, "_memo", {})
    exe = tmp_path / "maxctrl"
    exe.write_text("#!/bin/sh\n")
    runs: list[list[str]] = []

    def run(argv):
        runs.append(argv)
        return "25.01.2\n"

    assert maxctrl_version.client_version(str(exe), run) == "25.01.2"
    assert maxctrl_version.client_version(str(exe), run) == "25.01.2"
    assert runs == [[str(exe), "--version"]]
    monkeypatch.setattr(maxctrl_version, "_memo", {})  # another mcsctl process: the cache file answers
    assert maxctrl_version.client_version(str(exe), run) == "25.01.2" and len(runs) == 1
    cached = json.loads((tmp_path / "cache" / "mcsctl" / "maxctrl-versions.json").read_text())
    assert cached[str(exe)]["version"] == "25.01.2"
    st = exe.stat()
    os.utime(exe, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # an upgrade replaces the file
    assert maxctrl_version.client_version(str(exe), lambda argv: runs.append(argv) or "25.10.1\n") == "25.10.1"
    assert len(runs) == 2


def test_a_failed_version_run_is_not_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(maxctrl_version, "_memo", {})
    exe = tmp_path / "maxctrl"
    exe.write_text("")
    assert maxctrl_version.client_version(str(exe), lambda argv: None) is None
    assert not (tmp_path / "cache" / "mcsctl" / "maxctrl-versions.json").exists()
    assert maxctrl_version.client_version(str(tmp_path / "gone"), lambda argv: "1.2.3") is None


# --- layouts mcsctl does not know ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,why",
    [
        (
            "Server\tAddress\tPort\tConnections\tState\tGTID\tMonitor\nmcs1\t::1\t3306\t0\tMaster, Running\t\tm\n",
            "header",
        ),
        ("Server\tState\tReason\nmcs1\tWrite\tPrimary\n", "header"),
        ("mcs1\t::1\t3306\t0\tWrite\tPrimary\t0-1-1\tm\n", "8 columns"),
    ],
)
def test_unknown_tsv_layouts_are_recognised(text, why):
    with pytest.raises(UnknownLayout) as e:
        parse_tsv_rows(text)
    assert why in e.value.message


def test_new_state_words_are_an_unknown_layout():
    with pytest.raises(UnknownLayout) as e:
        parse_servers_output("mcs1\t::1\t3306\t0\tWrite, Maintenance\t0-1-1\tm\n", "h")
    assert "'Write, Maintenance' has no Running or Down" in e.value.message


def test_a_server_named_server_is_not_a_header():
    (row,) = parse_tsv_rows("Server\t::1\t3306\t0\tSlave, Running\t\tState\n")
    assert row["Server"] == "Server" and row["Monitor"] == "State"


# --- REST documents of 25.10 -------------------------------------------------------------------------------


def resource(**attrs):
    return {"id": "mcs1", "attributes": {"state": "Master, Running", **attrs}}


def test_status_objects():
    # as the MaxScale Server Resource documentation shows it for a primary (golden/NEWER-RELEASES.md)
    documented = {"extra": "", "mode": "Normal", "reason": ["Primary"], "state": "Write"}
    s = documents.server_from_resource(resource(status=documented), "h")
    assert s.status == ServerStatus("Write", "Normal", ("Primary",))
    assert s.is_primary and s.state == "Master, Running"  # attributes.state decides
    assert documents.server_from_resource(resource(), "h").status is None
    assert documents.server_from_resource(resource(status="Write"), "h").status is None
    odd = documents.server_from_resource(resource(status={"state": "Read", "reason": "Replica"}), "h").status
    assert odd == ServerStatus("Read", "", ("Replica",))


def test_missing_maxctrl_hint():
    assert "separate package" in MISSING_HINT and "25.10.1" in MISSING_HINT
    assert "--backend rest works without maxctrl" in MISSING_HINT


def test_timeouts_are_no_answer():
    exc = map_error("", "Error: timeout of 1000ms exceeded\n", host="h", timeout=1.0)
    assert type(exc) is NoAnswer and isinstance(exc, Unreachable)


def test_the_library_reports_the_api_get_call_not_the_note(make_sim, maxctrl_bin, monkeypatch, tmp_path):
    from mcsctl.api import Cluster
    from mcsctl.ui import SilentUI

    monkeypatch.setenv("MAXCTRL_SIM_VERSION", "test-newer")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    sim = make_sim()
    cluster = Cluster(hosts=[sim.host], backend="maxctrl", journal=str(tmp_path / "j.jsonl"), observer=SilentUI())
    report = cluster.servers()
    assert [s.state for s in report.servers] == ["Master, Running", "Slave, Running", "Slave, Running"]
    assert [c.call.split()[-3:] for c in report.calls] == [["api", "get", "servers"]]
