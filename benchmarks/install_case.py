"""Section 8: the same commands from a regular (non-editable) install and from this editable venv.

An editable install (`pip install -e`, what `make venv` makes) puts an import finder on every start
(`__editable___mcsctl_*_finder`, loaded by a .pth file); a regular install does not. The regular install is
built here: a wheel of this tree (`pip wheel`), installed into a throw-away venv without pip (`pip --python`);
its dependencies are the ones of this venv, reached through a plain path line in a .pth file (so this
venv's own .pth files, the editable finder among them, are not run)."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from measure import time_commands
from report import Section
from simenv import ROOT, Sim, Workspace, entry_point


def _installed(ws: Workspace) -> Path:
    """A venv with mcsctl installed from a wheel of this tree; its bin/mcsctl."""
    wheels, venv = ws.dir / "wheels", ws.dir / "installed"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(ROOT)], check=True, timeout=300)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    wheel = next(wheels.glob("mcsctl-*.whl"))
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], check=True, timeout=300)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "_mcsctl_bench_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin" / "mcsctl"


def installed(ws: Workspace, repeat: int) -> Section:
    editable = entry_point("mcsctl", "mcsctl")
    regular = [str(_installed(ws))]
    cases: dict[str, dict] = {}
    with Sim(ws.env) as sim:
        for kind, exe in zip(KINDS, (editable, regular), strict=True):
            cases[f"{kind}: mcsctl --version"] = dict(argv=exe + ["--version"], env=ws.env)
            for backend in ("rest", "maxctrl"):
                argv = exe + ["-H", sim.host, "--backend", backend, "--maxctrl", str(ws.maxctrl), "servers"]
                cases[f"{kind}: mcsctl servers --backend {backend}"] = dict(argv=argv, env=ws.env)
        python = str(Path(regular[0]).with_name("python"))
        for label, code in (PYTHON, "pass"), (STDLIB, "import json"):
            cases[f"installed: {label}"] = dict(argv=[python, "-c", code], env=ws.env)
        st = time_commands(cases, repeat)
    rows = []
    for label, s in st.items():
        kind, command = label.split(": ", 1)
        other = st.get(f"{'editable' if kind == 'installed' else 'installed'}: {command}")
        rows.append([label, s.ms(), f"{s.median / other.median:.2f}x" if kind == "installed" and other else ""])
    sec = Section(
        "8. Installed (non-editable) against editable",
        f"Each command run {repeat} times (interleaved, after warm-up rounds): this venv's editable `mcsctl` and a "
        "regular install of the same tree (a wheel in a throw-away venv, the same dependencies). "
        + __doc__.split("\n\n", 1)[1].replace("\n", " "),
        ["command", "ms", "installed vs editable"],
        rows,
    )
    ratio = {k: st[f"{k}: mcsctl servers --backend rest"].median / st[f"{k}: mcsctl --version"].median for k in KINDS}
    stdlib = st[f"installed: {STDLIB}"].median - st[f"installed: {PYTHON}"].median
    sec.notes.append(
        f"`servers --backend rest` is {ratio['editable']:.2f}x `--version` editable and {ratio['installed']:.2f}x "
        "installed. An installed `--version` is an interpreter that has imported next to nothing; json (with re "
        f"under it), which a REST read cannot do without, costs {stdlib * 1e3:.1f} ms of it alone, and the editable "
        "finder has paid for it (and more) before mcsctl starts."
    )
    return sec


KINDS = ("editable", "installed")
PYTHON = "python -c pass"
STDLIB = "python -c 'import json'"
