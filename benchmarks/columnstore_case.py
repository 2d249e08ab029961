"""Section 9: what ColumnStore awareness costs: the CMAPI reads (HTTPS to every node) beside the same commands
against the plain simulator and with `--no-columnstore`."""

from __future__ import annotations

from measure import summed, time_commands
from report import Section
from simenv import Sim, Workspace, entry_point, free_port

CS_TICK = "0.01"  # seconds per CMAPI timing unit: nothing the model does waits long
ON, OFF = "maintenance on mcs3 --no-drain", "maintenance off mcs3"
TITLE = "9. ColumnStore: the cost of the CMAPI reads"
KINDS = ("plain simulator", "--columnstore simulator", "--columnstore simulator, mcsctl --no-columnstore")


def _cases(ws: Workspace, plain: Sim, cs: Sim) -> dict[str, dict]:
    mcsctl = entry_point("mcsctl", "mcsctl")
    bases = {
        KINDS[0]: mcsctl + ["-H", plain.host, "--backend", "rest"],
        KINDS[1]: mcsctl + ["-H", cs.host, "--backend", "rest"],
        KINDS[2]: mcsctl + ["-H", cs.host, "--backend", "rest", "--no-columnstore"],
    }
    cases = {}
    for step in ("servers", ON, OFF):  # round by round: every `on` before its `off`
        for kind, base in bases.items():
            cases[f"{kind}: {step}"] = dict(argv=base + step.split(), env=ws.env)
    cases[f"{KINDS[1]}: columnstore status"] = dict(argv=bases[KINDS[1]] + ["columnstore", "status"], env=ws.env)
    return cases


def columnstore(ws: Workspace, repeat: int) -> Section:
    cs_args = ["--columnstore", "--cs-tick", CS_TICK, "--cmapi-port", str(free_port())]
    with Sim(ws.env) as plain, Sim(ws.env, extra=cs_args) as cs:
        st = time_commands(_cases(ws, plain, cs), repeat, warmup=1)
    base = {step: st[f"{KINDS[0]}: {step}"].median for step in ("servers", ON, OFF)}
    rows = []
    for label, s in st.items():
        step = label.split(": ", 1)[1]
        rows.append([label, s.ms(), f"{s.median / base[step]:.2f}x" if step in base else ""])
    cycles = {kind: summed(st[f"{kind}: {ON}"], st[f"{kind}: {OFF}"]) for kind in KINDS}
    for kind, total in cycles.items():
        rows.append(
            [f"**{kind}: full cycle (on + off)**", total.ms(), f"{total.median / cycles[KINDS[0]].median:.2f}x"]
        )
    sec = Section(
        TITLE,
        f"The same commands, REST backend, against three setups: the plain 3-server simulator; `maxscale-sim "
        f"--columnstore --cs-tick {CS_TICK}` (every server a ColumnStore node with its own fake CMAPI over HTTPS "
        "at 127.0.0.11-13, self-signed; mcsctl takes the API key from the monitor's `cs_admin_api_key`, none is "
        "given); and the ColumnStore simulator with `mcsctl --no-columnstore` (no CMAPI call). "
        f"`{ON}` then `{OFF}` (`off` without `--wait-healthy`: it does not wait until the node is healthy again, "
        "ColumnStore included), "
        f"{repeat} rounds, interleaved, after a warm-up round. The ratio column is against the plain simulator.",
        ["command", "ms", "vs plain simulator"],
        rows,
    )
    sv = st[f"{KINDS[1]}: servers"].median - st[f"{KINDS[2]}: servers"].median
    cy = cycles[KINDS[1]].median - cycles[KINDS[2]].median
    sec.notes.append(
        f"The CMAPI reads cost {sv * 1e3:.1f} ms on `servers` (the CS column: every node's CMAPI over HTTPS, "
        "its `node/status`, readiness and config) and "
        f"{cy * 1e3:.1f} ms on a whole on + off cycle (ColumnStore simulator, with against without "
        "`--no-columnstore`; medians subtracted)."
    )
    sec.notes.append(
        "Issue 17's targets are measured without ColumnStore (sections 1-3); this section only reports the cost."
    )
    return sec
