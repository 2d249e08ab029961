"""The benchmark script runs end to end (`--quick`) and writes a well-formed report. No timing checks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests import mariadb_proc

ROOT = Path(__file__).resolve().parent.parent


def test_quick_run_writes_a_well_formed_report(tmp_path: Path) -> None:
    out = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--output", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = out.read_text(encoding="utf-8")

    assert text.startswith("# mcsctl benchmarks\n")
    assert text.index("## How to run") < text.index("## This run") < text.index("## Targets")
    for field in ("Date", "Mode", "CPU", "Cores", "Python"):
        assert re.search(rf"^- \*\*{field}\*\*: \S", text, re.MULTILINE), field
    assert "quick" in text

    titles = re.findall(r"^## (\d+)\. ", text, re.MULTILINE)
    assert titles == [str(n) for n in (1, 2, 3, 4, 5, 6, 7, 9, 10)]  # 8 (installed) is opt-in
    assert "The benchmark failed" not in text

    # Every target the issue names is judged, each exactly met or MISSED; a miss says why.
    rows = re.findall(r"^\| (.+?) \| (.+?) \| (met|\*\*MISSED\*\*) \|$", text, re.MULTILINE)
    names = " ".join(r[0] for r in rows)
    for needle in ("--version", "overhead", "REST", "completion", "per row flat", "drain"):
        assert needle in names, needle
    missed = len([r for r in rows if r[2] != "met"])
    assert text.count("Why, and what would fix it:") == missed

    # Markdown tables are rectangular, and timing cells are numbers.
    for block in re.findall(r"(?:^\|.*\|\n)+", text, re.MULTILINE):
        lines = block.strip("\n").split("\n")
        widths = {line.count(" | ") for line in lines if not line.startswith("|---")}
        assert len(widths) == 1, block
    # The ColumnStore and shared-journal costs are reported beside the plain ones (10 says so when it is skipped).
    assert re.search(r"^\| --columnstore simulator: servers \| \d+\.\d ", text, re.MULTILINE)
    assert "mcsctl --no-columnstore: maintenance on mcs3 --no-drain |" in text
    if mariadb_proc.installed():
        assert re.search(r"^\| shared journal \(MariaDB\): maintenance status \| \d+\.\d ", text, re.MULTILINE)
    else:
        assert "Skipped: mariadb-server is not installed" in text
    assert re.search(r"\| mcsctl --version \| \d+\.\d \(\d+\.\d–\d+\.\d\) \| \d+\.\d\dx \|", text)
