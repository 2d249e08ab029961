"""Sections 1-4: whole-process costs of mcsctl commands and of a completion TAB."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

from measure import Stats, run_once, summed, time_commands
from report import Section, Target
from simenv import ROOT, Sim, Workspace, entry_point

PY = [sys.executable]
REAL_MAXCTRL_S = 0.14  # real maxctrl 23.08/24.02 per call (maxscale-reference.md §4.9)
# Issue 17's budget for the real Node.js maxctrl 24.02 where none is at hand: one `list servers` costs about
# 17x `python -c pass` on this kind of machine (345 ms against 20 ms).
REAL_MAXCTRL_PER_PYTHON = 17.0


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x"


def _rows(stats: dict[str, Stats], base: str) -> list[list[str]]:
    return [[label, s.ms(), _ratio(s.median, stats[base].median)] for label, s in stats.items()]


def version(ws: Workspace, repeat: int) -> Section:
    mcsctl = entry_point("mcsctl", "mcsctl")
    cases = {
        "python -c pass": dict(argv=PY + ["-c", "pass"], env=ws.env),
        "mcsctl --version": dict(argv=mcsctl + ["--version"], env=ws.env),
        "mcsctl --help": dict(argv=mcsctl + ["--help"], env=ws.env),
    }
    st = time_commands(cases, repeat)
    ratio = st["mcsctl --version"].median / st["python -c pass"].median
    sec = Section(
        "1. Start-up: `mcsctl --version`",
        f"Each command run {repeat} times as a subprocess (interleaved, after warm-up rounds), "
        "with this venv's Python. `--help` is shown for information (it imports Typer).",
        ["command", "ms", "vs python -c pass"],
        _rows(st, "python -c pass"),
    )
    sec.targets.append(
        Target(
            "`mcsctl --version` within 3x `python -c pass`",
            f"{ratio:.2f}x",
            ratio <= 3.0,
            "`--version` is answered in mcsctl/__main__.py before Typer is imported; if this is missed, "
            "something imported by `mcsctl/__init__.py` or the console-script wrapper got heavier "
            "(check with `python -X importtime -m mcsctl --version`).",
        )
    )
    return sec


def _maxctrl_argv(ws: Workspace, host: str) -> list[str]:
    # The exact call MaxctrlBackend.list_servers makes (mcsctl -v prints it); password on stdin.
    return [
        str(ws.maxctrl),
        "-h",
        host,
        "-u",
        "admin",
        "-p",
        "",
        "-t",
        "10000",
        "--quiet=false",
        "list",
        "servers",
        "--tsv",
    ]


def _pair(ws: Workspace, host: str) -> list[str]:
    """The two calls `servers` makes with the maxctrl backend (the monitors read finds ColumnStore's key),
    started together as mcsctl starts them, bare: a /bin/sh script, password on stdin."""
    common = shlex.join(_maxctrl_argv(ws, host)[:-3])  # without `list servers --tsv`
    script = ws.bin / "maxctrl-pair"
    script.write_text(
        "#!/bin/sh\n"
        f"printf 'mariadb\\n' | {common} list servers --tsv >/dev/null &\n"
        f"printf 'mariadb\\n' | {common} api get monitors >/dev/null &\n"
        "wait\n"
    )
    script.chmod(0o755)
    return [str(script)]


def servers(ws: Workspace, repeat: int) -> Section:
    mcsctl = entry_point("mcsctl", "mcsctl")
    with Sim(ws.env) as sim:
        bare = "maxctrl list servers --tsv (stand-in, bare)"
        viamx = "mcsctl servers --backend maxctrl"
        viarest = "mcsctl servers --backend rest"
        pair = "maxctrl list servers + api get monitors (stand-in, bare, together)"
        nocs = "mcsctl servers --backend maxctrl --no-columnstore"
        cases = {
            "python -c pass": dict(argv=PY + ["-c", "pass"], env=ws.env),
            "mcsctl --version": dict(argv=mcsctl + ["--version"], env=ws.env),
            bare: dict(argv=_maxctrl_argv(ws, sim.host), env=ws.env, stdin=b"mariadb\n"),
            viamx: dict(
                argv=mcsctl + ["-H", sim.host, "--backend", "maxctrl", "--maxctrl", str(ws.maxctrl), "servers"],
                env=ws.env,
            ),
            viarest: dict(argv=mcsctl + ["-H", sim.host, "--backend", "rest", "servers"], env=ws.env),
            pair: dict(argv=_pair(ws, sim.host), env=ws.env),
            nocs: dict(
                argv=mcsctl
                + ["-H", sim.host, "--backend", "maxctrl", "--maxctrl", str(ws.maxctrl), "--no-columnstore", "servers"],
                env=ws.env,
            ),
        }
        st = time_commands(cases, repeat)
        parts = _breakdown(ws, sim.host, max(3, repeat // 2))
    b, m, r = st[bare].median, st[viamx].median, st[viarest].median
    overhead = m - st[pair].median  # over the calls it makes: both, started together
    sec = Section(
        "2. `mcsctl servers` against the maxctrl call it makes",
        f"Each command run {repeat} times (interleaved, after warm-up rounds) against one standalone "
        "simulator (3 servers). The bare call is exactly what the maxctrl backend runs: "
        "`maxctrl -h H -u admin -p '' -t 10000 --quiet=false list servers --tsv`, password on stdin. "
        "The `maxctrl` here is the Python stand-in (a `/bin/sh` wrapper around `python -m simulator.maxctrl`), "
        f"not the real Node.js maxctrl (about {REAL_MAXCTRL_S * 1000:.0f} ms per call, reference §4.9).",
        ["command", "ms", "vs bare maxctrl call"],
        _rows(st, bare),
    )
    sec.rows.append(
        ["mcsctl's own overhead on `servers` (maxctrl backend − the two bare calls)", f"{overhead * 1e3:.1f}", ""]
    )
    sec.rows.append(["… with --no-columnstore (one call: − the bare call)", f"{(st[nocs].median - b) * 1e3:.1f}", ""])
    python, version = st["python -c pass"].median, st["mcsctl --version"].median
    sec.targets += _servers_targets(parts, b, overhead, r, python, version)
    real = REAL_MAXCTRL_PER_PYTHON * python
    sec.notes.append(
        f"No real Node.js maxctrl is at hand: budgeted with issue 17's factor (one real `list servers` = "
        f"{REAL_MAXCTRL_PER_PYTHON:g}x `python -c pass` = {real * 1e3:.0f} ms in this run), `mcsctl servers` would "
        f"cost about {(real + overhead) * 1e3:.0f} ms with the maxctrl backend, and REST ({r * 1e3:.0f} ms) "
        f"{r / real:.2f}x of one bare maxctrl call."
    )
    if parts:
        sec.notes.append(
            "Breakdown, measured inside one fresh interpreter (`benchmarks/breakdown.py`): "
            + "; ".join(f"{k}: {v * 1e3:.1f} ms" for k, v in parts.items() if k != "typer imported by it")
            + (" (the lean path imported Typer!)" if parts.get("typer imported by it") else "")
            + "."
        )
    return sec


def _breakdown(ws: Workspace, host: str, repeat: int) -> dict[str, float]:
    argv = PY + [str(ROOT / "benchmarks" / "breakdown.py"), host, str(ws.maxctrl), str(repeat)]
    proc = subprocess.run(argv, env=ws.env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return {}
    return json.loads(proc.stdout)


def _servers_targets(parts: dict[str, float], bare: float, overhead: float, rest: float, python: float, version: float):
    """Issue 17's targets for `servers`, and the older stand-in one."""
    real = REAL_MAXCTRL_PER_PYTHON * python  # the real maxctrl's budget, in this run's interpreter starts
    ms = lambda key: parts.get(key, 0.0) * 1e3  # noqa: E731
    first = ms("first in-process `servers --backend rest` (lazy imports included)")
    rest_why = (
        f"the interpreter alone is {python * 1e3:.0f} ms; the command in-process {first:.0f} ms on its first run "
        f"(lazy imports included) and {ms('next in-process `servers --backend rest`'):.0f} ms when repeated; the "
        f"REST request itself {ms('RestBackend.list_servers() (new connection)'):.1f} ms."
    )
    return [
        Target(
            "mcsctl's own overhead on `servers` (maxctrl backend) at most 60 ms (aim: 40)",
            f"{overhead * 1e3:.1f} ms",
            overhead <= 0.060,
            "`servers` makes two maxctrl calls (list servers, and api get monitors for ColumnStore's key); "
            f"both start early (subprocess, before sh's import, {ms('import sh'):.0f} ms); "
            f"what comes before it is the interpreter ({python * 1e3:.0f} ms), the lean parser, the settings and the "
            "backend; after it the parse and the table.",
        ),
        Target(
            "`servers --backend rest` at most 0.25x one bare real maxctrl call (budgeted as "
            f"{REAL_MAXCTRL_PER_PYTHON:g}x `python -c pass` = {real * 1e3:.0f} ms: no real maxctrl here)",
            f"{rest / real:.2f}x ({rest * 1e3:.0f} ms)",
            rest <= 0.25 * real,
            rest_why,
        ),
        Target(
            "`servers --backend rest` at most 2x `mcsctl --version`",
            f"{rest / version:.2f}x",
            rest <= 2 * version,
            rest_why,
        ),
        Target(
            "REST backend at least 2x faster than a bare maxctrl call (stand-in)",
            f"bare maxctrl / mcsctl REST = {bare / rest:.2f}",
            bare / rest >= 2.0,
            f"the stand-in is itself a Python process ({bare * 1e3:.0f} ms), so REST would need "
            f"{bare / 2 * 1e3:.0f} ms, `python -c pass` ({python * 1e3:.0f} ms) plus "
            f"{(bare / 2 - python) * 1e3:.0f} ms, where mcsctl takes {(rest - python) * 1e3:.0f} ms over the "
            "interpreter. " + rest_why,
        ),
    ]


def cycle(ws: Workspace, repeat: int) -> Section:
    mcsctl = entry_point("mcsctl", "mcsctl")
    with Sim(ws.env) as sim:
        cases = {}
        for kind in ("maxctrl", "rest"):
            base = mcsctl + ["-H", sim.host, "--backend", kind, "--maxctrl", str(ws.maxctrl)]
            cases[f"{kind}: maintenance on mcs3 --no-drain"] = dict(
                argv=base + ["maintenance", "on", "mcs3", "--no-drain"], env=ws.env
            )
            cases[f"{kind}: maintenance off mcs3"] = dict(argv=base + ["maintenance", "off", "mcs3"], env=ws.env)
        st = time_commands(cases, repeat, warmup=1)
    rows = [[label, s.ms()] for label, s in st.items()]
    for kind in ("maxctrl", "rest"):
        on, off = st[f"{kind}: maintenance on mcs3 --no-drain"], st[f"{kind}: maintenance off mcs3"]
        total = summed(on, off)
        rows.append([f"**{kind}: full cycle (on + off)**", total.ms()])
    calls = _maxctrl_calls(ws, mcsctl)
    rows += [[f"maxctrl calls: {step}", " → ".join(made) + f" ({len(made)})"] for step, made in calls.items()]
    sec = Section(
        "3. A full `maintenance on --no-drain` + `maintenance off` cycle",
        f"`mcsctl maintenance on mcs3 --no-drain` then `mcsctl maintenance off mcs3` (a replica of the default "
        f"3-server simulator; each confirms on every MaxScale and writes the journal), {repeat} cycles per backend, "
        "interleaved. With the maxctrl backend each command makes several maxctrl calls (read, set, confirm).",
        ["step", "ms"],
        rows,
    )
    plain = len(calls[f"{NO_CS} maintenance on mcs3 --no-drain"]) + len(calls[f"{NO_CS} maintenance off mcs3"])
    aware = len(calls["maintenance on mcs3 --no-drain"]) + len(calls["maintenance off mcs3"])
    sec.notes.append(
        f"A cluster without ColumnStore (`{NO_CS}`, `columnstore = false` in the config) makes {plain} calls per "
        f"cycle. With ColumnStore awareness on (the default) `on` also looks up the monitor's CMAPI key "
        f"(`api get monitors`: {aware} calls): that call starts beside the guards' `list servers`, so it adds a "
        "process but no wait of its own."
    )
    sec.notes.append(
        f"`{RUN}` and `{ROLL}` read the servers once before their change (the guards' read under the lock: the "
        'command\'s {address} and {port} come from it), and leaving takes "Running with a role" from its '
        "confirming read when that already shows it. Until 2026-12-02 `run` made 15 calls here and one rolling "
        "node 19; between the change and leaving, the number of monitor polls depends on when the monitor ticks."
    )
    sec.targets.append(
        Target(
            "`maintenance on --no-drain` + `off` (maxctrl backend, a cluster without ColumnStore): no maxctrl call "
            "the procedure does not need (each: one read for the guards, the change, one confirming read)",
            f"{plain} calls (with ColumnStore awareness: {aware})",
            plain <= 6,
            "a call was added to the procedure: see the rows above for which",
        )
    )
    return sec


NO_CS = "--no-columnstore"  # a cluster without ColumnStore, as its admin says so (columnstore = false)
RUN = "maintenance run mcs3 --no-drain -- true"
ROLL = "rolling --servers mcs3 --no-drain --yes -- true"


def _maxctrl_calls(ws: Workspace, mcsctl: list[str]) -> dict[str, list[str]]:
    """The maxctrl calls each step makes (after one warm run: `maxctrl --version` is cached by then), through a
    wrapper that logs its arguments; `on` with a drain for comparison."""
    log = ws.dir / "maxctrl-calls.log"
    wrapper = ws.bin / "maxctrl-logging"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{ws.maxctrl}" "$@"\n')
    wrapper.chmod(0o755)
    cycle = ["maintenance on mcs3 --no-drain", "maintenance off mcs3"]
    steps = {step: step for step in cycle} | {f"{NO_CS} {step}": f"{NO_CS} {step}" for step in cycle}
    steps |= {"maintenance on mcs3 (with a drain)": "maintenance on mcs3"}
    steps |= {"maintenance off mcs3 (after the drain)": "maintenance off mcs3"}
    # run and one rolling node; their wait for a fresh monitor view polls `api get monitors` and the servers
    steps |= {f"{NO_CS} {step}": f"{NO_CS} {step}" for step in (RUN, ROLL)}
    out: dict[str, list[str]] = {}
    with Sim(ws.env) as sim:
        base = mcsctl + ["-H", sim.host, "--backend", "maxctrl", "--maxctrl", str(wrapper)]
        run_once(argv=base + ["servers"], env=ws.env)
        for label, step in steps.items():
            log.write_text("")
            run_once(argv=base + step.split(), env=ws.env)
            out[label] = [line.split("--quiet=false ")[-1] for line in log.read_text().splitlines()]
    return out


_COMPLETE = r"""
source "$1"
COMP_WORDS=(mcsctl maintenance on m); COMP_CWORD=3
COMP_LINE='mcsctl maintenance on m'; COMP_POINT=${#COMP_LINE}
COMP_WORDBREAKS=$' \t\n"'"'"'><=;|&(:'
_mcsctl
echo "${COMPREPLY[*]}"
n=$2
for ((b = 0; b < $3; b++)); do
    t0=$EPOCHREALTIME
    for ((i = 0; i < n; i++)); do _mcsctl; done
    t1=$EPOCHREALTIME
    echo "$t0 $t1"
done
"""

_ONE_TAB = r"""
source "$1"
COMP_WORDS=(mcsctl maintenance on m); COMP_CWORD=3
COMP_LINE='mcsctl maintenance on m'; COMP_POINT=${#COMP_LINE}
_mcsctl
echo "${COMPREPLY[*]}"
"""


def completion(ws: Workspace, repeat: int, loops: int) -> Section:
    script = str(ROOT / "mcsctl" / "data" / "mcsctl.bash")
    names = ["mcs1", "mcs2", "mcs3"]
    from mcsctl.cache import key_for

    # The cache of the cluster a TAB without -H uses (MCSCTL_HOSTS, else the default key).
    cache = ws.dir / "cache" / "mcsctl" / f"servers@{key_for(ws.env.get('MCSCTL_HOSTS') or None)}"
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text("".join(n + "\n" for n in names))  # fresh mtime: a warm cache
    want = " ".join(names)

    bash = ["bash", "--norc", "--noprofile", "-c"]
    proc = subprocess.run(
        bash + [_COMPLETE, "bench", script, str(loops), str(repeat)],
        env=ws.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or not lines or lines[0] != want:
        raise RuntimeError(
            f"completion in one bash gave {lines[:1]!r} (want {want!r}), rc {proc.returncode}, "
            f"stderr {proc.stderr[:300]!r}"
        )
    in_shell = Stats([(float(b) - float(a)) / loops for a, b in (ln.split() for ln in lines[1:])])

    one_tab = dict(argv=bash + [_ONE_TAB, "bench", script], env=ws.env)
    _, out = run_once(**one_tab)
    if out.decode().strip() != want:
        raise RuntimeError(f"one-TAB bash gave {out!r} (want {want!r})")
    st = time_commands(
        {
            "python -c pass": dict(argv=PY + ["-c", "pass"], env=ws.env),
            "bash -c ':' (bash start only)": dict(argv=bash + [":"], env=ws.env),
            "bash -c 'source mcsctl.bash; _mcsctl' (one TAB, whole process)": one_tab,
        },
        repeat,
    )
    rows = [
        [
            "`_mcsctl` per TAB inside one bash (warm cache)",
            in_shell.ms(),
            _ratio(in_shell.median, st["python -c pass"].median),
        ]
    ]
    rows += _rows(st, "python -c pass")
    sec = Section(
        "4. Completion of server names (warm cache)",
        f"Completing `mcsctl maintenance on m<TAB>` with mcsctl/data/mcsctl.bash and a fresh server-name "
        f"cache (mcs1..mcs3). Per TAB inside ONE bash: {repeat} batches of {loops} calls of `_mcsctl`, timed "
        "with `$EPOCHREALTIME` (this is what a user at an interactive shell waits for). Whole process: one "
        f"`bash -c` per TAB (bash start + sourcing the script + one call), {repeat} runs.",
        ["case", "ms", "vs python -c pass"],
        rows,
    )
    per_tab = in_shell.median
    sec.targets.append(
        Target(
            "completion under 60 ms with a warm cache (per TAB, in the shell)",
            f"{per_tab * 1e3:.1f} ms",
            per_tab < 0.060,
            "the completion function itself forks (the `find -mmin` freshness check in `_mcsctl_names`); "
            "see the breakdown notes.",
        )
    )
    whole = st["bash -c 'source mcsctl.bash; _mcsctl' (one TAB, whole process)"].median
    sec.notes.append(
        f"Even a whole new bash per TAB costs {whole * 1e3:.1f} ms, under the 60 ms target as well."
        if whole < 0.060
        else f"A whole new bash per TAB costs {whole * 1e3:.1f} ms (over 60 ms), but a real TAB "
        "runs inside the already-running shell."
    )
    sec.notes.append(
        "No Python runs on a TAB while the cache is fresh; each TAB still forks one "
        "`find` (and runs `command -v` lookups) to check the cache's age."
    )
    return sec
