#!/usr/bin/env bash
# Word count against Hadoop's local job runner: `bin/mapreduce wordcount` with its default settings
# against io.mapreduce.benchmarks.hadoop.HadoopWordCount (Hadoop MapReduce in one JVM: the same
# tokenization, a combiner, one reduce task, --maps map tasks at once), on the same generated text.
# Generates the text once, then alternates the two programs, --runs times each, timing whole
# processes (JVM start included); checks that every pair of runs produced the same counts; prints
# the median wall times and their ratio. Builds nothing; removes its files on exit, also on Ctrl-C.
#
#   benchmarks/wordcount-vs-hadoop.sh [--size 256m] [--files 4] [--runs 3] [--maps 2] [--seed 1]
#                                     [--timeout 1200] [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 256m = 256 MiB)
#   --files    number of input files (default 4)
#   --runs     runs of each program (default 3)
#   --maps     Hadoop's mapreduce.local.map.tasks.maximum, its map tasks at once (default 2, this
#              machine's CPUs; mapreduce runs as many as there are processors by default)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1200);
#              the whole script takes at most about 2 * runs * timeout plus the generation
#   --tmp      where to put the text, outputs and Hadoop's files (default $TMPDIR or /tmp); needs
#              about 3 * size free
#
# Both sides split the input at 64 MiB (mapreduce's default; HadoopWordCount sets Hadoop's minimum
# split size to it, since Hadoop's default on local files is 32 MiB), so they run the same map tasks.
# JAVA_OPTS, if set, is passed to both JVMs. Build first, online the first time (Hadoop is large):
#   mvn -B -Phadoop -pl benchmarks -am package -DskipTests
set -euo pipefail

size=256m
files=4
runs=3
seed=1
maps=2
timeout_s=1200
tmp_base="${TMPDIR:-/tmp}"

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --maps) maps="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --tmp) tmp_base="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "wordcount-vs-hadoop: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$files" "$runs" "$maps" "$seed" "$timeout_s"; do
  case "$n" in ''|*[!0-9]*) echo "wordcount-vs-hadoop: '$n' is not a number" >&2; exit 2 ;; esac
done
if [ "$runs" -lt 1 ] || [ "$files" -lt 1 ] || [ "$maps" -lt 1 ]; then
  echo "wordcount-vs-hadoop: --runs, --files and --maps must be at least 1" >&2
  exit 2
fi

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
hadoop_jar="$root/benchmarks/target/benchmarks-hadoop.jar"
mr_jar=""
for candidate in "$root"/mapreduce-examples/target/mapreduce-examples-*-all.jar; do
  [ -f "$candidate" ] && mr_jar="$candidate"
done
if [ ! -f "$hadoop_jar" ] || [ -z "$mr_jar" ]; then
  echo "wordcount-vs-hadoop: the jars are not built; build them first (this downloads Hadoop) with:" >&2
  echo "  (cd '$root' && mvn -B -Phadoop -pl benchmarks -am package -DskipTests)" >&2
  exit 2
fi
for tool in java timeout sort cmp awk df; do
  command -v "$tool" >/dev/null || { echo "wordcount-vs-hadoop: '$tool' is needed" >&2; exit 2; }
done

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
size_bytes=$(awk -v s="$size" 'BEGIN {
    s = tolower(s); n = s + 0; u = s; sub(/^[0-9]+ */, "", u); sub(/i?b$/, "", u)
    m = (u == "k") ? 2^10 : (u == "m") ? 2^20 : (u == "g") ? 2^30 : (u == "t") ? 2^40 : (u == "") ? 1 : -1
    if (m < 0 || n <= 0) { print -1 } else { printf "%.0f\n", n * m } }')
if [ "$size_bytes" -le 0 ]; then
  echo "wordcount-vs-hadoop: '$size' is not a size (examples: 64m, 256m, 1g)" >&2
  exit 2
fi
mkdir -p "$tmp_base"
free_kb=$(df -Pk "$tmp_base" | awk 'NR == 2 { print $4 }')
if [ $((free_kb * 1024)) -lt $((3 * size_bytes)) ]; then
  echo "wordcount-vs-hadoop: $tmp_base has $((free_kb / 1024)) MiB free; $((3 * size_bytes / 1048576)) MiB needed" >&2
  exit 2
fi

work="$(mktemp -d "$tmp_base/wordcount-vs-hadoop.XXXXXX")"
child=""
exec 3>&2 # the script's stderr, for the trap: it may run while stderr is redirected
cleanup() { rm -rf "$work"; }
interrupted() {
  # The run in progress is a background job (so that this trap runs at once): stop it first.
  if [ -n "$child" ]; then
    kill "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  echo "wordcount-vs-hadoop: interrupted" >&3
  exit 130
}
trap cleanup EXIT
trap interrupted INT TERM HUP

# shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
java ${JAVA_OPTS:-} -cp "$hadoop_jar" io.mapreduce.benchmarks.GenerateText \
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
      echo "wordcount-vs-hadoop: $label took longer than ${timeout_s}s and was killed" >&2
    else
      echo "wordcount-vs-hadoop: $label failed with exit code $rc; its output:" >&2
    fi
    tail -n 20 "$log" >&2
    exit 1
  fi
}

: >"$work/mr.times"
: >"$work/hadoop.times"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce wordcount" >&2
  timed "mapreduce wordcount (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work"
  LC_ALL=C sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  rm -rf "$work/mr-out" "$work/mr-work"

  echo "run $i of $runs: HadoopWordCount" >&2
  # shellcheck disable=SC2086
  timed "HadoopWordCount (run $i)" "$work/hadoop.times" "$work/hadoop.log" \
    java ${JAVA_OPTS:-} -jar "$hadoop_jar" --input "$work/input" --output "$work/hadoop-out" \
    --work "$work/hadoop-work" --maps "$maps"
  LC_ALL=C sort "$work"/hadoop-out/part-r-* >"$work/hadoop.sorted"
  rm -rf "$work/hadoop-out" "$work/hadoop-work"

  if ! cmp -s "$work/mr.sorted" "$work/hadoop.sorted"; then
    echo "wordcount-vs-hadoop: run $i: the outputs differ (< mapreduce, > Hadoop):" >&2
    diff "$work/mr.sorted" "$work/hadoop.sorted" | head -n 20 >&2 || true
    exit 1
  fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

words=$(wc -l <"$work/hadoop.sorted")
total=$(awk -F'\t' '{ n += $2 } END { printf "%.0f", n }' "$work/hadoop.sorted")
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
hadoop_wall=$(median 1 "$work/hadoop.times")
mr_cpu=$(cpu_median "$work/mr.times")
hadoop_cpu=$(cpu_median "$work/hadoop.times")
mib() { awk -v b="$input_bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

echo
echo "wordcount-vs-hadoop: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating; Hadoop --maps $maps"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(java -version 2>&1 | head -n 1)${JAVA_OPTS:+; JAVA_OPTS=$JAVA_OPTS}"
echo "load average before: $load_before; after: $load_after"
echo "outputs identical in every run: $words distinct words, $total words in all"
echo
printf '%-28s %10s %12s %10s   %s\n' "program" "median s" "median CPU s" "MiB/s" "wall s of each run"
printf '%-28s %10s %12s %10s   %s\n' "mapreduce wordcount" "$mr_wall" "$mr_cpu" "$(mib "$mr_wall")" \
  "$(list "$work/mr.times")"
printf '%-28s %10s %12s %10s   %s\n' "HadoopWordCount (local)" "$hadoop_wall" "$hadoop_cpu" "$(mib "$hadoop_wall")" \
  "$(list "$work/hadoop.times")"
echo
awk -v m="$mr_wall" -v h="$hadoop_wall" 'BEGIN { printf "ratio of medians, mapreduce / Hadoop: %.2f\n", m / h }'
