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
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init wordcount-vs-hadoop

size=256m
files=4
runs=3
seed=1
maps=2
timeout_s=1200
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --maps=maps --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$maps" "$seed" "$timeout_s"
bench_require_positive "--runs, --files and --maps" "$runs" "$files" "$maps"

hadoop_jar="$root/benchmarks/target/benchmarks-hadoop.jar"
bench_require_built "the jars are not built; build them first (this downloads Hadoop)" \
  "mvn -B -Phadoop -pl benchmarks -am package -DskipTests" "$hadoop_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 3

bench_make_work_dir "$tmp_base"
bench_generate_text "$hadoop_jar"

: >"$work/mr.times"
: >"$work/hadoop.times"
load_before=$(bench_load3)
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce wordcount" >&2
  bench_timed "mapreduce wordcount (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work"
  LC_ALL=C sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  rm -rf "$work/mr-out" "$work/mr-work"

  echo "run $i of $runs: HadoopWordCount" >&2
  # shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
  bench_timed "HadoopWordCount (run $i)" "$work/hadoop.times" "$work/hadoop.log" \
    java ${JAVA_OPTS:-} -jar "$hadoop_jar" --input "$work/input" --output "$work/hadoop-out" \
    --work "$work/hadoop-work" --maps "$maps"
  LC_ALL=C sort "$work"/hadoop-out/part-r-* >"$work/hadoop.sorted"
  rm -rf "$work/hadoop-out" "$work/hadoop-work"

  bench_require_same "run $i" "$work/mr.sorted" "$work/hadoop.sorted" "< mapreduce, > Hadoop"
done
load_after=$(bench_load3)

input_bytes=$(bench_input_bytes)
mr_wall=$(bench_median 1 "$work/mr.times")
hadoop_wall=$(bench_median 1 "$work/hadoop.times")

echo
echo "wordcount-vs-hadoop: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating; Hadoop --maps $maps"
echo "$(bench_now); $(bench_machine)"
echo "load average before: $load_before; after: $load_after"
bench_print_word_totals "$work/hadoop.sorted"
echo
bench_print_table_header 28 "program"
bench_print_table_row 28 "mapreduce wordcount" "$work/mr.times"
bench_print_table_row 28 "HadoopWordCount (local)" "$work/hadoop.times"
echo
bench_print_ratio "mapreduce / Hadoop" "$mr_wall" "$hadoop_wall"
