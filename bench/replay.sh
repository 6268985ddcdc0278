#!/bin/bash
# Replay throughput: auditrs replay vs laurel 0.8 vs libauparse (grouping
# only), same ~1M-record corpus, same run. Not a test: prints figures for
# docs/PERFORMANCE.md.
#
#   bench/replay.sh            # K=369 copies of the RAW capture (~1M records)
#   K=100 bench/replay.sh      # smaller corpus
#   BENCH_DIR=/path bench/replay.sh
#
# Needs: python3 (corpus), /usr/bin/python3 with python3-audit (libauparse),
# and for laurel: libclang-dev, libacl1-dev and network access to crates.io
# (installed once into $BENCH_DIR/laurel; skipped with a note if that fails).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=$ROOT/../shared
WORK=${BENCH_DIR:-/tmp/auditrs-bench}
K=${K:-369}
RAW=$SHARED/conformance/captures/debian12-kernel6.18-raw.log
[ -f "$RAW" ] || { echo "missing $RAW (see ../shared/README.md)" >&2; exit 1; }
mkdir -p "$WORK"
CORPUS=$WORK/corpus-$K.log
if [ ! -s "$CORPUS" ]; then
  python3 "$SHARED/tools/mkcorpus.py" "$RAW" "$K" "$CORPUS" || exit 1
fi
RECORDS=$(wc -l < "$CORPUS")
echo "corpus: $CORPUS ($RECORDS records, $(du -m "$CORPUS" | cut -f1) MB)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, kernel $(uname -r)"

(cd "$ROOT" && cargo build --release -q -p auditrs) || { echo "auditrs build failed" >&2; exit 1; }
AUDITRS=$ROOT/target/release/auditrs

LAUREL=$WORK/laurel/bin/laurel
if [ ! -x "$LAUREL" ]; then
  echo "installing laurel 0.8 into $WORK/laurel (once) ..."
  { apt-get install -y libclang-dev libacl1-dev >/dev/null 2>&1 || true; } 
  cargo install laurel --version '^0.8' --locked --root "$WORK/laurel" >"$WORK/laurel-install.log" 2>&1 \
    || echo "laurel install failed (see $WORK/laurel-install.log); skipping laurel"
fi

# run NAME CMD...: wall/user/sys seconds and max RSS; stdin from the corpus.
# Rates are given per wall second and per CPU second (user+sys): on a busy
# machine the CPU figure is the stable one; ratios use CPU time.
# Each command runs RUNS times (default 3); the run with the least CPU time
# is reported (the machine may be shared).
RUNS=${RUNS:-3}
declare -A CPU
run() {
  local name=$1; shift
  local best="" i
  for i in $(seq 1 "$RUNS"); do
    if [ "$name" = laurel ]; then rm -f "$WORK/laurel-out/audit.log" "$WORK/laurel-out/state"*; fi
    /usr/bin/time -o "$WORK/$name.time.$i" -f '%e %U %S %M' "$@" < "$CORPUS" > "$WORK/$name.out" 2> "$WORK/$name.err"
    read -r wall user sys rss < "$WORK/$name.time.$i"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
    if [ -z "$best" ] || awk -v a="$cpu" -v b="${CPU[$name]}" 'BEGIN { exit !(a < b) }'; then
      best=$i; CPU[$name]=$cpu
    fi
  done
  read -r wall user sys rss < "$WORK/$name.time.$best"
  awk -v n="$name" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v r="$RECORDS" 'BEGIN {
    printf "%-16s wall %6.2fs user %6.2fs sys %5.2fs maxrss %7d KB | %8.0f rec/s (wall) %8.0f rec/s (cpu)\n",
      n, w, u, s, m, r / w, r / (u + s) }'
}

# auditrs: all stages (parse, reassemble, interpret, serialize), JSON to
# /dev/null; the default includes the session context (process.parent,
# leaders, entity ids from sessiondb) when this build has it.
run auditrs-devnull sh -c "$AUDITRS replay - > /dev/null"
# auditrs without the session context: the event pipeline alone.
NOSESS=""
if "$AUDITRS" replay --help 2>/dev/null | grep -q -- --no-sessions; then
  NOSESS=--no-sessions
  run auditrs-nosess sh -c "$AUDITRS replay --no-sessions - > /dev/null"
fi
# auditrs: JSON to a file on disk.
run auditrs-file "$AUDITRS" replay - --output "$WORK/auditrs.json"

# libauparse: grouping only (events and records counted, nothing printed).
cat > "$WORK/auparse_group.py" <<'PY'
import sys, auparse
au = auparse.AuParser(auparse.AUSOURCE_FILE, sys.argv[1])
events = records = 0
while au.parse_next_event():
    events += 1
    records += au.get_num_records()
print(events, records)
PY
run libauparse /usr/bin/python3 "$WORK/auparse_group.py" "$CORPUS"

if [ -x "$LAUREL" ]; then
  mkdir -p "$WORK/laurel-out"
  cat > "$WORK/laurel.toml" <<TOML
directory = "$WORK/laurel-out"
[auditlog]
file = "audit.log"
size = 100000000000
generations = 1
TOML
  run laurel "$LAUREL" --config "$WORK/laurel.toml"
  echo "laurel output: $(wc -l < "$WORK/laurel-out/audit.log") lines"
else
  echo "laurel: not available (see above)"
fi

echo "auditrs summary: $(grep 'auditrs replay:' "$WORK/auditrs-file.err" | tail -1)"
echo "libauparse: events records = $(cat "$WORK/libauparse.out")"
for a in auditrs-devnull ${NOSESS:+auditrs-nosess}; do
  base=${CPU[$a]}
  for n in libauparse laurel; do
    [ -n "${CPU[$n]:-}" ] && awk -v a="${CPU[$n]}" -v b="$base" -v n="$n" -v m="$a" \
      'BEGIN { printf "CPU time %s / %s = %.2f\n", n, m, a / b }'
  done
done
