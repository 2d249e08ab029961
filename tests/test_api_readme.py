"""The README's Python API example runs as written against the simulator."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    """The first ```python block of the README's "Python API" section."""
    text = README.read_text()
    section = text.split("\n## Python API\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.S)
    assert block, "the Python API section has no example"
    return block.group(1)


def test_the_readme_example_runs(maxscale_sim, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MAXSCALE", maxscale_sim.host)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the journal
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))  # the per-server locks
    exec(compile(readme_example(), str(README), "exec"), {"__name__": "readme"})
    out = capsys.readouterr().out
    assert "Maintenance, Running" in out and "['intent', 'on', 'intent']" in out
    assert (tmp_path / "state" / "mcsctl" / "journal.jsonl").exists()


def test_from_settings_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MCSCTL_HOSTS", "mx1,mx2:8990")
    monkeypatch.setenv("MCSCTL_TIMEOUT", "3")
    monkeypatch.setenv("MCSCTL_NO_JOURNAL", "1")
    monkeypatch.setenv("MCSCTL_CONFIG", str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text('user = "ops"\n')
    from mcsctl.api import Cluster

    s = Cluster.from_settings().settings
    assert (s.hosts, s.timeout, s.no_journal, s.user) == (("mx1:8989", "mx2:8990"), 3.0, True, "ops")
