"""The who/why/until-when ledger of what mcsctl did, in one of two stores behind one interface (`Store`):

- the file store (filestore.py, the embedded default): an append-only JSON-lines file. Location: `path`
  argument (`--journal`, `$MCSCTL_JOURNAL`, `journal` in the config file) >
  `$XDG_STATE_HOME/mcsctl/journal.jsonl` > `~/.local/state/mcsctl/journal.jsonl`. The directory is
  created 0700, the file 0600.
- the MariaDB store (mariadb.py): `journal = "mariadb://USER@HOST:PORT/DATABASE"`, shared by every host
  that names it, with the per-server leases (lease.py). `open_journal` (store.py) picks one.

Each line of the file is one `Record`. Writers append a whole line with one `write` on an `O_APPEND`
descriptor under an exclusive `flock`, then `fsync`, so concurrent mcsctl processes never
interleave; a torn last line left by a crash is terminated before the next append.
Readers skip (and count) lines they cannot parse instead of failing.

Record conventions the helpers below rely on:
- `hosts` lists the MaxScales on which the change took effect.
- Only records whose `outcome` is `ok` or `partial` change the open/closed picture.
- `on` and `run-start` open a maintenance on (server, host); `off`, `reap` and `run-end` close
  it. A `run-end` with `extra["cleared"] is False` (command failed, maintenance kept) does not.
- An opening record with no hosts opens on an unknown host; any closing record for the server
  closes that, and a closing record with no hosts closes every host.

`status_rows` returns one dict per server with these keys (the `--format json` contract):
    server          str    server name
    in_maintenance  bool   some MaxScale currently reports Maintenance for it
    hosts           list   MaxScales reporting Maintenance now (sorted)
    action          str|None   the open record's action (`on` or `run-start`), None if none
    since           float|None epoch seconds of the open record
    by              str|None   `user@hostname` who set it
    reason          str|None
    expires         float|None epoch seconds
    overdue         bool   expires has passed and it is not stale
    source          str|None   `mcsctl` (open record), `outside mcsctl` (live maintenance without
                               an open record), None (neither)
    stale           bool   open record, but no MaxScale that was asked reports Maintenance
    draining        bool   some MaxScale reports Draining or Drained for it
    draining_hosts  list   those MaxScales (sorted)
    interrupted     bool   a change was begun (intent record) by a process on this host that is gone
    unfinished      dict|None  the latest change with no outcome: action, state (running: its process lives
                               here or holds a live shared lease; interrupted; or unfinished = recorded on
                               another host), pid, host, since, by

Intent records: before its first change a command writes one `intent` record per server with
outcome `started` and `extra` {id, for (the action), pid, start (the process start time, to tell a
reused pid), host, command}; when it ends, an `intent`
record with the same id and its outcome (ok, failed, refused, timeout, interrupted, partial, or
closed when a later `off` cleans up after a process that died). An `on` or `extend` on a server
whose maintenance is open updates it: `since` stays (kept in `extra["since"]`), and a reason or
expiry not given is kept.
"""

# The record itself lives in record.py; its names are the journal's too (callers import them from here).
from ..record import CLOSES, EFFECTIVE, INTENT, OPENS, STARTED, UNKNOWN_HOST, Record, hostname, who
from .filestore import Journal, default_path, unreadable, unusable
from .replay import expired, intent_state, open_maintenances, since_of, status_rows, unfinished_intents
from .store import Store, open_journal

__all__ = [
    "CLOSES",
    "EFFECTIVE",
    "INTENT",
    "OPENS",
    "STARTED",
    "UNKNOWN_HOST",
    "Journal",
    "Record",
    "Store",
    "default_path",
    "expired",
    "hostname",
    "intent_state",
    "open_journal",
    "open_maintenances",
    "since_of",
    "status_rows",
    "unfinished_intents",
    "unreadable",
    "unusable",
    "who",
]
