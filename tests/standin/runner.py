"""Run the maxctrl stand-in as a subprocess for one golden case and compare it with the capture."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

ENV_VERSION = {
    "2.5": "2.5",
    "6.4": "6.4",
    "22.08": "22.08",
    "23.08": "23.08",
    "24.02.3": "24.02.3",
    "24.02": "24.02",
    "24.08": "24.08",
    "develop": "develop",
}


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str


def run_standin(
    args: list[str],
    version: str,
    home: Path,
    stdin: str | None = None,
    extra_env: dict | None = None,
    timeout: float = 20,
) -> Result:
    """`python -m simulator.maxctrl ARGS` with MAXCTRL_SIM_VERSION, an empty HOME, pipes for stdio."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAXCTRL")}
    env.update(
        {
            "MAXCTRL_SIM_VERSION": ENV_VERSION[version],
            "HOME": str(home),
            "TZ": "UTC",
            "PYTHONPATH": str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    env.update(extra_env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "simulator.maxctrl", *args],
        input=(stdin or "").encode(),
        capture_output=True,
        env=env,
        cwd=str(home),
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def write_config_files(cfgdir: Path, port: int) -> None:
    """The capture's config files: ok.cnf (0600), bad.cnf (0644), no missing.cnf."""
    text = f"[maxctrl]\nu = admin\np = mariadb\nhosts = 127.0.0.1:{port}\n"
    for name, mode in (("ok.cnf", 0o600), ("bad.cnf", 0o644)):
        path = cfgdir / name
        path.write_text(text)
        path.chmod(mode)


def run_inprocess(args: list[str], version: str, home: Path, monkeypatch, stdin: str | None = None) -> Result:
    """The same as run_standin, but calls simulator.maxctrl.main() in this process (much faster)."""
    import io

    from simulator import maxctrl

    monkeypatch.setenv("MAXCTRL_SIM_VERSION", ENV_VERSION[version])
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.chdir(home)
    out, err = io.StringIO(), io.StringIO()
    rc = maxctrl.main(args, stdin=io.StringIO(stdin or ""), stdout=out, stderr=err)
    return Result(rc, out.getvalue(), err.getvalue())
