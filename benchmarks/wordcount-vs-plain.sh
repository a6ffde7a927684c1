#!/usr/bin/env bash
# End-to-end word count on this machine: `bin/mapreduce wordcount` with its default settings
# against io.mapreduce.benchmarks.PlainWordCount (one thread, a UTF-8 Reader and a HashMap), on the
# same generated text. Generates the text once, then alternates the two programs, --runs times each,
# timing whole processes (JVM start included); checks that every pair of runs produced the same
# counts; prints the median wall times and their ratio. Builds nothing; removes its files on exit.
#
#   benchmarks/wordcount-vs-plain.sh [--size 256m] [--files 4] [--runs 3] [--seed 1]
#                                    [--timeout 900] [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 256m = 256 MiB)
#   --files    number of input files (default 4)
#   --runs     runs of each program (default 3)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 900);
#              the whole script takes at most about 2 * runs * timeout plus the generation
#   --tmp      where to put the text and outputs (default $TMPDIR or /tmp); needs about 2 * size free
#
# JAVA_OPTS, if set, is passed to both JVMs. Build first: mvn -B -o package -DskipTests
set -euo pipefail

size=256m
files=4
runs=3
seed=1
timeout_s=900
tmp_base="${TMPDIR:-/tmp}"

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
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
    *) echo "wordcount-vs-plain: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$files" "$runs" "$seed" "$timeout_s"; do
  case "$n" in ''|*[!0-9]*) echo "wordcount-vs-plain: '$n' is not a number" >&2; exit 2 ;; esac
done
if [ "$runs" -lt 1 ] || [ "$files" -lt 1 ]; then
  echo "wordcount-vs-plain: --runs and --files must be at least 1" >&2
  exit 2
fi

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
bench_jar="$root/benchmarks/target/benchmarks.jar"
mr_jar=""
for candidate in "$root"/mapreduce-examples/target/mapreduce-examples-*-all.jar; do
  [ -f "$candidate" ] && mr_jar="$candidate"
done
if [ ! -f "$bench_jar" ] || [ -z "$mr_jar" ]; then
  echo "wordcount-vs-plain: the jars are not built; build them first with:" >&2
  echo "  (cd '$root' && mvn -B -o package -DskipTests)" >&2
  exit 2
fi
for tool in java timeout sort cmp awk df; do
  command -v "$tool" >/dev/null || { echo "wordcount-vs-plain: '$tool' is needed" >&2; exit 2; }
done

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
size_bytes=$(awk -v s="$size" 'BEGIN {
    s = tolower(s); n = s + 0; u = s; sub(/^[0-9]+ */, "", u); sub(/i?b$/, "", u)
    m = (u == "k") ? 2^10 : (u == "m") ? 2^20 : (u == "g") ? 2^30 : (u == "t") ? 2^40 : (u == "") ? 1 : -1
    if (m < 0 || n <= 0) { print -1 } else { printf "%.0f\n", n * m } }')
if [ "$size_bytes" -le 0 ]; then
  echo "wordcount-vs-plain: '$size' is not a size (examples: 64m, 256m, 1g)" >&2
  exit 2
fi
mkdir -p "$tmp_base"
free_kb=$(df -Pk "$tmp_base" | awk 'NR == 2 { print $4 }')
if [ $((free_kb * 1024)) -lt $((2 * size_bytes)) ]; then
  echo "wordcount-vs-plain: $tmp_base has $((free_kb / 1024)) MiB free; $((2 * size_bytes / 1048576)) MiB needed" >&2
  exit 2
fi

work="$(mktemp -d "$tmp_base/wordcount-vs-plain.XXXXXX")"
child=""
exec 3>&2 # the script's stderr, for the trap: it may run while stderr is redirected
cleanup() { rm -rf "$work"; }
interrupted() {
  # The run in progress is a background job (so that this trap runs at once): stop it first.
  if [ -n "$child" ]; then
    kill "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  echo "wordcount-vs-plain: interrupted" >&3
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
      echo "wordcount-vs-plain: $label took longer than ${timeout_s}s and was killed" >&2
    else
      echo "wordcount-vs-plain: $label failed with exit code $rc; its output:" >&2
    fi
    tail -n 20 "$log" >&2
    exit 1
  fi
}

: >"$work/mr.times"
: >"$work/plain.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce wordcount" >&2
  timed "mapreduce wordcount (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work"
  LC_ALL=C sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  rm -rf "$work/mr-out"

  echo "run $i of $runs: PlainWordCount" >&2
  # shellcheck disable=SC2086
  timed "PlainWordCount (run $i)" "$work/plain.times" "$work/plain.log" \
    java ${JAVA_OPTS:-} -cp "$bench_jar" io.mapreduce.benchmarks.PlainWordCount \
    --output "$work/plain.txt" "$work/input"
  LC_ALL=C sort "$work/plain.txt" >"$work/plain.sorted"

  if ! cmp -s "$work/mr.sorted" "$work/plain.sorted"; then
    echo "wordcount-vs-plain: run $i: the outputs differ (< mapreduce, > plain):" >&2
    diff "$work/mr.sorted" "$work/plain.sorted" | head -n 20 >&2 || true
    exit 1
  fi
done

words=$(wc -l <"$work/plain.sorted")
total=$(awk -F'\t' '{ n += $2 } END { printf "%.0f", n }' "$work/plain.sorted")
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
plain_wall=$(median 1 "$work/plain.times")
mr_cpu=$(cpu_median "$work/mr.times")
plain_cpu=$(cpu_median "$work/plain.times")
mib() { awk -v b="$input_bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

echo
echo "wordcount-vs-plain: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(java -version 2>&1 | head -n 1)${JAVA_OPTS:+; JAVA_OPTS=$JAVA_OPTS}"
echo "outputs identical in every run: $words distinct words, $total words in all"
echo
printf '%-28s %10s %12s %10s   %s\n' "program" "median s" "median CPU s" "MiB/s" "wall s of each run"
printf '%-28s %10s %12s %10s   %s\n' "mapreduce wordcount" "$mr_wall" "$mr_cpu" "$(mib "$mr_wall")" \
  "$(list "$work/mr.times")"
printf '%-28s %10s %12s %10s   %s\n' "PlainWordCount" "$plain_wall" "$plain_cpu" "$(mib "$plain_wall")" \
  "$(list "$work/plain.times")"
echo
awk -v m="$mr_wall" -v p="$plain_wall" 'BEGIN { printf "ratio of medians, mapreduce / plain: %.2f\n", m / p }'
