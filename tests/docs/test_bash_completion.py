"""The generated bash completion in a real bash: COMP_WORDS/COMP_CWORD set by hand, COMPREPLY compared."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from .conftest import SYSTEM_PATH, cache_file, fake_calls, fake_passwords, for_hosts, make_stale
from .shells import BASH_SCRIPT, bash_complete, bash_readline, comp_words


def replies(lines, env, **kw):
    results = bash_complete(lines, env, **kw)
    for line, r in zip(lines, results, strict=False):
        assert r["output"] == "", f"completion printed something for {line!r}: {r['output']!r}"
    return [r["reply"] for r in results]


def test_comp_words_split_like_readline():
    assert comp_words("mcsctl ma") == ["mcsctl", "ma"]
    assert comp_words("mcsctl servers ") == ["mcsctl", "servers", ""]
    assert comp_words("mcsctl -H a:1 servers --format=js") == [
        "mcsctl",
        "-H",
        "a",
        ":",
        "1",
        "servers",
        "--format",
        "=",
        "js",
    ]


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
        "mcsctl maintenance on --no": [
            "--no-drain",
            "--no-secure",
            "--no-tls-verify-server-cert",
            "--no-journal",
            "--no-columnstore",
            "--no-cmapi-failover",
            "--notify",
            "--notify-timeout",
        ],
        "mcsctl servers --form": ["--format"],
        "mcsctl servers -H mx1 --backend ": ["auto", "maxctrl", "rest"],  # global options after the command
        "mcsctl maintenance on mcs1 --backend=m": ["maxctrl"],
        "mcsctl servers --hos": ["--hosts"],
        "mcsctl servers --he": ["--help"],
        "mcsctl --tls-v": ["--tls-verify-server-cert"],
        "mcsctl rolling --con": ["--confirm-timeout", "--config"],
        "mcsctl rolling --cs": ["--cs-settle"],
        "mcsctl maintenance run mcs1 --always": ["--always-clear"],
        "mcsctl maintenance run mcs1 -- --always": [],  # after --: COMMAND's own words
        "mcsctl ": [
            "servers",
            "switchover",
            "drain",
            "undrain",
            "rolling",
            "completion",
            "maintenance",
            "columnstore",
            "journal",
        ],  # fmt: skip
        "mcsctl maintenance ": ["on", "off", "status", "run", "extend", "reap"],
        "mcsctl journal ": ["export", "import"],
        "mcsctl nosuch ": [],
    }
    got = replies(list(lines), shell_env)
    assert dict(zip(lines, got, strict=False)) == lines


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
    assert dict(zip(lines, got, strict=False)) == lines


def test_command_after_double_dash_is_a_command_name(shell_env):
    (got,) = replies(["mcsctl rolling -- bas"], shell_env)
    assert "bash" in got and all(w.startswith("bas") for w in got)


def test_each_cluster_offers_its_own_names(two_clusters):
    """Caches seeded by real `mcsctl -H <sim> servers` runs; -H, then $MCSCTL_HOSTS, picks the cache."""
    env, a, b = two_clusters
    lines = {
        f"mcsctl -H {a} maintenance on ": ["mcs1", "mcs2", "mcs3"],
        f"mcsctl -H {b} maintenance on ": ["bnode1", "bnode2"],
        f"mcsctl --hosts={b} maint status b": ["bnode1", "bnode2"],
        f"mcsctl -H{b} rolling --servers bnode2,": ["bnode2,bnode1"],
        f"mcsctl -H {a} maintenance on b": [],
    }
    got = replies(list(lines), env)
    assert dict(zip(lines, got, strict=False)) == lines
    by_env = {
        "mcsctl maintenance on ": ["bnode1", "bnode2"],
        f"mcsctl -H {a} maintenance on ": ["mcs1", "mcs2", "mcs3"],
    }
    assert replies(list(by_env), dict(env, MCSCTL_HOSTS=b)) == list(by_env.values())


def test_missing_cache_is_filled_once_with_the_command_line_connection(fake_env):
    env = for_hosts(fake_env, "mx1:8989,mx2")
    (got,) = replies(["mcsctl -H mx1:8989,mx2 --backend rest -u ops -t 3 maintenance on "], env)
    assert got == ["fake1", "fake2", "mcs9"]
    assert fake_calls(env) == ["-q -H mx1:8989,mx2 --backend rest -u ops -t 3 servers --format tsv"]
    assert fake_passwords(env) == [None]
    assert cache_file(env, "mx1:8989,mx2").exists() and not cache_file(env).exists()


def test_fill_passes_on_every_connection_option(fake_env):
    env = for_hosts(fake_env, "mx1")
    line = (
        "mcsctl -v --hosts=mx1 -u ops -p pw --backend maxctrl --maxctrl ~/bin/maxctrl --timeout=2.5 "
        "--secure --tls-ca-cert /etc/ca.pem --no-tls-verify-server-cert --config=/etc/m.toml "
        "--poll-interval 1 maintenance on "
    )
    assert replies([line], env) == [["fake1", "fake2", "mcs9"]]
    home = env["HOME"]
    assert fake_calls(env) == [
        f"-q --hosts mx1 -u ops --backend maxctrl --maxctrl {home}/bin/maxctrl --timeout 2.5 --secure "
        "--tls-ca-cert /etc/ca.pem --no-tls-verify-server-cert --config /etc/m.toml servers --format tsv"
    ]
    assert fake_passwords(env) == ["pw"]  # in the fill's environment, not in its argv (`ps` shows argv)


@pytest.mark.parametrize(
    "line,hosts,call,password",
    [
        ("mcsctl -s -t3 -Hmx2 maintenance on ", "mx2", "-q -s -t 3 -H mx2 servers --format tsv", None),
        (
            "mcsctl --no-secure -H [::1]:8989 maintenance on ",
            "[::1]:8989",
            "-q --no-secure -H [::1]:8989 servers --format tsv",
            None,
        ),
        ("mcsctl -H 'x y' maintenance on ", "x y", "-q -H x y servers --format tsv", None),
        ('mcsctl -H "a,b" -H mx\\ 2 maintenance on ', "mx 2", "-q -H a,b -H mx 2 servers --format tsv", None),
        ("mcsctl -H '' maintenance on ", None, "-q -H  servers --format tsv", None),
        ('mcsctl -H "mx:1,my" -p "a\'b" maintenance on ', "mx:1,my", "-q -H mx:1,my servers --format tsv", "a'b"),
        ("mcsctl --password=x -H mx3 maintenance on ", "mx3", "-q -H mx3 servers --format tsv", "x"),
        (
            "mcsctl -H mx4 -ps3\\ cr\\$t -u ops maintenance on ",
            "mx4",
            "-q -H mx4 -u ops servers --format tsv",
            "s3 cr$t",
        ),
        ("mcsctl --password '$(false)' -p '' -H mx5 maintenance on ", "mx5", "-q -H mx5 servers --format tsv", ""),
    ],
)
def test_the_fill_and_the_key_follow_the_hosts_as_typed(fake_env, line, hosts, call, password):
    """Short forms, an IPv6 literal, quotes and backslashes: the shell unquotes, nothing is evaluated.
    A password (the last one typed) reaches the fill as MCSCTL_PASSWORD only."""
    env = for_hosts(fake_env, hosts)
    assert replies([line], env) == [["fake1", "fake2", "mcs9"]]
    assert fake_calls(env) == [call]
    assert fake_passwords(env) == [password]


def test_the_users_exported_password_applies_unless_one_is_typed(fake_env):
    env = for_hosts(dict(fake_env, MCSCTL_PASSWORD="from-env"), "mx6")
    assert replies(["mcsctl -H mx6 maintenance on "], env) == [["fake1", "fake2", "mcs9"]]
    cache_file(env, "mx6").unlink()
    assert replies(["mcsctl -H mx6 -p typed maintenance on "], env) == [["fake1", "fake2", "mcs9"]]
    assert fake_calls(env) == ["-q -H mx6 servers --format tsv"] * 2
    assert fake_passwords(env) == ["from-env", "typed"]


@pytest.mark.parametrize(
    "line,hosts,call,password",
    [
        ("mcsctl maintenance on -H mx1 --backend rest ", "mx1", "-q -H mx1 --backend rest servers --format tsv", None),
        ("mcsctl maintenance on --yes -Hmx2 -p pw -t 3 ", "mx2", "-q -H mx2 -t 3 servers --format tsv", "pw"),
        ("mcsctl rolling --hosts=mx3 --servers ", "mx3", "-q --hosts mx3 servers --format tsv", None),
        ("mcsctl maintenance on --reason -H ", None, "-q servers --format tsv", None),  # -H is --reason's value
    ],
)
def test_global_options_after_the_command_reach_the_fill(fake_env, line, hosts, call, password):
    env = for_hosts(fake_env, hosts)
    assert replies([line], env) == [["fake1", "fake2", "mcs9"]]
    assert fake_calls(env) == [call]
    assert fake_passwords(env) == [password]


@pytest.mark.parametrize("exported", [None, "mine"])
def test_the_typed_password_does_not_stay_in_the_shell(fake_env, exported):
    """After the TAB, the shell's MCSCTL_PASSWORD (and whether it is exported) is as before."""
    env = for_hosts(dict(fake_env), "mx7")
    if exported is not None:
        env["MCSCTL_PASSWORD"] = exported
    line = "mcsctl -H mx7 -p secret maintenance on "
    words = " ".join(f"'{w}'" for w in comp_words(line))
    script = (
        f"source '{BASH_SCRIPT}'; set -u; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; "
        f"COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _mcsctl; "
        'printf "%s|%s|%s" "${COMPREPLY[*]}" "${MCSCTL_PASSWORD-unset}" "$(printenv MCSCTL_PASSWORD)"'
    )
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    after = exported if exported is not None else "unset"
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"fake1 fake2 mcs9|{after}|{exported or ''}", "")
    assert fake_passwords(env) == ["secret"]


def test_options_of_subcommands_are_not_passed_on(fake_env):
    """A subcommand's own options are not passed on; $MCSCTL_HOSTS is inherited, not repeated."""
    env = for_hosts(dict(fake_env, MCSCTL_HOSTS="mx7:8989"), "mx7:8989")
    assert replies(["mcsctl maintenance on --switchover --to "], env) == [["fake1", "fake2", "mcs9"]]
    assert fake_calls(env) == ["-q servers --format tsv"]


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
    env = for_hosts(fake_env, "mx9")
    cache_file(env, "mx9").parent.mkdir(parents=True)
    cache_file(env, "mx9").write_text("old1\nold2\n")
    make_stale(env, hosts="mx9")
    assert replies(["mcsctl --hosts=mx9 -p 'p w' maintenance on o"], env) == [["old1", "old2"]]
    wait_for(lambda: "fake1" in cache_file(env, "mx9").read_text())
    assert fake_calls(env) == ["-q --hosts mx9 servers --format tsv"]
    assert fake_passwords(env) == ["p w"]


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
    assert [read_back(w) for w in got[0]] == [f"$(touch {marker})", f"`touch {marker}`", "mcs1"]
    assert not marker.exists()


def read_back(word: str) -> str:
    """The argument bash makes of `word` on a command line (what a completion inserted), evaluating nothing."""
    proc = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", f"printf '%s' {word}"], capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0 and proc.stderr == "", proc
    return proc.stdout


ODD_NAMES = ["a'b", 'q"x', "d$x", "s;t", "b\\k", "m&n", "p(1)", "t*r", "e!c", "c,m", "{u}"]


@pytest.mark.parametrize("opening", ["", "'", '"'])
def test_names_with_shell_characters_are_inserted_quoted_in_a_real_readline(fake_env, tmp_path, opening):
    """A TAB in a real interactive bash (pty): the completed word, unquoted or inside a quote the admin
    opened, is read back by bash as the exact name (quotes, $, ;, backslash, &, (, *, !)."""
    cache_file(fake_env).parent.mkdir(parents=True)
    cache_file(fake_env).write_text("\n".join(ODD_NAMES) + "\n")
    lines = [f"mcsctl maintenance on {opening}{name[0]}" for name in ODD_NAMES]
    lines += [f"mcsctl switchover --to={opening}{name[0]}" for name in ODD_NAMES[:4]]
    got = bash_readline(lines, dict(fake_env, PATH=SYSTEM_PATH))
    expected = [["maintenance", "on", n] for n in ODD_NAMES] + [["switchover", f"--to={n}"] for n in ODD_NAMES[:4]]
    assert got == expected
    assert fake_calls(fake_env) == []  # the fresh cache answered; nothing ran


def test_a_partly_quoted_word_and_a_server_list_complete_to_the_exact_names(fake_env):
    cache_file(fake_env).parent.mkdir(parents=True)
    cache_file(fake_env).write_text("a'b$c\nmcs1\n")
    lines = [
        "mcsctl maintenance on a\\'b",
        "mcsctl maintenance on a\\''b",
        "mcsctl maintenance on \"a'b\\$",
        "mcsctl rolling --servers mcs1,a -- true"[:-8],
    ]
    got = bash_readline(lines, dict(fake_env, PATH=SYSTEM_PATH))
    assert got == [["maintenance", "on", "a'b$c"]] * 3 + [["rolling", "--servers", "mcs1,a'b$c"]]


def test_works_under_nounset_and_with_bash_completion_loaded(fake_env):
    """Admins' shells differ: `set -u`, and bash-completion sourced first when the system has it."""
    pre = "set -u"
    bc = Path("/usr/share/bash-completion/bash_completion")
    if bc.exists():
        pre = f"source {bc}; set -u"
    lines = [
        "mcsctl ma",
        "mcsctl servers --format=t",
        "mcsctl -H h:1 maintenance on f",
        "mcsctl rolling -- ",
        "mcsctl -H h:2 -p 'x y' maintenance on ",
    ]
    env = for_hosts(fake_env, "h:1")
    got = replies(lines, env, pre=pre)
    assert got[:3] == [["maintenance"], ["table", "tsv"], ["fake1", "fake2"]]
    assert fake_calls(env) == ["-q -H h:1 servers --format tsv", "-q -H h:2 servers --format tsv"]
    assert fake_passwords(env) == [None, "x y"]
