"""The generated zsh completion in a clean `zsh -f`, driven through zpty; compadd records the matches."""

from __future__ import annotations

import time

import pytest

from .conftest import cache_file, fake_calls, fake_passwords, for_hosts, make_stale
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
        "mcsctl maintenance run mcs1 --al": [
            "--allow-columnstore-primary",
            "--allow-primary",
            "--allow-unhealthy",
            "--always-clear",
        ],
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


@pytest.mark.parametrize("mode", MODES)
def test_each_cluster_offers_its_own_names(two_clusters, mode):
    """Caches seeded by real `mcsctl -H <sim> servers` runs; -H, then $MCSCTL_HOSTS, picks the cache."""
    env, a, b = two_clusters
    cases = {
        f"mcsctl -H {a} maintenance on ": ["mcs1", "mcs2", "mcs3"],
        f"mcsctl -H {b} maintenance on ": ["bnode1", "bnode2"],
        f"mcsctl --hosts={b} rolling --servers bnode2,": ["bnode1"],
        f"mcsctl -H {a} maintenance on b": [],
    }
    got = {line: zsh_complete(line, env, mode) for line in cases}
    assert got == cases
    env_b = dict(env, MCSCTL_HOSTS=b)
    assert zsh_complete("mcsctl maintenance on ", env_b, mode) == ["bnode1", "bnode2"]
    assert zsh_complete(f"mcsctl -H {a} maint status ", env_b, mode) == ["mcs1", "mcs2", "mcs3"]


def test_missing_cache_is_filled_with_the_command_line_connection(fake_env):
    env = for_hosts(fake_env, "mx1:8989")
    assert zsh_complete("mcsctl -H mx1:8989 --backend rest maintenance on ", env) == ["fake1", "fake2", "mcs9"]
    assert fake_calls(env) == ["-q -H mx1:8989 --backend rest servers --format tsv"]
    assert fake_passwords(env) == [None]
    assert not cache_file(env).exists()


def test_fill_passes_on_every_connection_option(fake_env):
    env = for_hosts(fake_env, "mx1")
    line = (
        "mcsctl -v --hosts=mx1 -u ops -p pw --backend maxctrl --maxctrl ~/bin/maxctrl -t 2.5 "
        "--secure --tls-ca-cert /etc/ca.pem --no-tls-verify-server-cert --config=/etc/m.toml "
        "--poll-interval 1 maintenance on "
    )
    assert zsh_complete(line, env) == ["fake1", "fake2", "mcs9"]
    (call,) = fake_calls(env)
    args = call.split()
    assert args[0] == "-q" and args[-3:] == ["servers", "--format", "tsv"]
    pairs = dict(zip(args[1:-3:1], args[2:-3], strict=False))  # option -> the word after it
    for opt, value in {
        "--hosts": "mx1",
        "-u": "ops",
        "--backend": "maxctrl",
        "-t": "2.5",
        "--maxctrl": f"{env['HOME']}/bin/maxctrl",
        "--tls-ca-cert": "/etc/ca.pem",
        "--config": "/etc/m.toml",
    }.items():
        assert pairs.get(opt) == value, (opt, call)
    assert {"--secure", "--no-tls-verify-server-cert"} <= set(args)
    assert "-v" not in args and "--poll-interval" not in args
    # the password: in the fill's environment, never in its argv (`ps` shows argv)
    assert not {"-p", "--password", "pw"} & set(args), call
    assert fake_passwords(env) == ["pw"]


@pytest.mark.parametrize(
    "line,hosts,call,password",
    [
        ("mcsctl -s -Hmx2 maintenance on ", "mx2", "-q -H mx2 -s servers --format tsv", None),
        ("mcsctl -H [::1]:8989 maintenance on ", "[::1]:8989", "-q -H [::1]:8989 servers --format tsv", None),
        ("mcsctl -H 'x y' maintenance on ", "x y", "-q -H x y servers --format tsv", None),
        ("mcsctl --hosts mx\\ 2 maintenance on ", "mx 2", "-q --hosts mx 2 servers --format tsv", None),
        ('mcsctl -H "mx:1,my" -p "a\'b" maintenance on ', "mx:1,my", "-q -H mx:1,my servers --format tsv", "a'b"),
        ("mcsctl --password=x -H mx3 maintenance on ", "mx3", "-q -H mx3 servers --format tsv", "x"),
        (
            "mcsctl -H mx4 -ps3\\ cr\\$t:1 -u ops maintenance on ",
            "mx4",
            "-q -H mx4 -u ops servers --format tsv",
            "s3 cr$t:1",
        ),
        ("mcsctl --password '$(false)' -H mx5 maintenance on ", "mx5", "-q -H mx5 servers --format tsv", "$(false)"),
    ],
)
def test_the_fill_and_the_key_follow_the_hosts_as_typed(fake_env, line, hosts, call, password):
    """A password reaches the fill as MCSCTL_PASSWORD only, unquoted as the shell would; nothing evaluated."""
    env = for_hosts(fake_env, hosts)
    assert zsh_complete(line, env) == ["fake1", "fake2", "mcs9"]
    assert fake_calls(env) == [call]
    assert fake_passwords(env) == [password]


@pytest.mark.parametrize("typed,got", [("", "from-env"), ("-p typed ", "typed")])
def test_the_users_exported_password_applies_unless_one_is_typed(fake_env, typed, got):
    env = for_hosts(dict(fake_env, MCSCTL_PASSWORD="from-env"), "mx6")
    assert zsh_complete(f"mcsctl -H mx6 {typed}maintenance on ", env) == ["fake1", "fake2", "mcs9"]
    assert fake_calls(env) == ["-q -H mx6 servers --format tsv"]
    assert fake_passwords(env) == [got]


def test_offline_offers_nothing(fake_env):
    env = dict(fake_env, FAKE_MODE="offline")
    assert zsh_complete("mcsctl maintenance on ", env) == []
    assert not cache_file(env).exists()


def test_command_after_double_dash(shell_env):
    got = zsh_complete("mcsctl maintenance run mcs1 -- bas", shell_env)
    assert "bash" in got and all(w.startswith("bas") for w in got)


def test_stale_cache_is_used_and_refreshed_in_the_background(fake_env):
    env = for_hosts(dict(fake_env, MCSCTL_HOSTS="mx5"), "mx5")
    cache_file(env, "mx5").parent.mkdir(parents=True)
    cache_file(env, "mx5").write_text("old1\nold2\n")
    make_stale(env, hosts="mx5")
    assert zsh_complete("mcsctl --backend rest --password 'p w' maintenance on ", env) == ["old1", "old2"]
    deadline = time.monotonic() + 10  # only stops a hang: the refresh runs detached
    while "fake1" not in cache_file(env, "mx5").read_text():
        assert time.monotonic() < deadline, "background refresh never happened"
        time.sleep(0.02)
    assert fake_calls(env) == ["-q --backend rest servers --format tsv"]
    assert fake_passwords(env) == ["p w"]


@pytest.mark.parametrize(
    "line,hosts,call,password",
    [
        ("mcsctl maintenance on -H mx1 --backend rest ", "mx1", "-q -H mx1 --backend rest servers --format tsv", None),
        (
            "mcsctl --backend rest maintenance on --yes -Hmx2 -p pw ",
            "mx2",
            "-q --backend rest -H mx2 servers --format tsv",
            "pw",
        ),
        ("mcsctl rolling --hosts=mx3 --servers ", "mx3", "-q --hosts mx3 servers --format tsv", None),
        ("mcsctl maintenance on --reason=-H ", None, "-q servers --format tsv", None),  # -H is --reason's value
    ],
)
def test_global_options_after_the_command_reach_the_fill(fake_env, line, hosts, call, password):
    env = for_hosts(fake_env, hosts)
    assert zsh_complete(line, env) == ["fake1", "fake2", "mcs9"]
    assert fake_calls(env) == [call]
    assert fake_passwords(env) == [password]


def test_global_options_are_offered_after_the_command(shell_env):
    assert zsh_complete("mcsctl servers --hos", shell_env) == ["--hosts"]
    assert zsh_complete("mcsctl maintenance on mcs1 --backend ", shell_env) == ["auto", "maxctrl", "rest"]
    assert zsh_complete("mcsctl maintenance on --no-d", shell_env) == ["--no-drain"]
