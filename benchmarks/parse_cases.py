"""Section 5: parsing `list servers` output (box and --tsv) of growing size with mcsctl.tables."""

from __future__ import annotations

import time

from measure import Stats
from report import Section, Target

HEADERS = ["Server", "Address", "Port", "Connections", "State", "GTID", "Monitor"]


def _rows(n: int) -> list[list[str]]:
    return [
        [
            f"node{i:05d}",
            f"10.0.{i // 250}.{i % 250 + 1}",
            "3306",
            str(i % 7),
            "Master, Running" if i == 0 else "Slave, Running",
            f"0-1-{1000 + i}",
            "MariaDB-Monitor",
        ]
        for i in range(n)
    ]


def _time(fn, text: str, n: int, budget: float, min_reps: int) -> Stats:
    """Run fn(text) repeatedly for about `budget` seconds (at least min_reps times)."""
    fn(text)  # warm-up, and a check of the result
    st = Stats()
    end = time.perf_counter() + budget
    while len(st.samples) < min_reps or time.perf_counter() < end:
        t0 = time.perf_counter()
        fn(text)
        st.samples.append(time.perf_counter() - t0)
    return st


def parsing(sizes: list[int], budget: float, min_reps: int) -> Section:
    from mcsctl.tables import parse_servers_output
    from simulator.maxctrl_format import box_table, tsv_table

    results: dict[str, dict[int, Stats]] = {"box": {}, "tsv": {}}
    for n in sizes:
        rows = _rows(n)
        texts = {"box": box_table(HEADERS, rows), "tsv": tsv_table(rows)}
        for fmt, text in texts.items():
            got = parse_servers_output(text, "bench:8989")
            if len(got) != n or got[-1].name != rows[-1][0]:
                raise RuntimeError(f"{fmt}: parsed {len(got)} servers from {n} rows")
            results[fmt][n] = _time(lambda t: parse_servers_output(t, "bench:8989"), text, n, budget, min_reps)

    sec = Section(
        "5. Parsing `list servers` output",
        "`mcsctl.tables.parse_servers_output` (text -> Server objects, both the box table and `--tsv`) on "
        "output built with `simulator.maxctrl_format.box_table` / `tsv_table` (7 columns, as maxctrl 22.08.2+), "
        f"in this process; each size repeated for about {budget:g} s (at least {min_reps} times).",
        ["rows", "box: ms per parse", "box: µs per row", "tsv: ms per parse", "tsv: µs per row"],
    )
    for n in sizes:
        b, t = results["box"][n], results["tsv"][n]
        sec.rows.append([f"{n:,}", b.ms(), f"{b.median / n * 1e6:.2f}", t.ms(), f"{t.median / n * 1e6:.2f}"])
    lo, hi = sizes[0], sizes[-1]
    for fmt in ("box", "tsv"):
        per_row = {n: results[fmt][n].median / n for n in sizes}
        ratio = per_row[hi] / per_row[lo]
        spread = max(per_row.values()) / min(per_row.values())
        sec.targets.append(
            Target(
                f"{fmt}: time per row flat ({hi:,} rows vs {lo:,} rows, ratio at most 1.5)",
                f"{ratio:.2f} (largest/smallest per-row cost over all sizes: {spread:.2f})",
                ratio <= 1.5,
                "a per-row cost that grows with the table size means a quadratic step (string concatenation "
                "or list searching per row) in mcsctl/tables.py; profile the largest size with cProfile.",
            )
        )
    sec.notes.append(
        "The 10-row case carries the fixed cost of one call (splitting, header checks), so its "
        "per-row cost is the highest; a ratio below 1 is the expected, linear, shape."
    )
    return sec
