"""mcsctl.tables against every golden `list servers` output, bad input, and random round trips."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcsctl.backends.documents import servers_from_document
from mcsctl.errors import BadOutput
from mcsctl.model import Server
from mcsctl.tables import parse_box_table, parse_servers_output, parse_servers_tsv, servers_from_rows
from simulator.maxctrl_format import box_table, tsv_table

from .golden import GOLDEN

VERSIONS = ["maxctrl-2.5", "maxctrl-6.4", "maxctrl-22.08", "maxctrl-23.08", "maxctrl-24.02.3", "maxctrl-24.02"]
NO_MONITOR_COLUMN = {"maxctrl-2.5", "maxctrl-6.4"}
NO_DETAILS = {"maxctrl-2.5"}


def golden(version: str, case: str) -> str:
    return (GOLDEN / version / f"{case}.stdout").read_text(encoding="utf-8")


def list_cases() -> list[tuple[str, str]]:
    out = []
    for v in VERSIONS:
        for f in sorted((GOLDEN / v).glob("list_servers*.stdout")):
            out.append((v, f.name[: -len(".stdout")]))
    return out


def rest_body(version: str, case: str) -> dict:
    """The GET /v1/servers document the stub served for this case: an independent oracle."""
    exchanges = json.loads((GOLDEN / version / f"{case}.http.json").read_text())
    (ex,) = [e for e in exchanges if e["method"] == "GET" and e["target"] == "/v1/servers"]
    if "response_body_file" in ex:
        return json.loads((GOLDEN / version / ex["response_body_file"]).read_text())
    return json.loads(ex["response_body"])


def expected_from_rest(version: str, case: str) -> list[Server]:
    servers = servers_from_document(rest_body(version, case), "mx1")
    adjusted = []
    for s in servers:
        kw = s.__dict__.copy()
        if version in NO_MONITOR_COLUMN:
            kw["monitor"] = None
        if version in NO_DETAILS:
            kw["details"] = ""
        adjusted.append(Server(**kw))
    return adjusted


def test_golden_cases_found():
    cases = list_cases()
    assert len(cases) == 6 * 15  # 15 list_servers* cases in each release line


@pytest.mark.parametrize("version,case", list_cases())
def test_golden_list_servers_matches_rest_document(version, case):
    servers = parse_servers_output(golden(version, case), "mx1")
    if case == "list_servers_quiet":
        # -q prints nothing at all: indistinguishable from "no servers", hence --quiet=false in the backend.
        assert servers == []
        return
    assert servers == expected_from_rest(version, case)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "dataset", ["", "_cluster3_mcs3_maint", "_variants", "_longnames", "_many50", "_empty", "_nomonitor"]
)
def test_golden_box_and_tsv_agree(version, dataset):
    box = golden(version, f"list_servers{dataset}")
    tsv = golden(version, f"list_servers{dataset}_tsv")
    assert box.startswith("┌") and not tsv.startswith("┌")
    assert servers_from_rows(parse_box_table(box), "h") == parse_servers_tsv(tsv, "h")


@pytest.mark.parametrize("version", VERSIONS)
def test_golden_cluster3_concrete(version):
    servers = parse_servers_output(golden(version, "list_servers"), "mx1")
    monitor = None if version in NO_MONITOR_COLUMN else "mcs_monitor"
    assert servers == [
        Server("mcs1", "192.0.2.11", 3306, 12, "Master, Running", "0-1-48213", monitor, "mx1"),
        Server("mcs2", "192.0.2.12", 3306, 5, "Slave, Running", "0-1-48213", monitor, "mx1"),
        Server("mcs3", "192.0.2.13", 3306, 4, "Slave, Running", "0-1-48213", monitor, "mx1"),
    ]
    assert servers[0].is_primary and servers[2].is_replica and not servers[2].in_maintenance


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("suffix", ["", "_tsv"])
def test_golden_variants_concrete(version, suffix):
    servers = {s.name: s for s in parse_servers_output(golden(version, f"list_servers_variants{suffix}"), "mx1")}
    assert list(servers) == [f"mcs{i}" for i in range(1, 10)]
    assert servers["mcs2"].state == "Maintenance, Running" and servers["mcs2"].in_maintenance
    assert servers["mcs3"].state == "Draining, Slave, Running" and servers["mcs3"].connections == 3
    assert servers["mcs3"].draining and not servers["mcs3"].drained
    assert servers["mcs4"].drained and servers["mcs4"].role == "Slave"
    assert servers["mcs5"].state == "Down" and servers["mcs5"].gtid is None and servers["mcs5"].down
    assert servers["mcs6"].states == ("Maintenance", "Down")
    assert servers["mcs7"].state == "Running" and servers["mcs7"].role is None
    assert servers["mcs8"].state == "Slave, Running"
    assert servers["mcs8"].details == ("" if version in NO_DETAILS else "Slave of External Server")
    assert servers["mcs9"].states == ("Auth Error", "Running")
    assert {s.monitor for s in servers.values()} == {None if version in NO_MONITOR_COLUMN else "mcs_monitor"}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("suffix", ["", "_tsv"])
def test_golden_longnames_concrete(version, suffix):
    servers = parse_servers_output(golden(version, f"list_servers_longnames{suffix}"), "mx1")
    long1 = "mcs-node-01.columnstore.datacenter-east-1.prod.example.com"
    mon = None if version in NO_MONITOR_COLUMN else "ColumnStore-MariaDB-Monitor-for-the-production-cluster"
    assert servers[0] == Server(long1, long1, 3306, 120, "Master, Running", "0-1-1234567890,1-2-99,2-3-777", mon, "mx1")
    assert servers[2].address == "2001:db8::13" and servers[2].draining
    sock = servers[3]
    assert (sock.name, sock.address, sock.port, sock.connections) == (
        "local-socket-node",
        "/run/mysqld/mysqld.sock",
        None,
        1,
    )
    assert servers[4] == Server("unmonitored", "192.0.2.50", 3306, 0, "Running", None, None, "mx1")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("suffix", ["", "_tsv"])
def test_golden_many50_and_nomonitor_and_empty(version, suffix):
    many = parse_servers_output(golden(version, f"list_servers_many50{suffix}"), "mx1")
    assert [s.name for s in many] == [f"mcs{i:02d}" for i in range(1, 51)]
    for i, s in enumerate(many, start=1):
        if i == 1:
            assert s.state == "Master, Running"
        elif i % 17 == 0:
            assert s.state == "Down"
        elif i % 10 == 0:
            assert s.state == "Maintenance, Running"
        elif i % 7 == 0:
            assert s.state == "Draining, Slave, Running"
        else:
            assert s.state == "Slave, Running"
    nomon = parse_servers_output(golden(version, f"list_servers_nomonitor{suffix}"), "mx1")
    assert nomon == [
        Server("mcs1", "192.0.2.11", 3306, 1, "Master, Running", None, None, "mx1"),
        Server("mcs2", "192.0.2.12", 3306, 0, "Running", None, None, "mx1"),
    ]
    assert parse_servers_output(golden(version, f"list_servers_empty{suffix}"), "mx1") == []


REAL = GOLDEN / "real-24.02"


def real_cases() -> list[str]:
    return sorted(p.name[: -len(".stdout")] for p in REAL.glob("mc_list_servers*.stdout") if p.read_text())


def test_real_cases_found():
    assert len(real_cases()) == 11


@pytest.mark.parametrize("case", real_cases())
def test_real_list_servers(case):
    servers = parse_servers_output((REAL / f"{case}.stdout").read_text(encoding="utf-8"), "127.0.0.1:8989")
    assert [(s.name, s.address, s.port, s.gtid, s.monitor, s.maxscale) for s in servers] == [
        (f"mcs{i}", "127.0.0.1", 3310 + i, "0-1-16", "MariaDB-Monitor", "127.0.0.1:8989") for i in (1, 2, 3)
    ]
    states = {
        "mc_list_servers": ("Master, Running", "Slave, Running", "Slave, Running"),
        "mc_list_servers_tsv": ("Master, Running", "Slave, Running", "Slave, Running"),
        "mc_list_servers_final": ("Master, Running", "Slave, Running", "Slave, Running"),
        "mc_list_servers_with_session": ("Master, Running", "Slave, Running", "Slave, Running"),
        "mc_list_servers_after_switchover": ("Slave, Running", "Master, Running", "Slave, Running"),
        "mc_list_servers_old_primary_maint": ("Maintenance, Running", "Master, Running", "Slave, Running"),
        "mc_list_servers_mcs3_maint": ("Master, Running", "Slave, Running", "Maintenance, Running"),
        "mc_list_servers_tsv_mcs3_maint": ("Master, Running", "Slave, Running", "Maintenance, Running"),
        "mc_list_servers_drained_and_maint": ("Master, Running", "Slave, Running", "Maintenance, Running"),
        "mc_list_servers_draining": ("Master, Running", "Slave, Running", "Draining, Slave, Running"),
        "mc_list_servers_drained": ("Master, Running", "Slave, Running", "Drained, Slave, Running"),
    }[case]
    assert tuple(s.state for s in servers) == states
    conns = 1 if case in ("mc_list_servers_with_session", "mc_list_servers_draining") else 0
    assert [s.connections for s in servers] == [conns] * 3


# --- version tolerance -----------------------------------------------------------------------------


def test_box_table_keeps_unknown_columns_and_tolerates_missing_ones():
    text = box_table(["State", "Server", "Zone"], [["Slave, Running", "mcs2", "eu-1"]])
    assert parse_box_table(text) == [{"State": "Slave, Running", "Server": "mcs2", "Zone": "eu-1"}]
    (s,) = servers_from_rows(parse_box_table(text), "h")
    assert (s.name, s.state, s.address, s.port, s.monitor) == ("mcs2", "Slave, Running", None, None, None)


def test_box_table_multiline_cells_and_pipes_in_cells():
    text = box_table(["Key", "Value"], [["a│b", "line1\nline2"], ["│", ""]])
    assert parse_box_table(text) == [{"Key": "a│b", "Value": "line1\nline2"}, {"Key": "│", "Value": ""}]


def test_box_table_counts_astral_characters_as_two_units():
    text = box_table(["Server", "State"], [["🐬db│1", "Running"], ["数据库", "Down"]])
    assert "🐬db│1" in text
    assert [s.name for s in servers_from_rows(parse_box_table(text), "h")] == ["🐬db│1", "数据库"]


# --- bad output ------------------------------------------------------------------------------------

GOOD_BOX = box_table(["Server", "State"], [["mcs1", "Running"]])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "OK\n",
        "Error: Could not connect to MaxScale\n",
        GOOD_BOX.replace("┘", "┤"),  # no bottom border
        "\n".join(GOOD_BOX.split("\n")[:3]) + "\n",  # cut short
        GOOD_BOX.replace("│ mcs1   │", "│ mcs1  │"),  # misaligned
        GOOD_BOX.replace("│ mcs1   │", "│ mcs1   x"),  # boundary is not a bar
        GOOD_BOX.replace("├────────┼", "├───────┼"),  # separator of other widths
        GOOD_BOX.replace("│ Server │", "│Server  │"),  # no padding space
        GOOD_BOX.replace("Running │\n└", "Running │ extra\n└"),  # too long
        box_table(["Server", "Server"], [["a", "Running"]]),  # repeated header
    ],
)
def test_parse_box_table_rejects(text):
    with pytest.raises(BadOutput):
        parse_box_table(text)


@pytest.mark.parametrize(
    "text",
    [
        box_table(["Server", "Address"], [["mcs1", "a"]]),  # no State column
        box_table(["Name", "State"], [["mcs1", "Running"]]),  # no Server column
        box_table(["Server", "State"], [["mcs1", "Maintenance"]]),  # no Running/Down
        box_table(["Server", "State"], [["", "Running"]]),  # empty name
        box_table(["Server", "State", "Port"], [["mcs1", "Running", "33o6"]]),  # bad port
        box_table(["Server", "State", "Connections"], [["mcs1", "Running", "-1"]]),
        box_table(["Server", "State", "Connections"], [["mcs1", "Running", "١٢"]]),  # non-ASCII digits
    ],
)
def test_servers_from_box_rows_rejects(text):
    with pytest.raises(BadOutput):
        parse_servers_output(text, "h")


@pytest.mark.parametrize(
    "text",
    [
        "mcs1\t192.0.2.11\t3306\t12\tMaster, Running\n",  # 5 columns
        "mcs1\t192.0.2.11\t3306\t12\tMaster, Running\t0-1-1\tmon\textra\n",  # 8 columns
        "mcs1\t192.0.2.11\t3306\t12\tMaster, Running\t0-1-1\tmon",  # no final newline
        "mcs1\ta\t3306\t1\tRunning\tg\nmcs2\ta\t3306\t1\tRunning\tg\tmon\n",  # mixed
        "mcs1\ta\tport\t1\tRunning\tg\n",
        "mcs1\ta\t3306\tmany\tRunning\tg\n",
        "mcs1\ta\t3306\t1\tMaintenance\tg\n",
        "mcs1\ta\t3306\t1\t\tg\n",
        "\ta\t3306\t1\tRunning\tg\n",
        "127.0.0.1:8989\nmcs1\ta\t3306\t1\tRunning\tg\n",  # multi-host header line
        "\n",
        "Error: Server at http://127.0.0.1:8989 responded with 401 Unauthorized to `GET servers`\n",
    ],
)
def test_parse_servers_tsv_rejects(text):
    with pytest.raises(BadOutput):
        parse_servers_tsv(text, "h")


def test_bad_output_message_is_one_line():
    with pytest.raises(BadOutput) as e:
        parse_servers_tsv("first line\nsecond\n", "h")
    assert "\n" not in str(e.value)


# --- random round trips through the verified renderer ----------------------------------------------

# Anything MaxScale accepts in a name: no whitespace (and no control or surrogate code points).
name_chars = st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
odd = st.sampled_from(["│", "┼", "─", '"', "'", "`", ";", "$(", ")", "\\", "数", "据", "🐬", "🙂", "é", "\u200b"])
names = (
    st.lists(st.one_of(name_chars, odd), min_size=1, max_size=40)
    .map("".join)
    .filter(lambda s: not any(c.isspace() for c in s))
)
DETAILS = ["", "Slave of External Server", "Slave of External Server (IO stopped)", "Low disk space"]
PREFIXES = [(), ("Maintenance",), ("Draining",), ("Drained",)]
ROLES = [(), ("Master",), ("Slave",), ("Relay Master", "Slave"), ("Binlog Relay",), ("Master", "Synced")]


@st.composite
def servers(draw, with_monitor: bool, with_details: bool) -> Server:
    flags = (
        draw(st.sampled_from(PREFIXES))
        + draw(st.sampled_from(ROLES))
        + draw(st.sampled_from([(), ("Auth Error",), ("Need DNS lookup",)]))
        + (draw(st.sampled_from(["Running", "Down"])),)
    )
    return Server(
        name=draw(names),
        address=draw(st.one_of(st.none(), names, st.just("2001:db8::1"), st.just("/run/mysqld/mysqld.sock"))),
        port=draw(st.one_of(st.none(), st.integers(0, 65535))),
        connections=draw(st.one_of(st.none(), st.integers(0, 10**12))),
        state=", ".join(flags),
        gtid=draw(st.one_of(st.none(), st.from_regex(r"\A\d+-\d+-\d+(,\d+-\d+-\d+){0,3}\Z"))),
        monitor=draw(st.one_of(st.none(), names)) if with_monitor else None,
        maxscale="mx",
        details=draw(st.sampled_from(DETAILS)) if with_details else "",
    )


def cells(s: Server, with_monitor: bool) -> list[str]:
    state = s.state + (", " + s.details if s.details else "")
    row = [
        s.name,
        s.address or "",
        "" if s.port is None else str(s.port),
        "" if s.connections is None else str(s.connections),
        state,
        s.gtid or "",
    ]
    return row + ([s.monitor or ""] if with_monitor else [])


HEADERS = ["Server", "Address", "Port", "Connections", "State", "GTID", "Monitor"]


@settings(deadline=None, max_examples=150)
@given(st.data(), st.booleans(), st.booleans())
def test_round_trip_box_and_tsv(data, with_monitor, with_details):
    expected = data.draw(st.lists(servers(with_monitor, with_details), max_size=25))
    rows = [cells(s, with_monitor) for s in expected]
    headers = HEADERS if with_monitor else HEADERS[:-1]
    box = box_table(headers, rows)
    assert parse_servers_output(box, "mx") == expected
    assert parse_servers_output(tsv_table(rows), "mx") == expected


cell_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=30).map(
    lambda s: s.rstrip(" ")
)


@settings(deadline=None, max_examples=150)
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r "), min_size=1, max_size=12),
        min_size=1,
        max_size=6,
        unique=True,
    ).flatmap(
        lambda hs: st.tuples(st.just(hs), st.lists(st.lists(cell_text, min_size=len(hs), max_size=len(hs)), max_size=8))
    )
)
def test_round_trip_any_box_table(table):
    headers, rows = table
    assert parse_box_table(box_table(headers, rows)) == [dict(zip(headers, r, strict=False)) for r in rows]


def test_tsv_whose_first_server_is_named_like_a_border_is_not_a_box():
    """Found by the round trip: a server may be called `┌`; only a line of border characters starts a box."""
    from mcsctl.tables import parse_servers_output

    (s,) = parse_servers_output("┌\t\t\t\tRunning\t\n", "mx")
    assert (s.name, s.state) == ("┌", "Running")
