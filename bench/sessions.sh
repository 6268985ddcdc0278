#!/bin/bash
# bench/sessions.sh: memory of `auditrs run` with the session table under a
# flood of short-lived processes (issue 5). A benchmark, not a test.
#
#   sudo bench/sessions.sh [EXECS]      (default: 1,000,000, or 200,000 when
#                                        1M would take over 15 min here)
#
# Needs root, gcc, a release build (cargo build --release; or
# AUDITRS=/path/to/auditrs), no other audit daemon. Takes the live-test lock
# (/run/lock/auditrs-live.lock) and puts the kernel's rules and settings
# back at the end, even on failure.
#
# Load: ../shared/tools/execload.c (vfork + execve /bin/true + wait, as
# fast as it goes) under the shipped session rules (rules.d/: exec, exit,
# setsid, fork/vfork/clone without threads, setpgid): three events per
# process (vfork, execve, exit_group). Events go to /dev/null (the JSON is
# written, then discarded): the figure is the daemon's own memory.
# Measured: VmRSS of the daemon every second during the load, VmHWM (peak),
# VmRSS after the grace period and after the liveness check (40 s), and the
# session table's counters (the
# `sessions` stats line: entries, dead, bytes, freed, evictions) against
# the number of live processes on the machine.
set -euo pipefail
NAME=sessions.sh
SAMPLER=""
stop_sampler() { [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null; }
ON_RESTORE=stop_sampler
. "$(dirname "$0")/kernel.sh"
N=${1:-}

rss_kb() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }
sessions_line() { grep 'sessions' "$W/auditrs.err" | grep 'entries' | tail -1 | sed 's/\x1b\[[0-9;]*m//g' | sed 's/.*sessions //'; }
live_procs() { find /proc -maxdepth 1 -name '[0-9]*' | wc -l; }

echo "machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) MiB"
echo "rules: $ROOT/rules.d (10-session-view + 20-session-tracking), backlog 8192, backlog_wait_time 60000"

"$BIN" run --rules "$ROOT/rules.d" --output /dev/null --max-log-file 0 --stats-interval 2 \
  --backlog-limit 8192 --backlog-wait-time 60000 2> "$W/auditrs.err" & DPID=$!
wait_registered "$DPID"
sleep 1
wait_drained
echo "start: VmRSS $(rss_kb "$DPID" VmRSS) kB; live processes $(live_procs); table: $(sessions_line)"

# Rate at full speed, then the size of the run.
"$W/execload" 20000 0 > "$W/rate.txt"
RATE=$(sed 's/.*(\([0-9]*\)\/s).*/\1/' "$W/rate.txt")
echo "rate probe: $(cat "$W/rate.txt")"
if [ -z "$N" ]; then
  if [ "$RATE" -gt 0 ] && [ $((1000000 / RATE)) -le 900 ]; then N=1000000; else N=200000; fi
fi
echo "load: $N processes (1,000,000 would take about $((1000000 / (RATE > 0 ? RATE : 1))) s at $RATE/s)"
wait_drained

L0=$(lost)
( while kill -0 "$DPID" 2>/dev/null; do rss_kb "$DPID" VmRSS; sleep 1; done ) > "$W/rss.txt" & SAMPLER=$!
"$W/execload" "$N" 0 > "$W/load.txt"
echo "execload: $(cat "$W/load.txt")"
wait_drained
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
L1=$(lost)
PEAK_SAMPLED=$(sort -n "$W/rss.txt" | tail -1)
HWM=$(rss_kb "$DPID" VmHWM)
echo "during: VmRSS max of $(wc -l < "$W/rss.txt") samples ${PEAK_SAMPLED} kB, median $(sort -n "$W/rss.txt" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}') kB; VmHWM ${HWM} kB; kernel lost +$((L1 - L0))"
echo "right after: table: $(sessions_line)"
# Grace period (5 s) and the idle maintenance (every second), then a stats line.
sleep 9
echo "after grace (9 s): VmRSS $(rss_kb "$DPID" VmRSS) kB; live processes $(live_procs); table: $(sessions_line)"
# Live entries silent for 30 s are checked against /proc (processes ended
# without an exit record), then freed after their grace period.
sleep 31
echo "after liveness check (40 s): VmRSS $(rss_kb "$DPID" VmRSS) kB; live processes $(live_procs); table: $(sessions_line)"
kill -TERM "$DPID"; wait "$DPID" || true; DPID=""
echo "daemon: $(grep -o 'stopped: .*' "$W/auditrs.err" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-220)"
