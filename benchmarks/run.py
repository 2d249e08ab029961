"""Measure mcsctl and the simulator on this machine and write BENCHMARKS.md (`make bench`).

    .venv/bin/python benchmarks/run.py [--quick] [--output PATH] [--only 1,2,...] [--installed]

Exit status: 0 when every benchmark ran (missed targets are reported, not failures), 1 when one
of them could not run (its section in the report says why).
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the helpers next to this script
sys.path.insert(1, str(HERE.parent))  # mcsctl and simulator, when not installed

import cli_cases  # noqa: E402
import columnstore_case  # noqa: E402
import drain_case  # noqa: E402
import install_case  # noqa: E402
import journal_case  # noqa: E402
import load_cases  # noqa: E402
import measure  # noqa: E402
import parse_cases  # noqa: E402
from report import Section, render  # noqa: E402
from simenv import ROOT, Workspace  # noqa: E402

# Repeat counts: the full run fits in ~3 minutes on 2 cores; --quick is a smoke run of a few seconds.
FULL = dict(
    repeat=20,
    cycles=10,
    tab_loops=200,
    parse_sizes=[10, 100, 1000, 10000],
    parse_budget=0.4,
    parse_min=5,
    load=[(3, 3000, 100), (1000, 100, 100)],
    load_limit=45.0,
    drain_trials=12,
)
QUICK = dict(
    repeat=2,
    cycles=1,
    tab_loops=5,
    parse_sizes=[10, 100, 1000],
    parse_budget=0.0,
    parse_min=1,
    load=[(3, 100, 100), (1000, 2, 2)],
    load_limit=20.0,
    drain_trials=1,
)

TITLES = {
    1: "1. Start-up: `mcsctl --version`",
    2: "2. `mcsctl servers` against the maxctrl call it makes",
    3: "3. A full `maintenance on --no-drain` + `maintenance off` cycle",
    4: "4. Completion of server names (warm cache)",
    5: "5. Parsing `list servers` output",
    6: "6. Simulator throughput: `GET /v1/servers`",
    7: "7. Drain detection",
    8: "8. Installed (non-editable) against editable",
    9: columnstore_case.TITLE,
    10: journal_case.TITLE,
}


def _benchmarks(ws: Workspace, p: dict) -> dict:
    return {
        1: lambda: cli_cases.version(ws, p["repeat"]),
        2: lambda: cli_cases.servers(ws, p["repeat"]),
        3: lambda: cli_cases.cycle(ws, p["cycles"]),
        4: lambda: cli_cases.completion(ws, p["repeat"], p["tab_loops"]),
        5: lambda: parse_cases.parsing(p["parse_sizes"], p["parse_budget"], p["parse_min"]),
        6: lambda: load_cases.throughput(ws, p["load"], p["load_limit"]),
        7: lambda: drain_case.drain(ws, p["drain_trials"]),
        8: lambda: install_case.installed(ws, p["repeat"]),
        9: lambda: columnstore_case.columnstore(ws, p["cycles"]),
        10: lambda: journal_case.journal(ws, p["cycles"]),
    }


OPT_IN = (8,)  # builds a wheel and a venv (~20 s): only with --installed or --only 8


def _parse_only(text: str | None, installed: bool = False) -> list[int]:
    if not text:
        return [n for n in TITLES if n not in OPT_IN or installed]
    try:
        picked = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise SystemExit(f"--only: expected numbers 1-{len(TITLES)} separated by commas, not {text!r}") from None
    if not picked or any(n not in TITLES for n in picked):
        raise SystemExit(f"--only: expected numbers 1-{len(TITLES)}, not {text!r}")
    return picked


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="tiny repeat counts: checks the script, not the speed")
    ap.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"), help="where to write the report")
    ap.add_argument("--only", help="comma-separated section numbers (default: all but 8; 8 with --installed)")
    ap.add_argument("--installed", action="store_true", help="also section 8: a regular install against this venv")
    args = ap.parse_args(argv)
    picked = _parse_only(args.only, args.installed)
    params = QUICK if args.quick else FULL
    measure.WARMUP = 0 if args.quick else 2

    started = time.perf_counter()
    when = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    ws = Workspace()
    sections: list[Section] = []
    try:
        benches = _benchmarks(ws, params)
        for n in picked:
            t0 = time.perf_counter()
            print(f"[{n}/{len(TITLES)}] {TITLES[n]} ...", file=sys.stderr, flush=True)
            try:
                sec = benches[n]()
            except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
                traceback.print_exc()
                sec = Section(TITLES[n], "", error=f"{type(exc).__name__}: {exc}")
            sections.append(sec)
            print(f"      {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    finally:
        ws.close()

    mode = "quick (smoke run; the numbers mean little)" if args.quick else "full"
    text = render("mcsctl benchmarks", when, mode, measure.machine(), sections, time.perf_counter() - started)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    missed = [t.name for s in sections for t in s.targets if not t.met]
    for name in missed:
        print(f"target missed: {name}", file=sys.stderr)
    return 1 if any(s.error for s in sections) else 0


if __name__ == "__main__":
    sys.exit(main())
