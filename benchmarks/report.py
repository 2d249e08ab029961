"""Benchmark results as plain data, and the BENCHMARKS.md they are written to."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Target:
    name: str
    value: str  # what was measured, as text
    met: bool
    miss: str = ""  # when missed: why, and what would fix it


@dataclass
class Section:
    title: str
    method: str  # one paragraph: what was timed, how
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str = ""  # the benchmark itself failed: what happened


HOW_TO_RUN = """\
## How to run

```sh
make bench                                  # = .venv/bin/python benchmarks/run.py --installed; rewrites BENCHMARKS.md
.venv/bin/python benchmarks/run.py --quick --output /tmp/b.md   # tiny repeat counts (a smoke run)
.venv/bin/python benchmarks/run.py --only 1,5 --output /tmp/b.md  # some sections only
```

Everything runs on this machine against simulators on 127.0.0.1 (`maxscale-sim --port 0`), in a
throw-away HOME/XDG directory, with the Python maxctrl stand-in (`python -m simulator.maxctrl`) as
`maxctrl`; section 10 also starts a private mariadbd (own datadir, free port) for the shared journal, and
is skipped when mariadb-server is not installed. The full run takes about 2-3 minutes on 2 cores. Times are wall-clock
(`time.perf_counter`); commands are warmed up first and run interleaved, round by round.
Cells read `median (p10–p90)` unless they say otherwise. Numbers vary from run to run by several
per cent; compare ratios rather than absolute times across machines.
"""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def render(title: str, when: str, mode: str, machine: dict[str, str], sections: list[Section], duration: float) -> str:
    parts = [f"# {title}", "", HOW_TO_RUN, "## This run", ""]
    parts += [f"- **Date**: {when}", f"- **Mode**: {mode} (whole run {duration:.0f} s)"]
    parts += [f"- **{k}**: {v}" for k, v in machine.items()]
    parts.append("")

    targets = [(s, t) for s in sections for t in s.targets]
    if targets:
        parts += ["## Targets", ""]
        rows = [[t.name, t.value, "met" if t.met else "**MISSED**"] for _, t in targets]
        parts += [_table(["target", "measured", "result"], rows), ""]
    failed = [s for s in sections if s.error]
    if failed:
        parts += ["Benchmarks that could not run: " + ", ".join(s.title for s in failed), ""]

    for s in sections:
        parts += [f"## {s.title}", "", s.method, ""]
        if s.error:
            parts += [f"**The benchmark failed**: `{s.error}`", ""]
            continue
        if s.rows:
            parts += [_table(s.headers, s.rows), ""]
        for t in s.targets:
            verdict = "met" if t.met else "**MISSED**"
            parts.append(f"- Target *{t.name}*: {t.value} — {verdict}.")
            if not t.met and t.miss:
                parts.append(f"  - Why, and what would fix it: {t.miss}")
        parts += [f"- {n}" for n in s.notes]
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"
