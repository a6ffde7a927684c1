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
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init wordcount-vs-plain

size=256m
files=4
runs=3
seed=1
timeout_s=900
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 2

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"

: >"$work/mr.times"
: >"$work/plain.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce wordcount" >&2
  bench_timed "mapreduce wordcount (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work"
  LC_ALL=C sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  rm -rf "$work/mr-out"

  echo "run $i of $runs: PlainWordCount" >&2
  # shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
  bench_timed "PlainWordCount (run $i)" "$work/plain.times" "$work/plain.log" \
    java ${JAVA_OPTS:-} -cp "$bench_jar" io.mapreduce.benchmarks.PlainWordCount \
    --output "$work/plain.txt" "$work/input"
  LC_ALL=C sort "$work/plain.txt" >"$work/plain.sorted"

  bench_require_same "run $i" "$work/mr.sorted" "$work/plain.sorted" "< mapreduce, > plain"
done

input_bytes=$(bench_input_bytes)
mr_wall=$(bench_median 1 "$work/mr.times")
plain_wall=$(bench_median 1 "$work/plain.times")

echo
echo "wordcount-vs-plain: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating"
echo "$(bench_now); $(bench_machine)"
bench_print_word_totals "$work/plain.sorted"
echo
bench_print_table_header 28 "program"
bench_print_table_row 28 "mapreduce wordcount" "$work/mr.times"
bench_print_table_row 28 "PlainWordCount" "$work/plain.times"
echo
bench_print_ratio "mapreduce / plain" "$mr_wall" "$plain_wall"
