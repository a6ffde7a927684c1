#!/usr/bin/env bash
# Sorting lines on this machine: `bin/mapreduce sort` (default settings, a heap of --heap) against
# `LC_ALL=C sort -S <heap> --parallel=2` (GNU sort, the same memory), on the same generated text.
# Generates the text once (and, once and untimed, a copy with the CR of its CRLF lines removed for GNU
# sort, since mapreduce does not keep line terminators), then alternates the two programs, --runs
# times each, timing whole processes (JVM start included) and their peak resident memory; checks
# after every pair of runs that the outputs are byte for byte the same; prints the medians, their
# ratio and the peak RSS. Builds nothing; removes its files on exit, also on Ctrl-C.
#
#   benchmarks/sort-vs-gnu.sh [--size 1g] [--files 8] [--runs 3] [--heap 256m] [--seed 1]
#                             [--timeout 1800] [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 1g = 1 GiB)
#   --files    number of input files (default 8)
#   --runs     runs of each program (default 3)
#   --heap     memory of each: -Xmx for the JVM, -S for GNU sort (default 256m)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1800)
#   --tmp      where to put the text, outputs and spills (default $TMPDIR or /tmp); needs about
#              7 * size free: the text twice, two outputs, and the spills of each program
#
# JAVA_OPTS, if set, is added after -Xmx<heap> for bin/mapreduce. Peak RSS comes from
# /usr/bin/time -f %M when it exists, else (or with SORT_VS_GNU_POLL_RSS=1) from polling VmHWM in
# /proc every 0.1 s.
# Build first: mvn -B -o package -DskipTests
set -euo pipefail

size=1g
files=8
runs=3
heap=256m
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
    --heap) heap="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --timeout) timeout_s="$2"; shift 2 ;;
    --tmp) tmp_base="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "sort-vs-gnu: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$files" "$runs" "$seed" "$timeout_s"; do
  case "$n" in ''|*[!0-9]*) echo "sort-vs-gnu: '$n' is not a number" >&2; exit 2 ;; esac
done
if [ "$runs" -lt 1 ] || [ "$files" -lt 1 ]; then
  echo "sort-vs-gnu: --runs and --files must be at least 1" >&2
  exit 2
fi

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
bench_jar="$root/benchmarks/target/benchmarks.jar"
mr_jar=""
for candidate in "$root"/mapreduce-examples/target/mapreduce-examples-*-all.jar; do
  [ -f "$candidate" ] && mr_jar="$candidate"
done
if [ ! -f "$bench_jar" ] || [ -z "$mr_jar" ]; then
  echo "sort-vs-gnu: the jars are not built; build them first with:" >&2
  echo "  (cd '$root' && mvn -B -o package -DskipTests)" >&2
  exit 2
fi
for tool in java timeout sort cmp awk df sed; do
  command -v "$tool" >/dev/null || { echo "sort-vs-gnu: '$tool' is needed" >&2; exit 2; }
done
if ! sort --parallel=2 </dev/null >/dev/null 2>&1; then
  echo "sort-vs-gnu: this sort has no --parallel; GNU coreutils sort is needed" >&2
  exit 2
fi

# A size with a binary unit (64m, 1g, 512k, or plain bytes) in bytes, or -1.
to_bytes() {
  awk -v s="$1" 'BEGIN {
    s = tolower(s); n = s + 0; u = s; sub(/^[0-9]+ */, "", u); sub(/i?b$/, "", u)
    m = (u == "k") ? 2^10 : (u == "m") ? 2^20 : (u == "g") ? 2^30 : (u == "t") ? 2^40 : (u == "") ? 1 : -1
    if (m < 0 || n <= 0 || s !~ /^[0-9]/) { print -1 } else { printf "%.0f\n", n * m } }'
}
size_bytes=$(to_bytes "$size")
heap_bytes=$(to_bytes "$heap")
if [ "$size_bytes" -le 0 ]; then
  echo "sort-vs-gnu: '$size' is not a size (examples: 64m, 256m, 1g)" >&2
  exit 2
fi
if [ "$heap_bytes" -lt 16777216 ]; then
  echo "sort-vs-gnu: '$heap' is not a heap size of at least 16m (examples: 64m, 256m, 1g)" >&2
  exit 2
fi
# The same number of KiB for both programs (the JVM and GNU sort both read a K suffix as KiB).
heap_k=$((heap_bytes / 1024))

# Refuse early rather than fill a shared disk.
mkdir -p "$tmp_base"
free_kb=$(df -Pk "$tmp_base" | awk 'NR == 2 { print $4 }')
if [ $((free_kb * 1024)) -lt $((7 * size_bytes)) ]; then
  echo "sort-vs-gnu: $tmp_base has $((free_kb / 1024)) MiB free; $((7 * size_bytes / 1048576)) MiB needed" >&2
  exit 2
fi

work="$(mktemp -d "$tmp_base/sort-vs-gnu.XXXXXX")"
child=""
exec 3>&2 # the script's stderr, for the trap: it may run while stderr is redirected
cleanup() { rm -rf "$work"; }
# A process and its descendants, parents first.
tree_pids() {
  local pids="$1" p next
  while [ -n "$pids" ]; do
    echo "$pids"
    next=""
    for p in $pids; do
      next="$next $(cat /proc/"$p"/task/*/children 2>/dev/null || true)"
    done
    pids="$(echo $next)"
  done
}
interrupted() {
  # The run in progress is a background job (so that this trap runs at once). Stop all of it, and
  # wait until it is gone: /usr/bin/time does not pass signals on, and a JVM still shutting down
  # would recreate its work directory after the cleanup.
  if [ -n "$child" ]; then
    local pids n=0
    pids="$(tree_pids "$child")"
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null || true
    # shellcheck disable=SC2086
    while kill -0 $pids 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  echo "sort-vs-gnu: interrupted" >&3
  exit 130
}
trap cleanup EXIT
trap interrupted INT TERM HUP

# shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
java ${JAVA_OPTS:-} -cp "$bench_jar" io.mapreduce.benchmarks.GenerateText \
  --size "$size" --files "$files" --seed "$seed" --out "$work/input"
# GNU sort keeps a line's CR as part of the line; mapreduce ends lines at \n, \r\n or \r and keeps
# no terminator. GenerateText writes \n and \r\n only, so removing a CR before \n makes the inputs
# equal. Done once, untimed: a cost of the comparison, not of either program.
cat "$work"/input/* | sed 's/\r$//' >"$work/gnu-input.txt"
mkdir -p "$work/gnu-tmp"

if [ -z "${SORT_VS_GNU_POLL_RSS:-}" ] && [ -x /usr/bin/time ] && /usr/bin/time -f '%e' true 2>/dev/null; then
  rss_source="/usr/bin/time -f %M"
else
  rss_source="VmHWM polled from /proc every 0.1 s"
fi

# Largest VmHWM (KiB) among a process and its descendants, now.
tree_hwm() {
  local p max=0 v
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmHWM:/ { print $2 }' /proc/"$p"/status 2>/dev/null || true)
    [ -n "$v" ] && [ "$v" -gt "$max" ] && max=$v
  done
  echo "$max"
}

# Runs a command under the timeout with its output in a log; appends "wall user sys maxrss_kib" to $2.
timed() {
  local label="$1" times="$2" log="$3"
  shift 3
  local rc=0
  if [ "$rss_source" = "/usr/bin/time -f %M" ]; then
    # GNU time's %M is the largest peak RSS of the process it waits for and of their descendants.
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.out" timeout "$timeout_s" "$@" >"$log" 2>&1 &
    child=$!
    wait "$child" || rc=$?
    child=""
    [ "$rc" -eq 0 ] && tail -n 1 "$work/time.out" >>"$times"
  else
    local start end hwm=0 h cpu
    start=$(date +%s.%N)
    timeout "$timeout_s" "$@" >"$log" 2>&1 &
    child=$!
    while kill -0 "$child" 2>/dev/null; do
      h=$(tree_hwm "$child")
      [ "$h" -gt "$hwm" ] && hwm=$h
      sleep 0.1
    done
    wait "$child" || rc=$?
    child=""
    end=$(date +%s.%N)
    # The CPU of reaped children (this script's included, a small overestimate) from bash's times.
    times >"$work/times.out" # a builtin run in this shell: a subshell would see no children
    cpu=$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m");
      printf "%.3f %.3f", u[1] * 60 + u[2], s[1] * 60 + s[2] }' "$work/times.out")
    echo "$start $end $cpu $hwm" | awk -v prev="${cpu_prev:-0 0}" '{
      split(prev, p, " "); printf "%.3f %.3f %.3f %d\n", $2 - $1, $3 - p[1], $4 - p[2], $5 }' >>"$times"
    cpu_prev="$cpu"
  fi
  if [ "$rc" -ne 0 ]; then
    if [ "$rc" -eq 124 ]; then
      echo "sort-vs-gnu: $label took longer than ${timeout_s}s and was killed" >&2
    else
      echo "sort-vs-gnu: $label failed with exit code $rc; its output:" >&2
    fi
    tail -n 20 "$log" >&2
    exit 1
  fi
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/mr.times"
: >"$work/gnu.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce sort" >&2
  # shellcheck disable=SC2086
  timed "mapreduce sort (run $i)" "$work/mr.times" "$work/mr.log" \
    env JAVA_OPTS="-Xmx${heap_k}k ${JAVA_OPTS:-}" "$root/bin/mapreduce" sort --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work"
  rm -rf "$work/mr-work"

  echo "run $i of $runs: LC_ALL=C sort" >&2
  timed "GNU sort (run $i)" "$work/gnu.times" "$work/gnu.log" \
    env LC_ALL=C sort -S "${heap_k}K" --parallel=2 -T "$work/gnu-tmp" -o "$work/gnu-out.txt" "$work/gnu-input.txt"

  if ! cat "$work"/mr-out/mr-out-* | cmp -s - "$work/gnu-out.txt"; then
    echo "sort-vs-gnu: run $i: the outputs differ (< mapreduce, > GNU sort):" >&2
    cat "$work"/mr-out/mr-out-* | diff - "$work/gnu-out.txt" | head -n 20 >&2 || true
    exit 1
  fi
  lines=$(wc -l <"$work/gnu-out.txt")
  rm -rf "$work/mr-out" "$work/gnu-out.txt"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

input_bytes=$(cat "$work"/input/* | wc -c)

# median of column $1 of a file of "wall user sys rss" lines
median() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
cpu_median() {
  awk '{ print $2 + $3 }' "$1" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.2f", v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rss_max() { awk '$4 > m { m = $4 } END { printf "%.0f", m / 1024 }' "$1"; }
rss_median() { median 4 "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
list() { awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$1"; }

mr_wall=$(median 1 "$work/mr.times")
gnu_wall=$(median 1 "$work/gnu.times")
mib() { awk -v b="$input_bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'; }

echo
echo "sort-vs-gnu: $input_bytes bytes, $lines lines in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating; heap $heap"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; $(java -version 2>&1 | head -n 1)${JAVA_OPTS:+; JAVA_OPTS=$JAVA_OPTS}"
echo "load average before: $load_before; after: $load_after; peak RSS from $rss_source"
echo "outputs byte for byte identical in every run"
echo
printf '%-44s %9s %13s %7s %18s   %s\n' "program" "median s" "median CPU s" "MiB/s" "peak RSS MiB med/max" \
  "wall s of each run"
printf '%-44s %9s %13s %7s %18s   %s\n' "JAVA_OPTS=-Xmx$heap bin/mapreduce sort" "$mr_wall" \
  "$(cpu_median "$work/mr.times")" "$(mib "$mr_wall")" "$(rss_median "$work/mr.times")/$(rss_max "$work/mr.times")" \
  "$(list "$work/mr.times")"
printf '%-44s %9s %13s %7s %18s   %s\n' "LC_ALL=C sort -S $heap --parallel=2" "$gnu_wall" \
  "$(cpu_median "$work/gnu.times")" "$(mib "$gnu_wall")" "$(rss_median "$work/gnu.times")/$(rss_max "$work/gnu.times")" \
  "$(list "$work/gnu.times")"
echo
awk -v m="$mr_wall" -v g="$gnu_wall" 'BEGIN { printf "ratio of medians, mapreduce / GNU sort: %.2f\n", m / g }'
