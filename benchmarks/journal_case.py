"""Section 10: the shared journal (`journal = mariadb://...`, issue 15) beside the local file journal, against a
private mariadbd the benchmark starts itself (tests/mariadb_proc.py, as the shared-journal tests do)."""

from __future__ import annotations

from measure import Stats, summed, time_commands
from report import Section
from simenv import Sim, Workspace, entry_point

from tests import mariadb_proc  # run.py puts the checkout on sys.path; the helper has no pytest in it

ON, OFF, STATUS = "maintenance on mcs3 --no-drain", "maintenance off mcs3", "maintenance status"
KINDS = ("local file journal", "shared journal (MariaDB)")
TITLE = "10. The shared journal (MariaDB) against the local file journal"


def _method(repeat: int) -> str:
    return (
        f"`{ON}`, `{OFF}` and `{STATUS}`, REST backend, each against its own plain 3-server simulator: once with "
        "the default journal (a JSON-lines file under the throw-away XDG_STATE_HOME) and once with `MCSCTL_JOURNAL="
        "mariadb://mcsctl@127.0.0.1:PORT/mcsctl` (password in MCSCTL_JOURNAL_PASSWORD) on a private mariadbd "
        "started for this section (own datadir, free loopback port; `tests/mariadb_proc.py`). Each changing "
        "command takes and gives back the lease and writes its records there; `status` reads them. "
        f"{repeat} rounds, interleaved, after a warm-up round."
    )


def journal(ws: Workspace, repeat: int) -> Section:
    if not mariadb_proc.installed():
        sec = Section(TITLE, _method(repeat))
        sec.notes.append(
            "Skipped: mariadb-server is not installed here (mariadbd, mariadb-install-db; `make test` installs it "
            "from .ci/sysdeps). The local-journal costs are in section 3."
        )
        return sec
    base = ws.dir / "mariadb"
    base.mkdir()
    with mariadb_proc.serve(base) as db, Sim(ws.env) as local, Sim(ws.env) as shared:
        shared_env = dict(ws.env, MCSCTL_JOURNAL=db.url(), MCSCTL_JOURNAL_PASSWORD=mariadb_proc.PASSWORD)
        st = time_commands(_cases(ws, local, shared, shared_env), repeat, warmup=1)
    return _section(st, repeat)


def _cases(ws: Workspace, local: Sim, shared: Sim, shared_env: dict) -> dict[str, dict]:
    mcsctl = entry_point("mcsctl", "mcsctl")
    setups = {KINDS[0]: (local, ws.env), KINDS[1]: (shared, shared_env)}
    cases = {}
    for step in (ON, OFF, STATUS):  # round by round: every `on` before its `off`
        for kind, (sim, env) in setups.items():
            cases[f"{kind}: {step}"] = dict(argv=mcsctl + ["-H", sim.host, "--backend", "rest"] + step.split(), env=env)
    return cases


def _section(st: dict[str, Stats], repeat: int) -> Section:
    rows = []
    for label, s in st.items():
        step = label.split(": ", 1)[1]
        rows.append([label, s.ms(), f"{s.median / st[f'{KINDS[0]}: {step}'].median:.2f}x"])
    cycles = {kind: summed(st[f"{kind}: {ON}"], st[f"{kind}: {OFF}"]) for kind in KINDS}
    for kind, total in cycles.items():
        rows.append(
            [f"**{kind}: full cycle (on + off)**", total.ms(), f"{total.median / cycles[KINDS[0]].median:.2f}x"]
        )
    sec = Section(TITLE, _method(repeat), ["command", "ms", "vs local file journal"], rows)
    extra = cycles[KINDS[1]].median - cycles[KINDS[0]].median
    read = st[f"{KINDS[1]}: {STATUS}"].median - st[f"{KINDS[0]}: {STATUS}"].median
    sec.notes.append(
        f"The shared journal adds {extra * 1e3:.1f} ms to an on + off cycle and {read * 1e3:.1f} ms to `{STATUS}` "
        "(medians subtracted): pymysql's import, the connection and login, the lease and the records."
    )
    sec.notes.append(
        "PyMySQL is imported without the `cryptography` package (only MySQL's sha256/caching_sha2 logins use it), "
        "and its opportunistic TLS context skips loading the CA store it never consults (journal/db.py). Until "
        "2026-12-02 those cost ~20 ms per command and ~18 ms per connection: a cycle then added ~124 ms and "
        "`status` ~52 ms. This server does not offer TLS; one that does adds its handshake."
    )
    sec.notes.append("Issue 17's targets are measured with the local journal (section 3); this only reports the cost.")
    return sec
