"""parse_duration / format_duration / parse_until."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcsctl.durations import format_duration, parse_duration, parse_until
from mcsctl.errors import ExitCode, UsageError


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("90", 90),
        ("90s", 90),
        ("15m", 900),
        ("2h", 7200),
        ("1d", 86400),
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("0", 0),
        ("0.25", 0.25),
        (".5s", 0.5),
        (" 2D3H ", 183600),
        ("1d2h3m4s", 93784),
    ],
)
def test_parse_duration_accepts(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["", " ", "x", "-5", "-5m", "30m1h", "1m1m", "1h 30m", "inf", "nan", "1e3", "h", "1.2.3s", "5w", "1" * 400],
)
def test_parse_duration_refuses_with_usage_error(text):
    with pytest.raises(UsageError) as info:
        parse_duration(text)
    msg = str(info.value)
    assert "\n" not in msg
    assert repr(text) in msg
    assert "1h30m" in msg  # names the accepted forms
    assert info.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    "seconds, text",
    [
        (5400, "1h30m"),
        (45, "45s"),
        (183600, "2d3h"),
        (0, "0s"),
        (90, "1m30s"),
        (1.5, "1.5s"),
        (-90, "-1m30s"),
        (86400 + 1, "1d1s"),
        (0.001, "0.001s"),
    ],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@given(st.integers(min_value=0, max_value=10**9))
def test_round_trip_whole_seconds(seconds):
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.integers(min_value=0, max_value=10**12))
def test_round_trip_milliseconds(millis):
    seconds = millis / 1000
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds, abs=1e-9)


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_parsed_text_formats_back_to_equal_value(seconds):
    # Any float formats to something parseable that is within a millisecond of it.
    assert abs(parse_duration(format_duration(seconds)) - seconds) <= 0.0005 + 1e-6 * seconds


def test_parse_until_duration_is_relative_to_now():
    assert parse_until("2h", 1000.0) == 1000.0 + 7200
    assert parse_until("90", 0.0) == 90.0


def test_parse_until_timestamp_with_zone():
    expect = datetime(2026, 11, 26, 6, 0, tzinfo=UTC).timestamp()
    assert parse_until("2026-11-26T06:00Z", 0.0) == expect
    assert parse_until("2026-11-26T06:00+00:00", 0.0) == expect
    assert parse_until("2026-11-26T07:00+01:00", 0.0) == expect


@pytest.fixture
def utc_plus_one():
    # A POSIX TZ rule, so the test needs no tzdata: local time is UTC+1.
    old = os.environ.get("TZ")
    os.environ["TZ"] = "XXX-1"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_parse_until_naive_timestamp_is_local_time(utc_plus_one):
    # 06:00 local at UTC+1 is 05:00 UTC.
    expect = datetime(2026, 11, 26, 5, 0, tzinfo=UTC).timestamp()
    assert parse_until("2026-11-26T06:00", 0.0) == expect
    assert parse_until("2026-11-26 06:00:00", 0.0) == expect


def test_parse_until_refuses_past_and_garbage():
    with pytest.raises(UsageError, match="past"):
        parse_until("2001-01-01T00:00", time.time())
    with pytest.raises(UsageError) as info:
        parse_until("tomorrow", 0.0)
    assert "'tomorrow'" in str(info.value) and "2026-11-26T06:00" in str(info.value)
