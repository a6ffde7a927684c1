#!/usr/bin/env bash
# Streaming overhead on this machine: `bin/mapreduce streaming --mapper cat --reducer cat` (one reduce
# task, embedded) against the shell pipeline `cat DIR/* | cat | LC_ALL=C sort | cat > out` on the
# same generated text. Generates the text once, then alternates the two, --runs times each, timing
# whole processes (JVM start included); checks that every pair of runs produced the same lines (the
# job's output sorted with LC_ALL=C sort equals the pipeline's); prints the median wall times and
# their ratio. Builds nothing; removes its files on exit.
#
#   benchmarks/streaming-vs-pipeline.sh [--size 1g] [--files 8] [--runs 3] [--seed 1]
#                                       [--timeout 1800] [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 1g = 1 GiB)
#   --files    number of input files (default 8)
#   --runs     runs of each (default 3)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1800)
#   --tmp      where to put the text, outputs and intermediate files (default $TMPDIR or /tmp);
#              needs about 5 * size free
#
# JAVA_OPTS, if set, is passed to the JVMs. Build first: mvn -B -o package -DskipTests
set -euo pipefail

size=1g
files=8
runs=3
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --tmp) tmp_base="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "streaming-vs-pipeline: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$files" "$runs" "$seed" "$timeout_s"; do
  case "$n" in ''|*[!0-9]*) echo "streaming-vs-pipeline: '$n' is not a number" >&2; exit 2 ;; esac
done
if [ "$runs" -lt 1 ] || [ "$files" -lt 1 ]; then
  echo "streaming-vs-pipeline: --runs and --files must be at least 1" >&2
  exit 2
fi

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
bench_jar="$root/benchmarks/target/benchmarks.jar"
mr_jar=""
for candidate in "$root"/mapreduce-examples/target/mapreduce-examples-*-all.jar; do
  [ -f "$candidate" ] && mr_jar="$candidate"
done
if [ ! -f "$bench_jar" ] || [ -z "$mr_jar" ]; then
  echo "streaming-vs-pipeline: the jars are not built; build them first with:" >&2
  echo "  (cd '$root' && mvn -B -o package -DskipTests)" >&2
  exit 2
fi
for tool in java timeout sort cmp awk df cat; do
  command -v "$tool" >/dev/null || { echo "streaming-vs-pipeline: '$tool' is needed" >&2; exit 2; }
done

# Refuse early rather than fill a shared disk: the text, intermediate files, two outputs and a sorted copy.
size_bytes=$(awk -v s="$size" 'BEGIN {
    s = tolower(s); n = s + 0; u = s; sub(/^[0-9]+ */, "", u); sub(/i?b$/, "", u)
    m = (u == "k") ? 2^10 : (u == "m") ? 2^20 : (u == "g") ? 2^30 : (u == "t") ? 2^40 : (u == "") ? 1 : -1
    if (m < 0 || n <= 0) { print -1 } else { printf "%.0f\n", n * m } }')
if [ "$size_bytes" -le 0 ]; then
  echo "streaming-vs-pipeline: '$size' is not a size (examples: 64m, 256m, 1g)" >&2
  exit 2
fi
mkdir -p "$tmp_base"
free_kb=$(df -Pk "$tmp_base" | awk 'NR == 2 { print $4 }')
if [ $((free_kb * 1024)) -lt $((5 * size_bytes)) ]; then
  echo "streaming-vs-pipeline: $tmp_base has $((free_kb / 1024)) MiB free; $((5 * size_bytes / 1048576)) MiB needed" >&2
  exit 2
fi

work="$(mktemp -d "$tmp_base/streaming-vs-pipeline.XXXXXX")"
child=""
exec 3>&2 # the script's stderr, for the trap: it may run while stderr is redirected
cleanup() { rm -rf "$work"; }
interrupted() {
  # The run in progress is a background job (so that this trap runs at once): stop it first.
  if [ -n "$child" ]; then
    kill "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  echo "streaming-vs-pipeline: interrupted" >&3
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
  # bash's time counts the CPU of the children reaped meanwhile: timeout, and through it the JVM.
  { time { timeout "$timeout_s" "$@" >"$log" 2>&1 & child=$!; wait "$child"; }; } 2>>"$times" || rc=$?
  child=""
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ]; then
      echo "streaming-vs-pipeline: $label took longer than ${timeout_s}s and was killed" >&2
    else
      echo "streaming-vs-pipeline: $label failed with exit code $rc; its output:" >&2
    fi
    tail -n 20 "$log" >&2
    exit 1
  fi
}

: >"$work/mr.times"
: >"$work/pipe.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce streaming" >&2
  timed "mapreduce streaming (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" streaming --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work" \
    --mapper cat --reducer cat
  rm -f "$work/pipe.txt"

  echo "run $i of $runs: cat | cat | LC_ALL=C sort | cat" >&2
  # sort's temporary files go under $work too, so that --tmp decides where every byte lands.
  timed "the pipeline (run $i)" "$work/pipe.times" "$work/pipe.log" \
    sh -c 'cat "$1"/input/* | cat | LC_ALL=C TMPDIR="$1" sort | cat > "$1/pipe.txt"' sh "$work"

  # The job's output is sorted by key only (values of one key in any order): sort it to compare.
  LC_ALL=C TMPDIR="$work" sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  rm -rf "$work/mr-out"
  if ! cmp -s "$work/mr.sorted" "$work/pipe.txt"; then
    echo "streaming-vs-pipeline: run $i: the outputs differ (< mapreduce, > pipeline):" >&2
    diff "$work/mr.sorted" "$work/pipe.txt" | head -n 20 >&2 || true
    exit 1
  fi
  rm -f "$work/mr.sorted"
done

lines=$(wc -l <"$work/pipe.txt")
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

mr_wall=$(median 1 "$work/mr.times")
pipe_wall=$(median 1 "$work/pipe.times")
mr_cpu=$(cpu_median "$work/mr.times")
pipe_cpu=$(cpu_median "$work/pipe.times")
mib() { awk -v b="$input_bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

echo
echo "streaming-vs-pipeline: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(java -version 2>&1 | head -n 1)${JAVA_OPTS:+; JAVA_OPTS=$JAVA_OPTS}"
echo "outputs identical in every run (after sorting the job's): $lines lines"
echo
printf '%-36s %10s %12s %10s   %s\n' "program" "median s" "median CPU s" "MiB/s" "wall s of each run"
printf '%-36s %10s %12s %10s   %s\n' "mapreduce streaming (cat, cat)" "$mr_wall" "$mr_cpu" "$(mib "$mr_wall")" \
  "$(list "$work/mr.times")"
printf '%-36s %10s %12s %10s   %s\n' "cat | cat | LC_ALL=C sort | cat" "$pipe_wall" "$pipe_cpu" "$(mib "$pipe_wall")" \
  "$(list "$work/pipe.times")"
echo
awk -v m="$mr_wall" -v p="$pipe_wall" 'BEGIN { printf "ratio of medians, mapreduce / pipeline: %.2f\n", m / p }'
