"""Start-up stays lean: --help, --version and completion import no heavy module (issue 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("aiohttp", "jinja2", "sh", "rich", "pydantic", "asyncio", "pymysql")  # pymysql: a mariadb:// journal only

PROBE = """
import json, sys
sys.argv = ["mcsctl"] + json.loads(sys.argv[1])
from mcsctl import frame
frame.exit_now = sys.exit  # the lean path ends with os._exit: this probe must run on
from mcsctl.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write(json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def probe(
    args: list[str], heavy: tuple[str, ...], flags: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `mcsctl *args` in a fresh interpreter (with `flags`, e.g. -S): (the process, which of `heavy` it
    imported)."""
    p = subprocess.run(
        [sys.executable, *flags, "-c", PROBE.format(heavy=heavy), json.dumps(args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=60,
    )
    return p, json.loads(p.stderr.strip().splitlines()[-1])


def loaded(args: list[str]) -> list[str]:
    return probe(args, HEAVY)[1]


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["maintenance", "on", "--help"], ["rolling", "--help"]])
def test_no_heavy_imports(args):
    assert loaded(args) == []


def test_rest_backend_imports_no_heavy_module(maxscale_sim):
    assert loaded(["--backend", "rest", "-H", maxscale_sim.host, "servers"]) == []


def test_servers_over_plain_http_imports_no_http_client_email_or_ssl(maxscale_sim):
    """Issue 17: plain http goes through mcsctl's own HTTP/1.1 client (backends/http11.py)."""
    p, found = probe(
        ["--backend", "rest", "-H", maxscale_sim.host, "servers"], ("http.client", "email", "email.parser", "ssl")
    )
    assert "mcs1" in p.stdout
    assert found == []


LEAN = [
    ["servers", "--format", "tsv"],
    ["maintenance", "status"],
    ["maintenance", "on", "mcs3"],
    ["maint", "off", "mcs3"],
    ["drain", "mcs3", "--dry-run"],
    ["undrain", "mcs3"],
    ["switchover", "--to", "mcs2", "--yes", "--dry-run"],
]


@pytest.mark.parametrize("command", LEAN)
def test_the_lean_commands_import_no_typer(maxscale_sim, tmp_path, monkeypatch, command):
    """Issue 17: `servers` (and the completion-cache fill), `maintenance status`, `on` and `off`, `drain`,
    `undrain` and `switchover` run without Typer."""
    monkeypatch.setenv("MCSCTL_JOURNAL", str(tmp_path / "journal.jsonl"))
    argv = ["-q", "--backend", "rest", "-H", maxscale_sim.host, *command]
    assert probe(argv, ("typer", "click", "typer._click"))[1] == []


@pytest.mark.parametrize("command", [["servers"], ["maintenance", "status"]])
def test_the_lean_commands_import_neither_typing_nor_dataclasses(maxscale_sim, tmp_path, monkeypatch, command):
    """Issue 17: typing (~4 ms) and dataclasses (inspect, ast, dis: ~10 ms) are for mypy and the Typer path
    only; mcsctl's data classes are dataclass_lite's, its typing imports under TYPE_CHECKING = False."""
    monkeypatch.setenv("MCSCTL_JOURNAL", str(tmp_path / "journal.jsonl"))
    p, found = probe(
        ["--backend", "rest", "-H", maxscale_sim.host, *command], ("typing", "dataclasses", "inspect", "ast")
    )
    assert p.returncode == 0, p.stderr
    assert found == []


def test_servers_from_a_bare_interpreter_imports_only_what_it_needs(maxscale_sim, tmp_path):
    """Issue 17: as from a regular install (no editable finder importing pathlib and re first; `-S`: no site
    at all, the lean REST path needs no third-party package), `servers` leaves out pathlib, urllib.parse,
    socket, threading, typing and dataclasses: each costs milliseconds of a start that a read does not use."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONPATH": root}
    argv = ["--backend", "rest", "-H", maxscale_sim.host, "servers"]
    heavy = ("pathlib", "urllib.parse", "socket", "threading", "typing", "dataclasses")
    p, found = probe(argv, heavy, flags=("-S",), env=env)
    assert "mcs1" in p.stdout, p.stderr
    assert found == []


def test_completion_script_imports_no_heavy_module():
    # The script is shipped as package data (issue 12, item 7): printing it renders nothing.
    assert loaded(["completion", "bash"]) == []


def test_notifications_and_hooks_import_http_and_ssl_only_to_send():
    """Webhooks (issue 15): http.client and ssl are imported by the thread that sends, not at start-up."""
    code = (
        "import sys, mcsctl.api, mcsctl.emitter, mcsctl.events, mcsctl.hooks, mcsctl.notify, mcsctl.procedures; "
        "print(sorted(m for m in ('ssl', 'http.client', 'urllib.request') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"


def test_a_file_journal_imports_no_database_driver(maxscale_sim, tmp_path, monkeypatch):
    monkeypatch.setenv("MCSCTL_JOURNAL", str(tmp_path / "journal.jsonl"))
    args = ["--backend", "rest", "-H", maxscale_sim.host, "maintenance", "status"]
    assert "pymysql" not in loaded(args)


def test_servers_without_a_cmapi_key_imports_no_columnstore_side_or_journal(maxscale_sim, tmp_path, monkeypatch):
    """Issue 17: with no CMAPI key known (plain MariaDB), `servers` reads the monitors and stops there: the
    ColumnStore side, the CMAPI client and the Columnstore.xml parser (xml.etree) are not imported; nor is
    the journal, which `servers` does not read."""
    monkeypatch.setenv("MCSCTL_JOURNAL", str(tmp_path / "journal.jsonl"))
    monkeypatch.delenv("MCSCTL_CMAPI_KEY", raising=False)
    heavy = ("xml.etree", "mcsctl.columnstore", "mcsctl.cs_config", "mcsctl.backends.cmapi", "mcsctl.journal")
    p, found = probe(["--backend", "rest", "-H", maxscale_sim.host, "servers"], heavy)
    assert "mcs1" in p.stdout
    assert found == []
