"""maxctrl_format and maxctrl_views against the golden outputs, byte for byte (no server involved)."""

from __future__ import annotations

import pytest

from simulator import maxctrl_versions
from simulator.maxctrl_format import box_table, js_len, tsv_table
from simulator.maxctrl_views import get_path, list_servers_columns, list_servers_table, show_server_pairs

from .goldens import VERSIONS, exchanges, response_body, text

LIST_CASES = [
    "list_servers",
    "list_servers_cluster3_mcs3_maint",
    "list_servers_variants",
    "list_servers_longnames",
    "list_servers_many50",
    "list_servers_empty",
    "list_servers_nomonitor",
]


def _doc(version, case):
    return response_body(exchanges(version, case)[-1])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", LIST_CASES)
def test_list_servers_table(version, case):
    headers, rows = list_servers_table(_doc(version, case), maxctrl_versions.get(version))
    assert box_table(headers, rows) == text(version, case, "stdout")


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", LIST_CASES)
def test_list_servers_tsv(version, case):
    headers, rows = list_servers_table(_doc(version, case + "_tsv"), maxctrl_versions.get(version))
    expected = text(version, case + "_tsv", "stdout")
    assert tsv_table(rows) == expected


@pytest.mark.parametrize("version", VERSIONS)
def test_show_server(version):
    data = _doc(version, "show_server")["data"]
    rows = show_server_pairs(data, maxctrl_versions.get(version), tsv=False)
    assert box_table([], rows)[:0] == ""  # a key/value table has no header row
    assert _kv_table(rows) == text(version, "show_server", "stdout")
    rows = show_server_pairs(data, maxctrl_versions.get(version), tsv=True)
    assert tsv_table(rows) == text(version, "show_server_tsv", "stdout")


def _kv_table(rows):
    return box_table(rows[0], rows[1:])


def test_box_table_counts_utf16_units():
    # An astral character is 2 UTF-16 code units, so it gets one space less padding.
    out = box_table(["A"], [["\U0001f600"], ["abc"]])
    lines = out.splitlines()
    assert lines[1] == "│ A   │"
    assert lines[3] == "│ \U0001f600  │"
    assert js_len("\U0001f600") == 2


def test_box_table_empty_rows_and_multiline():
    assert box_table(["X", "Yy"], []) == "┌───┬────┐\n│ X │ Yy │\n└───┴────┘\n"
    assert box_table(["k"], [["a\nbb"]]).splitlines()[3:5] == ["│ a  │", "│ bb │"]


def test_tsv_table():
    assert tsv_table([]) == ""
    assert tsv_table([[" a  b ", "", "c\n d"], ["x", "y", ""]]) == "a b\t\tc d\nx\ty\t\n"


@pytest.mark.parametrize(
    "version,monitor",
    [
        ("2.5", False),
        ("6.4", False),
        ("22.08", True),  # the Monitor column came with 22.08.2; the 22.08 line prints 22.08.15
        ("23.08", True),
        ("24.02", True),
        ("24.02.3", True),
    ],
)
def test_list_servers_columns(version, monitor):
    cols = list_servers_columns(maxctrl_versions.get(version))
    assert cols[:6] == ["Server", "Address", "Port", "Connections", "State", "GTID"]
    assert ("Monitor" in cols) == monitor


def test_get_path():
    doc = {"data": [{"a": {"b": 1}}, {"a": {"b": 2}}, {"a": {}}]}
    assert get_path(doc, "data[].a.b") == [1, 2]
    assert get_path(doc, "data.0.a.b") == 1
    assert get_path(doc, "nope.x", "") == ""
