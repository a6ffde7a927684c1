#!/usr/bin/env bash
# Word count of gzipped input against the same text uncompressed, on this machine: `bin/mapreduce
# wordcount` with its default settings on a directory of generated text, and on a directory of the
# same files compressed with the `gzip` program (`gzip -6`, its default level; each .gz file is one
# split, read whole by one map task). Generates the text once and gzips each file once, one file at
# a time (timed and printed, but not part of the comparison); then alternates the two inputs, --runs
# times each (plain first in odd rounds, gzipped first in even ones), timing whole processes (JVM
# start included); checks that every run produced the same counts as the first; prints the median
# wall and CPU times and their ratios gz / plain. Builds nothing; removes its files on exit, also on
# Ctrl-C.
#
#   benchmarks/wordcount-gzip.sh [--size 1g] [--files 16] [--runs 3] [--seed 1]
#                                [--timeout 1800] [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 1g = 1 GiB)
#   --files    number of input files, so of .gz files (default 16; the issue's 1.3x measurement needs 8 or more)
#   --runs     runs on each input (default 3)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run (and to the compression) before it is killed and the
#              script fails (default 1800); the whole script takes at most about
#              (2 * runs + 1) * timeout plus the generation
#   --tmp      where to put the text, its gzipped copy and the outputs (default $TMPDIR or /tmp);
#              needs about 3 * size free
#
# JAVA_OPTS, if set, is passed to every JVM. Build first: mvn -B -o package -DskipTests
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init wordcount-gzip

size=1g
files=16
runs=3
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java gzip timeout sort cmp awk paste df

# Refuse early rather than fill a shared disk: the text, its gzipped copy (smaller than the text),
# plus a margin for spills and outputs.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 3

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"

# One gzip process at a time, at gzip's default level, as a user compressing the files would.
mkdir "$work/input-gz"
: >"$work/gzip.times"
echo "compressing $files files with gzip -6" >&2
# shellcheck disable=SC2016 # the inner script's variables are its own, expanded by the inner bash.
bench_timed "gzip" "$work/gzip.times" "$work/gzip.log" \
  bash -c 'for f in "$1"/*; do gzip -6 -c "$f" >"$2/${f##*/}.gz" || exit; done' gzip-all \
  "$work/input" "$work/input-gz"

# Runs `bin/mapreduce wordcount` on input directory $2 (mode $1: plain or gz, run $3), appends its
# times to $work/$1.times and leaves its sorted output in $work/$1.sorted.
run_wordcount() {
  local mode="$1" input="$2" i="$3"
  echo "run $i of $runs: mapreduce wordcount, $mode input" >&2
  bench_timed "mapreduce wordcount, $mode (run $i)" "$work/$mode.times" "$work/$mode.log" \
    "$root/bin/mapreduce" wordcount --input "$input" --output "$work/$mode-out" --work-dir "$work/mr-work"
  LC_ALL=C sort "$work/$mode-out"/mr-out-* >"$work/$mode.sorted"
  rm -rf "$work/$mode-out" "$work/mr-work"
}

load_before=$(bench_load3)
started="$(bench_now)"

: >"$work/plain.times"
: >"$work/gz.times"
for i in $(seq 1 "$runs"); do
  if [ $((i % 2)) -eq 1 ]; then
    run_wordcount plain "$work/input" "$i"
    run_wordcount gz "$work/input-gz" "$i"
  else
    run_wordcount gz "$work/input-gz" "$i"
    run_wordcount plain "$work/input" "$i"
  fi
  if [ "$i" -eq 1 ]; then cp "$work/plain.sorted" "$work/reference.sorted"; fi
  bench_require_same "run $i, plain" "$work/reference.sorted" "$work/plain.sorted" "< plain run 1, > plain run $i"
  bench_require_same "run $i, gz" "$work/reference.sorted" "$work/gz.sorted" "< plain run 1, > gz run $i"
done
load_after=$(bench_load3)

input_bytes=$(bench_input_bytes)
gz_bytes=$(bench_dir_bytes "$work/input-gz")
plain_wall=$(bench_median 1 "$work/plain.times")
gz_wall=$(bench_median 1 "$work/gz.times")
plain_cpu=$(bench_cpu_median "$work/plain.times")
gz_cpu=$(bench_cpu_median "$work/gz.times")

echo
echo "wordcount-gzip: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating"
echo "gzipped with gzip -6, one file at a time: $gz_bytes bytes" \
  "($(awk -v g="$gz_bytes" -v b="$input_bytes" 'BEGIN { printf "%.1f%%", 100 * g / b }') of the text)," \
  "in $(awk '{ printf "%.2f s wall, %.2f s CPU", $1, $2 + $3 }' "$work/gzip.times") (not part of the comparison)"
echo "started $started; $(bench_machine); $(bench_cpu_model)"
echo "load average before $load_before, after $load_after"
bench_print_word_totals "$work/reference.sorted"
[ "$files" -ge 8 ] || echo "note: fewer than 8 files; the issue's measurement asks for 8 or more"
echo
echo "MiB/s: of the uncompressed text, for both inputs"
bench_print_table_header 32 "mapreduce wordcount, input"
bench_print_table_row 32 "plain ($files files)" "$work/plain.times"
bench_print_table_row 32 "gzipped ($files .gz files)" "$work/gz.times"
echo
echo "median user CPU s: plain $(bench_median 2 "$work/plain.times"), gz $(bench_median 2 "$work/gz.times");" \
  "median system CPU s: plain $(bench_median 3 "$work/plain.times"), gz $(bench_median 3 "$work/gz.times")"
bench_print_run_ratios "gz / plain (wall)" "$work/gz.times" "$work/plain.times"
bench_print_ratio "gz / plain (wall)" "$gz_wall" "$plain_wall"
bench_print_ratio "gz / plain (CPU)" "$gz_cpu" "$plain_cpu"
