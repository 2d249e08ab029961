"""The generated zsh completion in a clean `zsh -f`, driven through zpty; compadd records the matches."""

from __future__ import annotations

import pytest

import time

from .conftest import cache_file, fake_calls, make_stale
from .shells import zsh_complete

MODES = ["fpath", "source"]  # autoloaded from $fpath by compinit / sourced after compinit


@pytest.mark.parametrize("mode", MODES)
def test_commands_and_option_values(shell_env, mode):
    cases = {
        "mcsctl ma": ["maintenance"],
        "mcsctl maintenance o": ["off", "on"],
        "mcsctl maint on --on-timeout f": ["fail", "force"],
        "mcsctl servers --format ": ["json", "table", "tsv"],
        "mcsctl -H 127.0.0.1:8989 --backend r": ["rest"],
        "mcsctl completion ": ["bash", "zsh"],
        "mcsctl maintenance run mcs1 --al": ["--allow-primary", "--always-clear"],
    }
    got = {line: zsh_complete(line, shell_env, mode) for line in cases}
    assert got == cases


@pytest.mark.parametrize("mode", MODES)
def test_server_names_from_the_seeded_cache(seeded_env, mode):
    cases = {
        "mcsctl maintenance on mc": ["mcs1", "mcs2", "mcs3"],
        "mcsctl maint status mcs3": ["mcs3"],
        "mcsctl rolling --servers mcs1,mc": ["mcs2", "mcs3"],
    }
    got = {line: zsh_complete(line, seeded_env, mode) for line in cases}
    assert got == cases


def test_missing_cache_is_filled_with_the_command_line_connection(fake_env):
    assert zsh_complete("mcsctl -H mx1:8989 --backend rest maintenance on ", fake_env) == ["fake1", "fake2", "mcs9"]
    assert fake_calls(fake_env) == ["-q -H mx1:8989 --backend rest servers --format tsv"]


def test_offline_offers_nothing(fake_env):
    env = dict(fake_env, FAKE_MODE="offline")
    assert zsh_complete("mcsctl maintenance on ", env) == []
    assert not cache_file(env).exists()


def test_command_after_double_dash(shell_env):
    got = zsh_complete("mcsctl maintenance run mcs1 -- bas", shell_env)
    assert "bash" in got and all(w.startswith("bas") for w in got)


def test_stale_cache_is_used_and_refreshed_in_the_background(fake_env):
    cache_file(fake_env).parent.mkdir(parents=True)
    cache_file(fake_env).write_text("old1\nold2\n")
    make_stale(fake_env)
    assert zsh_complete("mcsctl --backend rest maintenance on ", fake_env) == ["old1", "old2"]
    deadline = time.monotonic() + 10  # only stops a hang: the refresh runs detached
    while "fake1" not in cache_file(fake_env).read_text():
        assert time.monotonic() < deadline, "background refresh never happened"
        time.sleep(0.02)
    assert fake_calls(fake_env) == ["-q --backend rest servers --format tsv"]
