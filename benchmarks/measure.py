"""Timing primitives for the benchmarks: repeated subprocess runs, summary statistics, the machine."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Stats:
    """Summary of repeated measurements, in seconds."""

    samples: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def pct(self, p: float) -> float:
        """The p-th percentile (nearest rank on the sorted samples)."""
        s = sorted(self.samples)
        k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
        return s[k]

    @property
    def p10(self) -> float:
        return self.pct(10)

    @property
    def p90(self) -> float:
        return self.pct(90)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def stdev(self) -> float:
        return statistics.stdev(self.samples) if len(self.samples) > 1 else 0.0

    def ms(self) -> str:
        """`median (p10–p90) ms` for a table cell."""
        return f"{self.median * 1e3:.1f} ({self.p10 * 1e3:.1f}–{self.p90 * 1e3:.1f})"


def summed(a: Stats, b: Stats) -> Stats:
    """Round by round sums of two interleaved cases (e.g. `on` + `off` = one cycle)."""
    return Stats([x + y for x, y in zip(a.samples, b.samples, strict=False)])


class CommandFailed(RuntimeError):
    pass


def run_once(argv: list[str], env: dict, stdin: bytes | None = None, check: bool = True) -> tuple[float, bytes]:
    """Run argv once (argv list, no shell); return (wall seconds, stdout)."""
    t0 = time.perf_counter()
    proc = subprocess.run(argv, input=stdin, env=env, capture_output=True, timeout=60)
    dt = time.perf_counter() - t0
    if check and proc.returncode != 0:
        raise CommandFailed(
            f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace').strip()[:400]}"
        )
    return dt, proc.stdout


WARMUP = 2  # rounds; run.py --quick sets 0


def time_commands(cases: dict[str, dict], repeat: int, warmup: int | None = None) -> dict[str, Stats]:
    """Time several commands side by side, round by round (warm-up rounds first, not counted).

    Interleaving spreads any machine-wide slowdown over every case instead of one of them, and
    keeps order-dependent sequences (on, then off) valid. `cases` maps a label to run_once
    keyword arguments (argv, env, stdin).
    """
    for _ in range(WARMUP if warmup is None else min(warmup, WARMUP)):
        for spec in cases.values():
            run_once(**spec)
    out = {label: Stats() for label in cases}
    for _ in range(repeat):
        for label, spec in cases.items():
            out[label].samples.append(run_once(**spec)[0])
    return out


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        bash = subprocess.run(["bash", "-c", "echo $BASH_VERSION"], capture_output=True, text=True).stdout.strip()
    except OSError:
        bash = "not found"
    return {
        "CPU": cpu,
        "Cores": f"{os.cpu_count()} (usable by this process: {usable})",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "bash": bash,
    }
