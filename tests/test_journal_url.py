"""The shared journal's address (mcsctl/journal/url.py) and its settings: parsed once, a password in it refused,
never printed; journal_password follows the MaxScale password's rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcsctl.errors import UsageError
from mcsctl.journal.url import JournalURL, is_database, parse
from mcsctl.settings import from_values, resolve


def test_parse_and_print_without_password():
    assert parse("mariadb://mcs@db1/journal") == JournalURL("mcs", "db1", 3306, "journal")
    assert str(parse("mariadb://mcs@db1:3307/j")) == "mariadb://mcs@db1:3307/j"
    assert str(parse("mariadb://mcs@[::1]:3307/j")) == "mariadb://mcs@[::1]:3307/j"
    assert is_database("MariaDB://u@h/d") and not is_database("/var/lib/j.jsonl") and not is_database(None)


@pytest.mark.parametrize("bad", ["mariadb://db1/j", "mariadb://u@db1", "mariadb://u@db1/a/b", "mariadb://u@h:99999/j"])
def test_bad_urls_are_one_usage_line(bad):
    with pytest.raises(UsageError, match="mariadb://USER@HOST"):
        parse(bad)


def test_a_password_in_the_url_is_refused_without_repeating_it():
    with pytest.raises(UsageError) as e:
        from_values({"journal": "mariadb://mcs:s3cr3t-pw@db1/j"})
    assert "must not hold a password" in str(e.value) and "s3cr3t-pw" not in str(e.value) + (e.value.hint or "")


@given(st.text(max_size=60))
def test_parse_never_raises_anything_else_and_never_echoes_a_password(tail):
    url = "mariadb://" + tail
    try:
        parsed = parse(url)
    except UsageError as exc:
        if "must not hold a password" not in str(exc):
            return
        assert ":" in tail.split("@")[0] or "@" in tail
        return
    except ValueError:  # urlsplit's own refusal of a malformed netloc (IPv6 brackets)
        pytest.fail(f"ValueError escaped for {url!r}")
    assert "@" in str(parsed) and parsed.database


def test_journal_password_in_a_config_readable_by_others_is_refused(tmp_path):
    conf = tmp_path / "config.toml"
    conf.write_text('journal = "mariadb://mcs@db1/j"\njournal_password = "pw"\n')
    conf.chmod(0o644)
    with pytest.raises(UsageError, match="chmod 600"):
        resolve({}, str(conf))
    conf.chmod(0o600)
    s = resolve({}, str(conf))
    assert s.journal_password == "pw" and s.journal_fallback == "none" and s.lease_seconds == 120.0


def test_fallback_and_lease_are_checked():
    with pytest.raises(UsageError, match="--journal-fallback must be none or local"):
        from_values({"journal_fallback": "remote"})
    with pytest.raises(UsageError, match="--lease-seconds must be a positive number"):
        from_values({"lease_seconds": 0})
