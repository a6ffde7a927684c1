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

# Replaces the common one: stops the whole tree of the run in progress.
bench_stop_child() { bench_stop_tree; }

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"
# GNU sort keeps a line's CR as part of the line; mapreduce ends lines at \n, \r\n or \r and keeps
# no terminator. GenerateText writes \n and \r\n only, so removing a CR before \n makes the inputs
# equal. Done once, untimed: a cost of the comparison, not of either program.
cat "$work"/input/* | sed 's/\r$//' >"$work/gnu-input.txt"
mkdir -p "$work/gnu-tmp"

bench_choose_rss_source "${SORT_VS_GNU_POLL_RSS:-}"

load_before=$(bench_load3)
: >"$work/mr.times"
: >"$work/gnu.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce sort" >&2
  bench_timed_rss "mapreduce sort (run $i)" "$work/mr.times" "$work/mr.log" \
    env JAVA_OPTS="-Xmx${heap_k}k ${JAVA_OPTS:-}" "$root/bin/mapreduce" sort --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work"
  rm -rf "$work/mr-work"

  echo "run $i of $runs: LC_ALL=C sort" >&2
  bench_timed_rss "GNU sort (run $i)" "$work/gnu.times" "$work/gnu.log" \
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
