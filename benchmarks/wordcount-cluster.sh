#!/usr/bin/env bash
# Word count embedded against word count on a local cluster, on this machine: `bin/mapreduce
# wordcount --input DIR --output OUT` (default settings: everything in one JVM) against the same
# command with `--local-workers 2` (a master in the client JVM and 2 worker JVMs started for the job
# on this machine, each with ceil(nproc / 2) task slots; map outputs reach the reduce task through
# the workers' shuffle servers over loopback TCP). Generates the text once, then alternates the two,
# --runs times each, timing whole processes (JVM starts included, the workers' too; their CPU is
# counted, since the client JVM reaps them); checks that every pair of runs produced the same
# counts; prints the median wall times and their ratio. Builds nothing; removes its files on exit,
# also on Ctrl-C.
#
#   benchmarks/wordcount-cluster.sh [--size 1g] [--files 8] [--runs 3] [--workers 2] [--seed 1]
#                                   [--timeout 1800] [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 1g = 1 GiB)
#   --files    number of input files (default 8)
#   --runs     runs of each mode (default 3)
#   --workers  worker JVMs of the cluster mode, --local-workers N (default 2)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1800)
#   --tmp      where to put the text and outputs (default $TMPDIR or /tmp); needs about 2 * size
#              free. The intermediate files go where each mode puts them by default: the embedded
#              engine's work directory ($TMPDIR/mapreduce-$USER), the local cluster's directory
#              under java.io.tmpdir (/tmp); both remove them after the job.
#
# JAVA_OPTS, if set, is passed to the client JVM of both modes (bin/mapreduce does); the local
# workers inherit only its -Xmx, -Xms and -XX:+Use... options.
# Build first: mvn -B -o package -DskipTests
set -euo pipefail

size=1g
files=8
runs=3
workers=2
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --tmp) tmp_base="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "wordcount-cluster: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$files" "$runs" "$workers" "$seed" "$timeout_s"; do
  case "$n" in ''|*[!0-9]*) echo "wordcount-cluster: '$n' is not a number" >&2; exit 2 ;; esac
done
if [ "$runs" -lt 1 ] || [ "$files" -lt 1 ] || [ "$workers" -lt 1 ]; then
  echo "wordcount-cluster: --runs, --files and --workers must be at least 1" >&2
  exit 2
fi

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
bench_jar="$root/benchmarks/target/benchmarks.jar"
mr_jar=""
for candidate in "$root"/mapreduce-examples/target/mapreduce-examples-*-all.jar; do
  [ -f "$candidate" ] && mr_jar="$candidate"
done
if [ ! -f "$bench_jar" ] || [ -z "$mr_jar" ]; then
  echo "wordcount-cluster: the jars are not built; build them first with:" >&2
  echo "  (cd '$root' && mvn -B -o package -DskipTests)" >&2
  exit 2
fi
for tool in java timeout sort cmp awk df; do
  command -v "$tool" >/dev/null || { echo "wordcount-cluster: '$tool' is needed" >&2; exit 2; }
done

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
size_bytes=$(awk -v s="$size" 'BEGIN {
    s = tolower(s); n = s + 0; u = s; sub(/^[0-9]+ */, "", u); sub(/i?b$/, "", u)
    m = (u == "k") ? 2^10 : (u == "m") ? 2^20 : (u == "g") ? 2^30 : (u == "t") ? 2^40 : (u == "") ? 1 : -1
    if (m < 0 || n <= 0) { print -1 } else { printf "%.0f\n", n * m } }')
if [ "$size_bytes" -le 0 ]; then
  echo "wordcount-cluster: '$size' is not a size (examples: 64m, 256m, 1g)" >&2
  exit 2
fi
mkdir -p "$tmp_base"
free_kb=$(df -Pk "$tmp_base" | awk 'NR == 2 { print $4 }')
if [ $((free_kb * 1024)) -lt $((2 * size_bytes)) ]; then
  echo "wordcount-cluster: $tmp_base has $((free_kb / 1024)) MiB free; $((2 * size_bytes / 1048576)) MiB needed" >&2
  exit 2
fi

work="$(mktemp -d "$tmp_base/wordcount-cluster.XXXXXX")"
child=""
exec 3>&2 # the script's stderr, for the trap: it may run while stderr is redirected
cleanup() { rm -rf "$work"; }
interrupted() {
  # The run in progress is a background job (so that this trap runs at once): stop it first.
  # timeout passes the signal on to its whole process group, which holds the local workers too.
  if [ -n "$child" ]; then
    kill "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  echo "wordcount-cluster: interrupted" >&3
  exit 130
}
trap cleanup EXIT
trap interrupted INT TERM HUP

# shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
java ${JAVA_OPTS:-} -cp "$bench_jar" io.mapreduce.benchmarks.GenerateText \
  --size "$size" --files "$files" --seed "$seed" --out "$work/input"

TIMEFORMAT='%3R %3U %3S'

# Runs a command under the timeout with its output in a log; appends "wall user sys" to $2.
timed() {
  local label="$1" times="$2" log="$3"
  shift 3
  local rc=0
  # bash's time counts the CPU of the children reaped meanwhile: timeout, through it the client JVM,
  # and through that the worker JVMs it started and waited for.
  { time { timeout "$timeout_s" "$@" >"$log" 2>&1 & child=$!; wait "$child"; }; } 2>>"$times" || rc=$?
  child=""
  if [ "$rc" -ne 0 ]; then
    # On a timeout, timeout signals its whole process group: the client JVM and its workers.
    if [ "$rc" -eq 124 ]; then
      echo "wordcount-cluster: $label took longer than ${timeout_s}s and was killed" >&2
    else
      echo "wordcount-cluster: $label failed with exit code $rc; its output:" >&2
    fi
    tail -n 20 "$log" >&2
    exit 1
  fi
}

load() { awk '{ print $1 }' /proc/loadavg; }
load_before=$(load)
started="$(date -u '+%Y-%m-%d %H:%M UTC')"

: >"$work/embedded.times"
: >"$work/cluster.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce wordcount (embedded)" >&2
  timed "embedded (run $i)" "$work/embedded.times" "$work/embedded.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/embedded-out"
  LC_ALL=C sort "$work"/embedded-out/mr-out-* >"$work/embedded.sorted"
  rm -rf "$work/embedded-out"

  echo "run $i of $runs: mapreduce wordcount --local-workers $workers" >&2
  timed "--local-workers $workers (run $i)" "$work/cluster.times" "$work/cluster.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/cluster-out" --local-workers "$workers"
  LC_ALL=C sort "$work"/cluster-out/mr-out-* >"$work/cluster.sorted"
  rm -rf "$work/cluster-out"

  if ! cmp -s "$work/embedded.sorted" "$work/cluster.sorted"; then
    echo "wordcount-cluster: run $i: the outputs differ (< embedded, > cluster):" >&2
    diff "$work/embedded.sorted" "$work/cluster.sorted" | head -n 20 >&2 || true
    exit 1
  fi
done
load_after=$(load)

words=$(wc -l <"$work/embedded.sorted")
total=$(awk -F'\t' '{ n += $2 } END { printf "%.0f", n }' "$work/embedded.sorted")
input_bytes=$(cat "$work"/input/* | wc -c)

# median of column $1 of a file of "wall user sys" lines
median() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
cpu_median() {
  awk '{ print $2 + $3 }' "$1" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
list() { awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$1"; }

em_wall=$(median 1 "$work/embedded.times")
cl_wall=$(median 1 "$work/cluster.times")
em_cpu=$(cpu_median "$work/embedded.times")
cl_cpu=$(cpu_median "$work/cluster.times")
mib() { awk -v b="$input_bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

echo
echo "wordcount-cluster: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating"
echo "started $started; $(nproc) CPUs; $(java -version 2>&1 | head -n 1)${JAVA_OPTS:+; JAVA_OPTS=$JAVA_OPTS}"
echo "load average (1 min) before $load_before, after $load_after"
echo "outputs identical in every run: $words distinct words, $total words in all"
echo
printf '%-32s %10s %12s %10s   %s\n' "mode" "median s" "median CPU s" "MiB/s" "wall s of each run"
printf '%-32s %10s %12s %10s   %s\n' "embedded" "$em_wall" "$em_cpu" "$(mib "$em_wall")" \
  "$(list "$work/embedded.times")"
printf '%-32s %10s %12s %10s   %s\n' "--local-workers $workers" "$cl_wall" "$cl_cpu" "$(mib "$cl_wall")" \
  "$(list "$work/cluster.times")"
echo
awk -v c="$cl_wall" -v e="$em_wall" 'BEGIN { printf "ratio of medians, cluster / embedded (wall): %.2f\n", c / e }'
awk -v c="$cl_cpu" -v e="$em_cpu" 'BEGIN { printf "ratio of medians, cluster / embedded (CPU):  %.2f\n", c / e }'
