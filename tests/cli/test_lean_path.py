"""The lean dispatch path (mcsctl/lean.py, issue 17) against the Typer path: identical stdout, stderr and exit
status over a table and a hypothesis-made matrix of argv, environment and config files; a change is made by
both paths from the same simulator state and journal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcsctl import lean

from .inprocess import _environment, run_main


def typer_path() -> None:
    """mcsctl.__main__.main without the lean path."""
    from mcsctl import signals
    from mcsctl.cli import run

    signals.install()
    run()


@pytest.fixture
def both(cli_env, maxscale_sim, tmp_path):
    """both(argv, env) -> ((status, stdout, stderr) of each path, after checking they are the same; whether
    the lean path took it)."""
    base = dict(cli_env, MCSCTL_BACKEND="rest", MCSCTL_HOSTS=maxscale_sim.host)
    config = tmp_path / "config.toml"
    config.write_text(f'hosts = "{maxscale_sim.host}"\nuser = "admin"\n')

    def fresh() -> None:
        """A change starts from the same state on both paths: the simulator's and an empty journal."""
        maxscale_sim.reset()
        journal = Path(base["MCSCTL_JOURNAL"])
        journal.unlink(missing_ok=True)

    def run(argv: list[str], env: dict[str, str | None] | None = None) -> tuple[tuple[int, str, str], bool]:
        e = dict(base, **(env or {}))
        e = {k: v for k, v in e.items() if v is not None}
        argv = [a.replace("{host}", maxscale_sim.host).replace("{config}", str(config)) for a in argv]
        e = {k: v.replace("{host}", maxscale_sim.host).replace("{config}", str(config)) for k, v in e.items()}
        fresh()
        fast = run_main(argv, e)
        fresh()
        slow = run_main(argv, e, entry=typer_path)
        assert fast == slow, (argv, e)
        with _environment(e):
            return fast, takes_lean(argv)

    return run


def takes_lean(argv: list[str]) -> bool:
    try:
        lean.parse(argv)
    except lean.Fallback:
        return False
    return True


CASES = [
    # (argv, env, the lean path takes it)
    (["servers"], {}, True),
    (["servers", "-f", "json"], {}, True),
    (["servers", "--format=tsv"], {}, True),
    (["servers", "-ftsv", "-q"], {}, True),
    (["-q", "-H", "{host}", "servers", "--format", "tsv"], {"MCSCTL_HOSTS": None}, True),  # the completion fill
    (["servers", "-H", "{host}"], {"MCSCTL_HOSTS": None}, True),
    (["--hosts={host}", "servers", "-v"], {"MCSCTL_HOSTS": None}, True),
    (["servers", "-qvH{host}"], {}, True),
    (["-H", "127.0.0.1:1", "servers"], {}, True),  # cannot connect: exit 3
    (["-H", "", "servers"], {}, True),  # a usage error from the settings
    (["servers", "-t", "0"], {}, True),
    (["servers", "--timeout", "2.5", "--no-secure", "--backend", "rest"], {}, True),
    (["servers"], {"MCSCTL_TIMEOUT": "3", "MCSCTL_USER": "admin", "MCSCTL_HOSTS": "{host}"}, True),
    (["servers"], {"MCSCTL_PASSWORD": "wrong"}, True),  # auth failed: exit 3
    (["servers"], {"MCSCTL_TIMEOUT": ""}, True),  # empty: unset, as Click reads it
    (["--config", "{config}", "servers"], {"MCSCTL_HOSTS": None}, True),
    (["servers"], {"MCSCTL_CONFIG": "/nonexistent/config.toml"}, True),
    (["maintenance", "status"], {}, True),
    (["maint", "status", "mcs3", "-f", "json"], {}, True),
    (["maintenance", "-H", "{host}", "status", "nosuch"], {}, True),
    (["maintenance", "status", "-f", "tsv"], {"MCSCTL_JOURNAL": "/nonexistent/dir/j.jsonl"}, True),
    # the changes
    (["maintenance", "on", "mcs3", "--dry-run"], {}, True),
    (["maintenance", "on", "mcs3", "--no-drain"], {}, True),
    (["maint", "on", "mcs3", "mcs2", "--reason", "disk swap", "--expires=2h", "-f", "json"], {}, True),
    (["maintenance", "on", "mcs3", "--drain-timeout", "5", "--on-timeout", "force", "-H", "{host}"], {}, True),
    (["maintenance", "on", "mcs1"], {}, True),  # the primary: refused, exit 4
    (["maintenance", "on", "mcs1", "--switchover", "--to", "mcs2", "--no-drain"], {}, True),  # asks: no terminal
    (["maintenance", "on", "mcs1", "--switchover", "--to", "mcs2", "--no-drain", "-y", "--dry-run"], {}, True),
    (["maintenance", "on", "mcs3", "--max-in-maintenance", "0"], {}, True),
    (["maintenance", "on", "nosuch"], {}, True),
    (["maintenance", "on", "mcs3", "--allow-unhealthy", "--allow-columnstore-primary", "--takeover"], {}, True),
    (["maintenance", "off", "mcs3"], {}, True),  # not in maintenance: nothing to do
    (["maintenance", "off", "mcs3", "mcs2", "--wait-healthy", "--healthy-timeout", "5", "--dry-run"], {}, True),
    (["maint", "off", "mcs3", "--columnstore-start", "-f", "tsv"], {}, True),  # goes with --wait-healthy: exit 2
    (["maintenance", "off", "mcs3", "--skip-unreachable", "--reason", "done"], {}, True),
    (["drain", "mcs3"], {}, True),
    (["drain", "mcs3", "--wait", "--drain-timeout", "0.3", "-f", "json"], {}, True),  # sessions stay: exit 6
    (["drain", "mcs1", "--dry-run", "--takeover"], {}, True),
    (["drain", "nosuch"], {}, True),
    (["undrain", "mcs3"], {}, True),  # not draining: nothing to do
    (["undrain", "mcs3", "--dry-run", "--skip-unreachable", "-f", "tsv"], {}, True),
    (["switchover", "--to", "mcs2"], {}, True),  # asks: no terminal
    (["switchover", "--to", "mcs2", "--yes"], {}, True),
    (["switchover", "-y", "--dry-run", "-f", "json"], {}, True),
    (["switchover", "--to", "nosuch", "-y"], {}, True),
    # for Typer: its own errors and help
    (["servers", "-f", "yaml"], {}, False),
    (["servers", "-f", "JSON"], {}, False),
    (["servers", "--help"], {}, False),
    (["servers", "extra"], {}, False),
    (["servers", "--nosuch"], {}, False),
    (["servers", "-t"], {}, False),
    (["servers", "-t", "soon"], {}, False),
    (["servers", "-H", "-q"], {}, False),
    (["servers", "--quiet=1"], {}, False),
    (["-f", "json", "servers"], {}, False),
    (["--backend", "nope", "servers"], {}, False),
    (["servers", "--", "x"], {}, False),
    (["servers", "-"], {}, False),
    (["--version", "servers"], {}, False),
    (["servers"], {"MCSCTL_TIMEOUT": "abc"}, False),
    (["servers"], {"MCSCTL_BACKEND": "REST"}, False),
    (["servers"], {"MCSCTL_QUIET": "1"}, False),
    (["servers"], {"MCSCTL_NOTIFY": "http://127.0.0.1:1/a,http://127.0.0.1:1/b"}, False),
    (["maintenance", "status", "a", "b"], {}, False),
    (["maintenance", "on"], {}, False),  # a missing SERVER
    (["maintenance", "off", "-f", "json"], {}, False),
    (["maintenance", "on", "mcs3", "--max-in-maintenance", "x"], {}, False),
    (["maintenance", "on", "mcs3", "--on-timeout", "later"], {}, False),
    (["maintenance", "on", "mcs3", "--wait-healthy"], {}, False),  # off's option
    (["maintenance", "off", "mcs3", "--no-drain"], {}, False),  # on's option
    (["maintenance", "on", "mcs3", "--", "-x"], {}, False),
    (["maintenance", "on", "--help"], {}, False),
    (["drain"], {}, False),  # a missing SERVER
    (["drain", "mcs3", "mcs2"], {}, False),
    (["undrain", "mcs3", "--wait"], {}, False),  # drain's option
    (["switchover", "mcs2"], {}, False),  # no argument: Click's error
    (["switchover", "--to"], {}, False),
    (["maintenance"], {}, False),
    ([], {}, False),
]


@pytest.mark.parametrize("argv, env, is_lean", CASES, ids=[" ".join(c[0]) or "(none)" for c in CASES])
def test_the_lean_path_answers_as_the_typer_path(both, argv, env, is_lean):
    (status, out, err), took = both(argv, env)
    assert took is is_lean
    if argv == ["servers"] and not env:
        assert status == 0 and "mcs3" in out and err == ""


TOKENS = st.sampled_from(
    ["servers", "maintenance", "maint", "status", "mcs3", "-q", "-v", "-f", "json", "tsv", "--format", "-t", "2"]
    + ["-H", "{host}", "--backend", "rest", "--no-secure", "--help", "--nosuch", "-qv", "--", "-fjson", "x"]
    + ["on", "off", "--dry-run", "--no-drain", "--wait-healthy", "--max-in-maintenance", "-y", "mcs1"]
    + ["drain", "undrain", "switchover", "--wait", "--to", "mcs2"]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(TOKENS, max_size=7))
def test_any_argv_answers_the_same_on_both_paths(both, argv):
    both(argv)


def test_the_lean_tables_are_the_typer_apps():
    """Nothing declared twice: the Typer callback's options are global_options.GLOBAL (+ --version), and
    each lean command has exactly the options and arguments its Typer command has."""
    import typer

    from mcsctl import cli
    from mcsctl.global_options import GLOBAL
    from mcsctl.options import DRAIN, OFF, SHARED

    root = typer.main.get_command(cli.app)
    assert [p.name for p in root.params] == [*GLOBAL, "version"]
    for p in root.params:
        if p.name in GLOBAL:
            spec = GLOBAL[p.name]
            assert p.envvar == spec.envvar
            assert sorted(p.opts + p.secondary_opts) == sorted(f for flag in spec.flags for f in flag.split("/"))
    specs = SHARED | OFF | DRAIN
    for path, (names, least, most) in lean.COMMANDS.items():
        cmd = root
        for word in path:
            cmd = cmd.commands[word]
        options = [p for p in cmd.params if p.param_type_name == "option"]
        arguments = [p for p in cmd.params if p.param_type_name == "argument"]
        assert [p.name for p in options] == ["fmt" if n == "format" else n for n in names]  # --format's is `fmt`
        assert [sorted(p.opts) for p in options] == [sorted(specs[n].flags) for n in names]
        assert [p.default for p in options] == [specs[n].default for n in names]
        assert sum(p.nargs if p.nargs > 0 else lean.MANY for p in arguments) == most
        assert sum(max(p.nargs, 1) if p.required else 0 for p in arguments) == least
        assert all(p.envvar is None for p in cmd.params)  # the lean path reads no command option's variable
