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
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init streaming-vs-pipeline

size=1g
files=8
runs=3
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df cat

# Refuse early rather than fill a shared disk: the text, intermediate files, two outputs and a sorted copy.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 5

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"

: >"$work/mr.times"
: >"$work/pipe.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce streaming" >&2
  bench_timed "mapreduce streaming (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" streaming --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work" \
    --mapper cat --reducer cat
  rm -f "$work/pipe.txt"

  echo "run $i of $runs: cat | cat | LC_ALL=C sort | cat" >&2
  # sort's temporary files go under $work too, so that --tmp decides where every byte lands.
  # shellcheck disable=SC2016 # $1 is expanded by sh -c
  bench_timed "the pipeline (run $i)" "$work/pipe.times" "$work/pipe.log" \
    sh -c 'cat "$1"/input/* | cat | LC_ALL=C TMPDIR="$1" sort | cat > "$1/pipe.txt"' sh "$work"

  # The job's output is sorted by key only (values of one key in any order): sort it to compare.
  LC_ALL=C TMPDIR="$work" sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  rm -rf "$work/mr-out"
  bench_require_same "run $i" "$work/mr.sorted" "$work/pipe.txt" "< mapreduce, > pipeline"
  rm -f "$work/mr.sorted"
done

lines=$(wc -l <"$work/pipe.txt")
input_bytes=$(bench_input_bytes)
mr_wall=$(bench_median 1 "$work/mr.times")
pipe_wall=$(bench_median 1 "$work/pipe.times")

echo
echo "streaming-vs-pipeline: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating"
echo "$(bench_now); $(bench_machine)"
echo "outputs identical in every run (after sorting the job's): $lines lines"
echo
bench_print_table_header 36 "program"
bench_print_table_row 36 "mapreduce streaming (cat, cat)" "$work/mr.times"
bench_print_table_row 36 "cat | cat | LC_ALL=C sort | cat" "$work/pipe.times"
echo
bench_print_ratio "mapreduce / pipeline" "$mr_wall" "$pipe_wall"
