"""mcsctl/hosts.py: the one HOST[:PORT] parser, shared by --hosts (settings) and the REST backend."""

from __future__ import annotations

import pytest

from mcsctl.backends import rest
from mcsctl.errors import UsageError
from mcsctl.hosts import DEFAULT_PORT, netloc, normalise, split_host


@pytest.mark.parametrize(
    "text, expected",
    [("mx1", ("mx1", DEFAULT_PORT)), (" mx1:1 ", ("mx1", 1)), ("[::1]", ("::1", DEFAULT_PORT)), ("::1", ("::1", 8989))],
)
def test_split(text, expected):
    assert split_host(text) == expected
    assert rest.parse_host(text) == expected  # the REST backend uses the same parser


@pytest.mark.parametrize("text", ["", "mx1:", "mx1:x", "mx1:٣", "a b", "a/b", "http://a", "[::1", "[::1]x", ":1"])
def test_bad_host_is_one_line_usage_error(text):
    with pytest.raises(UsageError) as e:
        split_host(text, what="host in --hosts")
    assert "\n" not in str(e.value)


def test_normalise_writes_the_port_and_brackets():
    assert normalise("mx1") == "mx1:8989"
    assert normalise("fe80::1") == "[fe80::1]:8989"
    assert netloc("::1", 1) == "[::1]:1"
