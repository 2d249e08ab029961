#!/usr/bin/env bash
# `make demo`: mcsctl takes mcs3 through maintenance against the bundled MaxScale simulator (ColumnStore
# nodes with their fake CMAPI), through the maxctrl stand-in (as if it were the admin's maxctrl), then shows
# how the primary is handled.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
work=$(mktemp -d)
free_port() { python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port) cmapi_port=$(free_port)

# Every server a ColumnStore node; each node's CMAPI on 127.0.0.1N:$cmapi_port (its timings 20x faster).
maxscale-sim --port "$port" --columnstore --cmapi-port "$cmapi_port" --cs-tick 0.05 >"$work/sim.log" 2>&1 &
sim=$!
trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/sim.log" 2>/dev/null && break; sleep 0.05; done

# The stand-in plays the admin's maxctrl: mcsctl shells out to it exactly as to the real one.
printf '#!/bin/sh\nexec "%s" -m simulator.maxctrl "$@"\n' "$(command -v python)" >"$work/maxctrl"
chmod +x "$work/maxctrl"
export MCSCTL_HOSTS="127.0.0.1:$port" MCSCTL_MAXCTRL="$work/maxctrl" MCSCTL_JOURNAL="$work/journal.jsonl"
export XDG_CACHE_HOME="$work/cache" MCSCTL_POLL_INTERVAL=0.2

say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }
run() {  # show the command as you would type it, then run it
  local shown=() a
  for a in "$@"; do [[ $a =~ [[:space:]] ]] && shown+=("\"$a\"") || shown+=("$a"); done
  printf '\033[1m$ %s\033[0m\n' "${shown[*]}"
  "$@"
}

# Two client sessions hold connections to mcs3 (the simulator's control API); they finish after ~1.5 s.
sim() { python - "$port" "$@" <<'PY'
import json, sys, urllib.request
port, method, path, body = sys.argv[1], sys.argv[2], sys.argv[3], (sys.argv[4] if len(sys.argv) > 4 else None)
req = urllib.request.Request(f"http://127.0.0.1:{port}/sim/{path}", method=method,
                             data=body.encode() if body else None, headers={"Content-Type": "application/json"})
print(urllib.request.urlopen(req).read().decode())
PY
}
ids=$(sim POST sessions '{"count": 2, "servers": ["mcs1", "mcs3"], "user": "app", "remote": "10.0.0.7"}' |
      python -c 'import json, sys; print(" ".join(json.load(sys.stdin)["ids"]))')

say "1. The cluster as MaxScale sees it (mcs1 is the primary; two sessions use mcs3), and as CMAPI sees it"
run mcsctl servers
run mcsctl columnstore status
say "2. Take mcs3 out of traffic: drain, maintenance, confirm on every MaxScale"
( sleep 1.5; for id in $ids; do sim DELETE "sessions/$id" >/dev/null; done ) &
run mcsctl maintenance on mcs3 --reason "demo: kernel update" --expires 1h
say "3. Who set it, why, until when"
run mcsctl maintenance status
say "4. ... the work happens here (reboot, restart services) ..."
say "5. Back into traffic, and wait until the monitor shows it healthy"
run mcsctl maintenance off mcs3 --wait-healthy --cs-settle 1
run mcsctl servers
say "6. The primary (MaxScale's and ColumnStore's) is refused (exit 4) with a hint"
set +e
mcsctl maintenance on mcs1
rc=$?
set -e
echo "exit status: $rc"
[ "$rc" -eq 4 ] || { echo "demo: expected exit 4 for the primary" >&2; exit 1; }
say "7. What a switchover first would do (dry run: nothing changes); it does not move the ColumnStore primary"
run mcsctl maintenance on mcs1 --switchover --allow-columnstore-primary --dry-run
say "Done: mcs3 went through maintenance and back; the primary was protected."
