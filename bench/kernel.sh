# Shared part of the live benchmarks (bench/live.sh, bench/sessions.sh):
# sourced, not run. Before sourcing, set NAME (the script's name for
# messages) and optionally ON_RESTORE (a function called first on exit).
# Gives: ROOT, SHARED, BIN, W (work dir, removed on exit), $W/execload,
# DPID (the daemon's pid; set it, restore stops it), the kernel's audit
# state saved and restored on exit, and the helpers lost, wait_registered,
# wait_drained. Takes the live-kernel lock (/run/lock/auditrs-live.lock)
# that the tests use, by re-executing the calling script under flock.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$ROOT/../shared
BIN=${AUDITRS:-$ROOT/target/release/auditrs}
[ "$(id -u)" = 0 ] || { echo "$NAME: needs root" >&2; exit 1; }
[ -x "$BIN" ] || { echo "$NAME: no $BIN (cargo build --release)" >&2; exit 1; }
[ -f "$SHARED/tools/execload.c" ] || { echo "$NAME: missing $SHARED/tools/execload.c" >&2; exit 1; }

if [ -z "${AUDITRS_BENCH_LOCKED:-}" ]; then
  exec env AUDITRS_BENCH_LOCKED=1 flock /run/lock/auditrs-live.lock "$0" "$@"
fi

W=$(mktemp -d "/tmp/auditrs-${NAME%.sh}.XXXXXX")
gcc -O2 -o "$W/execload" "$SHARED/tools/execload.c"
if [ "$(auditctl -s | awk '/^pid/{print $2}')" != 0 ]; then
  echo "$NAME: another audit daemon is registered" >&2; exit 1
fi

# --- save and restore the kernel's state ---
auditctl -l > "$W/saved.rules" || true
read -r S_ENABLED S_BACKLOG S_WAIT S_RATE S_FAIL < <(auditctl -s | awk '
  /^enabled/{e=$2} /^backlog_limit/{b=$2} /^backlog_wait_time /{w=$2} /^rate_limit/{r=$2} /^failure/{f=$2}
  END{print e, b, w, r, f}')
DPID=""
restore() {
  if [ -n "${ON_RESTORE:-}" ]; then "$ON_RESTORE" || true; fi
  [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
  auditctl -D >/dev/null 2>&1 || true
  if grep -q '^-' "$W/saved.rules"; then auditctl -R "$W/saved.rules" >/dev/null 2>&1 || true; fi
  auditctl -b "$S_BACKLOG" --backlog_wait_time "$S_WAIT" -r "$S_RATE" -f "$S_FAIL" >/dev/null 2>&1 || true
  auditctl -e "$S_ENABLED" >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap restore EXIT

lost() { auditctl -s | awk '/^lost/{print $2}'; }
wait_registered() {
  for _ in $(seq 1 200); do
    [ "$(auditctl -s | awk '/^pid/{print $2}')" = "$1" ] && return 0
    sleep 0.05
  done
  echo "daemon $1 did not register" >&2; return 1
}
wait_drained() { # kernel backlog empty for 0.6 s, then 0.3 s for the daemon's buffers
  local quiet=0
  while [ $quiet -lt 3 ]; do
    if [ "$(auditctl -s | awk '/^backlog /{print $2}')" = 0 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    sleep 0.2
  done
  sleep 0.3
}
