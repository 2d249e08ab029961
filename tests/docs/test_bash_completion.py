"""The generated bash completion in a real bash: COMP_WORDS/COMP_CWORD set by hand, COMPREPLY compared."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import cache_file, fake_calls, make_stale
from .shells import bash_complete, comp_words


def replies(lines, env, **kw):
    results = bash_complete(lines, env, **kw)
    for line, r in zip(lines, results):
        assert r["output"] == "", f"completion printed something for {line!r}: {r['output']!r}"
    return [r["reply"] for r in results]


def test_comp_words_split_like_readline():
    assert comp_words("mcsctl ma") == ["mcsctl", "ma"]
    assert comp_words("mcsctl servers ") == ["mcsctl", "servers", ""]
    assert comp_words("mcsctl -H a:1 servers --format=js") == ["mcsctl", "-H", "a", ":", "1", "servers",
                                                               "--format", "=", "js"]


def test_commands_options_and_values(shell_env):
    lines = {
        "mcsctl ma": ["maintenance"],
        "mcsctl maintenance o": ["on", "off"],
        "mcsctl maint o": ["on", "off"],
        "mcsctl maint on --on-timeout f": ["fail", "force"],
        "mcsctl servers --format ": ["table", "json", "tsv"],
        "mcsctl servers --format=j": ["json"],
        "mcsctl --backend ": ["auto", "maxctrl", "rest"],
        "mcsctl -H 127.0.0.1:8989 --backend r": ["rest"],
        "mcsctl completion ": ["bash", "zsh"],
        "mcsctl servers --f": ["--format"],
        "mcsctl maintenance on --no": ["--no-drain"],
        "mcsctl --tls-v": ["--tls-verify-server-cert"],
        "mcsctl rolling --c": ["--catchup-timeout"],
        "mcsctl maintenance run mcs1 --always": ["--always-clear"],
        "mcsctl maintenance run mcs1 -- --always": [],  # after --: COMMAND's own words
        "mcsctl ": ["servers", "switchover", "rolling", "completion", "maintenance"],
        "mcsctl maintenance ": ["on", "off", "status", "run", "reap"],
        "mcsctl nosuch ": [],
    }
    got = replies(list(lines), shell_env)
    assert dict(zip(lines, got)) == lines


def test_server_names_from_a_cache_seeded_by_mcsctl_servers(seeded_env):
    lines = {
        "mcsctl maintenance on mc": ["mcs1", "mcs2", "mcs3"],
        "mcsctl maint off mcs2": ["mcs2"],
        "mcsctl maintenance status ": ["mcs1", "mcs2", "mcs3"],
        "mcsctl maintenance run mcs": ["mcs1", "mcs2", "mcs3"],
        "mcsctl maintenance on --switchover --to mcs": ["mcs1", "mcs2", "mcs3"],
        "mcsctl switchover --to=mcs3": ["mcs3"],
        "mcsctl rolling --servers mcs1,mc": ["mcs1,mcs2", "mcs1,mcs3"],
        "mcsctl rolling --servers mcs1,mcs3,": ["mcs1,mcs3,mcs2"],
        "mcsctl maintenance on x": [],
    }
    got = replies(list(lines), seeded_env)
    assert dict(zip(lines, got)) == lines


def test_command_after_double_dash_is_a_command_name(shell_env):
    (got,) = replies(["mcsctl rolling -- bas"], shell_env)
    assert "bash" in got and all(w.startswith("bas") for w in got)


def test_missing_cache_is_filled_once_with_the_command_line_connection(fake_env):
    (got,) = replies(["mcsctl -H mx1:8989,mx2 --backend rest -u ops -t 3 maintenance on "], fake_env)
    assert got == ["fake1", "fake2", "mcs9"]
    assert fake_calls(fake_env) == ["-q -H mx1:8989,mx2 --backend rest -u ops servers --format tsv"]


def test_fresh_cache_runs_nothing(fake_env):
    cache_file(fake_env).parent.mkdir(parents=True)
    cache_file(fake_env).write_text("mcs1\nmcs2\n")
    assert replies(["mcsctl maintenance on ", "mcsctl maint off m"], fake_env) == [["mcs1", "mcs2"]] * 2
    assert fake_calls(fake_env) == []


def wait_for(predicate, timeout=10.0):
    """Poll for a background effect (not a timing assertion: the deadline only stops a hang)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "background refresh never happened"
        time.sleep(0.02)


def test_stale_cache_is_used_and_refreshed_in_the_background(fake_env):
    cache_file(fake_env).parent.mkdir(parents=True)
    cache_file(fake_env).write_text("old1\nold2\n")
    make_stale(fake_env)
    assert replies(["mcsctl --hosts=mx9 maintenance on o"], fake_env) == [["old1", "old2"]]
    wait_for(lambda: "fake1" in cache_file(fake_env).read_text())
    assert fake_calls(fake_env) == ["-q --hosts=mx9 servers --format tsv"]


@pytest.mark.parametrize("mode", ["offline", "missing"])
def test_offline_or_no_mcsctl_offers_nothing_and_prints_nothing(fake_env, mode):
    env = dict(fake_env, FAKE_MODE="offline")
    if mode == "missing":
        env["PATH"] = "/usr/bin:/bin"
    assert replies(["mcsctl maintenance on ", "mcsctl rolling --servers a,"], env) == [[], []]
    assert not cache_file(env).exists()


def test_fill_has_a_strict_time_limit(fake_env):
    """A hanging MaxScale must not hang the TAB: the fill is killed after the limit (hang guard: 20 s)."""
    env = dict(fake_env, FAKE_MODE="slow")
    assert replies(["mcsctl maintenance on "], env) == [[]]


def test_hostile_server_names_are_not_evaluated(fake_env, tmp_path):
    cache_file(fake_env).parent.mkdir(parents=True)
    marker = tmp_path / "pwned"
    cache_file(fake_env).write_text(f"$(touch {marker})\n`touch {marker}`\nmcs1\n")
    got = replies(["mcsctl maintenance on ", "mcsctl rolling --servers mcs1,"], fake_env)
    assert got[0] == [f"$(touch {marker})", f"`touch {marker}`", "mcs1"]
    assert not marker.exists()


def test_works_under_nounset_and_with_bash_completion_loaded(fake_env):
    """Admins' shells differ: `set -u`, and bash-completion sourced first when the system has it."""
    pre = "set -u"
    bc = Path("/usr/share/bash-completion/bash_completion")
    if bc.exists():
        pre = f"source {bc}; set -u"
    lines = ["mcsctl ma", "mcsctl servers --format=t", "mcsctl -H h:1 maintenance on f", "mcsctl rolling -- "]
    got = replies(lines, fake_env, pre=pre)
    assert got[:3] == [["maintenance"], ["table", "tsv"], ["fake1", "fake2"]]
    assert fake_calls(fake_env) == ["-q -H h:1 servers --format tsv"]
