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
NAME=live.sh
. "$(dirname "$0")/kernel.sh"
N_MAX=${1:-50000}
N_RATE=${2:-10000}

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
