#!/bin/bash
# bench/live.sh: CPU seconds per exec event of the audit daemon, stock
# auditd (log_format RAW) against `auditrs run` (full interpretation, ECS
# JSON), same rules, same run. A benchmark, not a test.
#
#   sudo bench/live.sh [EXECS_AT_MAX [EXECS_AT_1000/s]]     (defaults 50000, 10000)
#   AUDITRS_ARGS="--no-sessions" sudo bench/live.sh          (extra flags for auditrs run)
#   AUDITRS2=/path/to/other/auditrs sudo bench/live.sh       (also measure a second build, e.g.
#                                                             before/after, in the same run)
#   SKIP_AUDITD=1 PERF_OUT=/root/p.data sudo bench/live.sh   (profiling: no auditd, and
#                                                             perf record -e cpu-clock -g of the
#                                                             auditrs daemon during the max run)
#
# Needs root, Debian's auditd (not running), gcc, a release build
# (cargo build --release; or AUDITRS=/path/to/auditrs). Takes the live-test
# lock (/run/lock/auditrs-live.lock) and puts the kernel's rules and
# settings back at the end, even on failure.
#
# What is measured: user+system CPU of the daemon process (all threads,
# from /proc/PID/stat) between the start of the load and the moment the
# daemon has taken everything (kernel backlog empty for 0.6 s, plus 0.3 s),
# divided by the number of execs. Other activity on the machine adds
# events to both runs alike: use a quiet machine, or large loads. Each exec makes two events (execve and
# exit_group), about 6 records. Kernel-side audit cost is the same for
# both daemons and is not counted.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$ROOT/../shared
BIN=${AUDITRS:-$ROOT/target/release/auditrs}
N_MAX=${1:-50000}
N_RATE=${2:-10000}
[ "$(id -u)" = 0 ] || { echo "bench/live.sh: needs root" >&2; exit 1; }
[ -x "$BIN" ] || { echo "bench/live.sh: no $BIN (cargo build --release)" >&2; exit 1; }
[ -f "$SHARED/tools/execload.c" ] || { echo "bench/live.sh: missing $SHARED/tools/execload.c" >&2; exit 1; }

if [ -z "${AUDITRS_BENCH_LOCKED:-}" ]; then
  exec env AUDITRS_BENCH_LOCKED=1 flock /run/lock/auditrs-live.lock "$0" "$@"
fi

W=$(mktemp -d /tmp/auditrs-bench.XXXXXX)
gcc -O2 -o "$W/execload" "$SHARED/tools/execload.c"
if [ "$(auditctl -s | awk '/^pid/{print $2}')" != 0 ]; then
  echo "bench/live.sh: another audit daemon is registered" >&2; exit 1
fi

# --- save and restore the kernel's state ---
auditctl -l > "$W/saved.rules" || true
read -r S_ENABLED S_BACKLOG S_WAIT S_RATE S_FAIL < <(auditctl -s | awk '
  /^enabled/{e=$2} /^backlog_limit/{b=$2} /^backlog_wait_time /{w=$2} /^rate_limit/{r=$2} /^failure/{f=$2}
  END{print e, b, w, r, f}')
DPID=""
restore() {
  [ -n "$DPID" ] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null || true
  auditctl -D >/dev/null 2>&1 || true
  if grep -q '^-' "$W/saved.rules"; then auditctl -R "$W/saved.rules" >/dev/null 2>&1 || true; fi
  auditctl -b "$S_BACKLOG" --backlog_wait_time "$S_WAIT" -r "$S_RATE" -f "$S_FAIL" >/dev/null 2>&1 || true
  auditctl -e "$S_ENABLED" >/dev/null 2>&1 || true
  rm -rf "$W"
}
trap restore EXIT

cat > "$W/bench.rules" <<'RULES'
-D
-b 8192
--backlog_wait_time 60000
-a always,exit -F arch=b64 -S execve,execveat -k exec
-a always,exit -F arch=b64 -S exit_group
RULES
mkdir -p "$W/auditd"
cat > "$W/auditd/auditd.conf" <<CONF
log_file = $W/auditd.log
log_format = RAW
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 0
max_log_file_action = IGNORE
space_left = 2
admin_space_left = 1
disk_full_action = IGNORE
disk_error_action = IGNORE
local_events = yes
write_logs = yes
name_format = NONE
CONF
chmod 600 "$W/auditd/auditd.conf"

TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ctxsw() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/{n += $2} END{print n}'; } # all threads
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
lines() { wc -l < "$1"; }

RESULTS=()
measure() { # name output-file
  local name=$1 out=$2 label n rate c0 c1 l0 l1 w0 w1 s0 s1 us
  for label in "1000/s" "max"; do
    if [ "$label" = max ]; then n=$N_MAX; rate=0; else n=$N_RATE; rate=1000; fi
    wait_drained
    c0=$(cpu_ticks "$DPID"); l0=$(lost); w0=$(lines "$out"); s0=$(ctxsw "$DPID")
    local ppid=""
    if [ -n "${PERF_OUT:-}" ] && [ "$label" = max ] && [ "$name" != auditd ]; then
      perf record -q -e cpu-clock -g -o "$PERF_OUT.$name" -p "$DPID" 2>/dev/null & ppid=$!
      sleep 0.5
    fi
    "$W/execload" "$n" "$rate" > "$W/load.txt"
    wait_drained
    c1=$(cpu_ticks "$DPID"); l1=$(lost); w1=$(lines "$out"); s1=$(ctxsw "$DPID")
    if [ -n "$ppid" ]; then kill -INT "$ppid"; wait "$ppid" || true; fi
    us=$(awk -v c=$((c1 - c0)) -v t="$TICKS" -v n="$n" 'BEGIN{printf "%.1f", c / t * 1e6 / n}')
    printf '%-8s %-7s %7d execs %-10s cpu %6.2f s %7s us/exec  %8d lines written  kernel lost +%d  %d context switches\n' \
      "$name" "$label" "$n" "($(cut -d'(' -f2 "$W/load.txt" | tr -d ')\n'))" \
      "$(awk -v c=$((c1 - c0)) -v t="$TICKS" 'BEGIN{print c / t}')" "$us" $((w1 - w0)) $((l1 - l0)) $((s1 - s0))
    RESULTS+=("$name $label $us")
  done
}

echo "machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "rules: execve,execveat (key exec) + exit_group, b64; backlog 8192"

# --- stock auditd ---
auditctl -R "$W/bench.rules" >/dev/null
auditctl -e 1 >/dev/null
if [ -z "${SKIP_AUDITD:-}" ]; then
  /usr/sbin/auditd -n -c "$W/auditd" & DPID=$!
  wait_registered "$DPID"
  sleep 1
  measure auditd "$W/auditd.log"
  kill -TERM "$DPID"; wait "$DPID" || true; DPID=""
  echo "auditd: $(wc -l < "$W/auditd.log") lines written"
fi

# --- auditrs run (and a second build, AUDITRS2) ---
run_auditrs() { # name binary
  local name=$1 bin=$2
  # shellcheck disable=SC2086 # AUDITRS_ARGS: extra flags, word-split on purpose
  "$bin" run --rules "$W/bench.rules" --output "$W/$name.json" --max-log-file 0 --stats-interval 0 ${AUDITRS_ARGS:-} \
    2> "$W/$name.err" & DPID=$!
  wait_registered "$DPID"
  sleep 1
  measure "$name" "$W/$name.json"
  kill -TERM "$DPID"; wait "$DPID" || true; DPID=""
  echo "$name: $(wc -l < "$W/$name.json") lines written; $(grep -o 'stopped: .*' "$W/$name.err" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-400)"
}
run_auditrs auditrs "$BIN"
if [ -n "${AUDITRS2:-}" ]; then run_auditrs auditrs2 "$AUDITRS2"; fi

for other in auditrs auditrs2; do
  for label in "1000/s" "max"; do
    a=$(printf '%s\n' "${RESULTS[@]}" | awk -v l="$label" '$1=="auditd" && $2==l {print $3}')
    r=$(printf '%s\n' "${RESULTS[@]}" | awk -v l="$label" -v o="$other" '$1==o && $2==l {print $3}')
    [ -n "$r" ] && [ -n "$a" ] || continue
    awk -v a="$a" -v r="$r" -v l="$label" -v o="$other" 'BEGIN{printf "ratio %s/auditd at %-6s: %.2f (%s vs %s us/exec)\n", o, l, (a > 0 ? r / a : 0), r, a}'
  done
done
