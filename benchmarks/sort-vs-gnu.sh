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
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init sort-vs-gnu

size=1g
files=8
runs=3
heap=256m
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --heap=heap --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df sed
if ! sort --parallel=2 </dev/null >/dev/null 2>&1; then
  bench_fail "this sort has no --parallel; GNU coreutils sort is needed"
fi

bench_parse_size "$size"
heap_bytes=$(bench_to_bytes "$heap")
if [ "$heap_bytes" -lt 16777216 ]; then
  bench_fail "'$heap' is not a heap size of at least 16m (examples: 64m, 256m, 1g)"
fi
# The same number of KiB for both programs (the JVM and GNU sort both read a K suffix as KiB).
heap_k=$((heap_bytes / 1024))

# Refuse early rather than fill a shared disk: the text twice, two outputs, and the spills of each.
bench_require_free_space "$tmp_base" 7

# A process and its descendants, parents first.
tree_pids() {
  local pids="$1" p next
  while [ -n "$pids" ]; do
    echo "$pids"
    next=""
    for p in $pids; do
      next="$next $(cat /proc/"$p"/task/*/children 2>/dev/null || true)"
    done
    # shellcheck disable=SC2086,SC2116 # word splitting joins the pids on one line
    pids="$(echo $next)"
  done
}
# Replaces the common one: stops the whole tree of the run in progress, and waits until it is gone:
# /usr/bin/time does not pass signals on, and a JVM still shutting down would recreate its work
# directory after the cleanup.
bench_stop_child() {
  local pids n=0
  pids="$(tree_pids "$child")"
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  while kill -0 $pids 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  wait "$child" 2>/dev/null || true
}

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"
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
  bench_check_run "$rc" "$label" "$log"
}

load_before=$(bench_load3)
: >"$work/mr.times"
: >"$work/gnu.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce sort" >&2
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
load_after=$(bench_load3)

input_bytes=$(bench_input_bytes)

# Peak RSS in MiB, the largest or the median, of a file of "wall user sys rss" lines.
rss_max() { awk '$4 > m { m = $4 } END { printf "%.0f", m / 1024 }' "$1"; }
rss_median() { bench_median 4 "$1" | awk '{ printf "%.0f", $1 / 1024 }'; }
# A results row: program $1, its times file $2.
row() {
  local wall
  wall=$(bench_median 1 "$2")
  printf '%-44s %9s %13s %7s %18s   %s\n' "$1" "$wall" "$(bench_cpu_median "$2")" "$(bench_mib "$wall")" \
    "$(rss_median "$2")/$(rss_max "$2")" "$(bench_list "$2")"
}

echo
echo "sort-vs-gnu: $input_bytes bytes, $lines lines in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating; heap $heap"
echo "$(bench_now); $(bench_machine)"
echo "load average before: $load_before; after: $load_after; peak RSS from $rss_source"
echo "outputs byte for byte identical in every run"
echo
printf '%-44s %9s %13s %7s %18s   %s\n' "program" "median s" "median CPU s" "MiB/s" "peak RSS MiB med/max" \
  "wall s of each run"
row "JAVA_OPTS=-Xmx$heap bin/mapreduce sort" "$work/mr.times"
row "LC_ALL=C sort -S $heap --parallel=2" "$work/gnu.times"
echo
bench_print_ratio "mapreduce / GNU sort" "$(bench_median 1 "$work/mr.times")" "$(bench_median 1 "$work/gnu.times")"
