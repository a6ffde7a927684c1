#!/usr/bin/env bash
# Word count, every contender on the same generated text (issue 17's harness): the plain Java
# baselines, `bin/mapreduce wordcount` embedded and with --local-workers, Spark in local mode and
# Hadoop's local job runner. Generates the text once, then runs --runs rounds; each round runs every
# contender once, in turn, timing whole processes (JVM start included) with their user CPU and peak
# resident memory, and checks that each one's counts (sorted) equal those of the round's first
# contender. Prints per program the medians and the ratios of the median wall times to the two
# plain baselines. Builds nothing; removes its files on exit, also on Ctrl-C.
#
#   benchmarks/wordcount-all.sh [--size 1g] [--files 16] [--runs 3] [--threads 2] [--seed 1]
#                               [--contenders LIST] [--timeout 1800] [--tmp DIR]
#
#   --size        text to generate, with a binary unit (default 1g = 1 GiB)
#   --files       number of input files (default 16)
#   --runs        rounds (default 3)
#   --threads     the parallelism of the parallel contenders (default 2, this machine's CPUs):
#                 PlainWordCountBytes --threads, --local-workers, Spark local[N], Hadoop --maps
#   --seed        GenerateText's seed (default 1)
#   --contenders  comma-separated, in the order they run (default all of them, in this order):
#                   plain       PlainWordCount: one thread, a UTF-8 Reader and a HashMap (the
#                               idiomatic baseline)
#                   bytes       PlainWordCountBytes: N threads over bytes, own UTF-8 decoding, a
#                               table keyed by bytes (the hand-tuned floor)
#                   mr          bin/mapreduce wordcount, its defaults (the engine in the CLI's JVM)
#                   user        UserWordCount: the README's first example (a Mapper<String, Long>
#                               and a Reducer summing Iterable<Long>) run embedded, not the fast path
#                   mr-workers  bin/mapreduce wordcount --local-workers N (a master and N worker JVMs)
#                   spark       SparkWordCount: Spark local[N], Java API, reduceByKey
#                   hadoop      HadoopWordCount: Hadoop's local job runner, a combiner, N maps at once
#                 By default spark and hadoop are skipped, with a note, when their jars are not
#                 built; named in --contenders, they must be.
#   --timeout     seconds allowed to each run before it is killed and the script fails (default
#                 1800); the whole script takes at most about runs * contenders * timeout
#   --tmp         where to put the text, outputs and spills (default $TMPDIR or /tmp); needs about
#                 3 * size free
#
# CPU is user seconds (the table) and user + sys (the raw lines) of the process and every
# descendant it waited for: GNU time's, through timeout, bin/mapreduce's JVM and its worker JVMs.
# Peak RSS is the largest of any one of those processes (GNU time's %M; VmHWM polled every 0.1 s
# without GNU time); for mr-workers "sum RSS" adds the largest total of its processes together,
# polled every 0.2 s. Ratios are of median wall times. JAVA_OPTS, if set, is passed to every JVM.
# Build first (the spark and hadoop jars only on request, online the first time: both are large):
#   mvn -B -o package -DskipTests
#   mvn -B -Pspark -pl benchmarks -am package -DskipTests     # target/benchmarks-spark.jar
#   mvn -B -Phadoop -pl benchmarks -am package -DskipTests    # target/benchmarks-hadoop.jar
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init wordcount-all

size=1g
files=16
runs=3
threads=2
seed=1
contenders=""
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"
all_contenders="plain bytes mr user mr-workers spark hadoop"

bench_parse_args "--size=size --files=files --runs=runs --threads=threads --seed=seed \
  --contenders=contenders --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$threads" "$seed" "$timeout_s"
bench_require_positive "--runs, --files and --threads" "$runs" "$files" "$threads"

spark_jar="$root/benchmarks/target/benchmarks-spark.jar"
hadoop_jar="$root/benchmarks/target/benchmarks-hadoop.jar"
spark_build="mvn -B -Pspark -pl benchmarks -am package -DskipTests"
hadoop_build="mvn -B -Phadoop -pl benchmarks -am package -DskipTests"
bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df

# The contenders to run, in order; those skipped for want of a jar, with why.
run_list=""
skipped=()
if [ -z "$contenders" ]; then
  for c in $all_contenders; do
    if [ "$c" = spark ] && [ ! -f "$spark_jar" ]; then
      skipped+=("spark: skipped: build with -Pspark ($spark_build)")
    elif [ "$c" = hadoop ] && [ ! -f "$hadoop_jar" ]; then
      skipped+=("hadoop: skipped: build with -Phadoop ($hadoop_build)")
    else
      run_list="$run_list $c"
    fi
  done
else
  for c in ${contenders//,/ }; do
    case " $all_contenders " in
      *" $c "*) ;;
      *) bench_fail "--contenders: unknown contender '$c' (known: ${all_contenders// /, })" ;;
    esac
    case " $run_list " in *" $c "*) bench_fail "--contenders: '$c' is named twice" ;; esac
    [ "$c" = spark ] && bench_require_built "the Spark jar is not built; build it (this downloads Spark)" \
      "$spark_build" "$spark_jar"
    [ "$c" = hadoop ] && bench_require_built "the Hadoop jar is not built; build it (this downloads Hadoop)" \
      "$hadoop_build" "$hadoop_jar"
    run_list="$run_list $c"
  done
  [ -n "$run_list" ] || bench_fail "--contenders names none"
fi

for s in "${skipped[@]}"; do echo "$bench: $s" >&2; done

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 3

# Runs of several processes (mr-workers, /usr/bin/time) are stopped as a whole on Ctrl-C.
bench_stop_child() { bench_stop_tree; }
bench_choose_rss_source ""

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"

# The row label of a contender.
label_of() {
  case "$1" in
    plain) echo "PlainWordCount, 1 thread" ;;
    bytes) echo "PlainWordCountBytes, $threads threads" ;;
    mr) echo "mapreduce wordcount (embedded)" ;;
    user) echo "user-style job, embedded (UserWordCount)" ;;
    mr-workers) echo "mapreduce wordcount --local-workers $threads" ;;
    spark) echo "Spark local[$threads] (SparkWordCount)" ;;
    hadoop) echo "Hadoop local runner, $threads maps" ;;
  esac
}

# Runs contender $1 in round $2, timed into $work/$1.times, and leaves its counts, sorted, in
# $work/$1.sorted.
run_contender() {
  local c="$1" i="$2" out="$work/out-$1"
  local log="$work/$c.log"
  rm -rf "$out" "$work/scratch"
  mkdir -p "$out"
  bench_rss_sum=0
  # shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
  case "$c" in
    plain)
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" java ${JAVA_OPTS:-} -cp "$bench_jar" \
        io.mapreduce.benchmarks.PlainWordCount --output "$out/counts.txt" "$work/input" ;;
    bytes)
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" java ${JAVA_OPTS:-} -cp "$bench_jar" \
        io.mapreduce.benchmarks.PlainWordCountBytes --threads "$threads" --output "$out/counts.txt" "$work/input" ;;
    mr)
      rmdir "$out"
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" "$root/bin/mapreduce" wordcount \
        --input "$work/input" --output "$out" --work-dir "$work/scratch" ;;
    user)
      rmdir "$out"
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" java ${JAVA_OPTS:-} -cp "$bench_jar" \
        io.mapreduce.benchmarks.UserWordCount --output "$out" --work-dir "$work/scratch" "$work/input" ;;
    mr-workers)
      rmdir "$out"
      bench_rss_sum=1
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" "$root/bin/mapreduce" wordcount \
        --local-workers "$threads" --input "$work/input" --output "$out" --work-dir "$work/scratch" ;;
    spark)
      rmdir "$out"
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" env SPARK_LOCAL_IP=127.0.0.1 \
        java ${JAVA_OPTS:-} -jar "$spark_jar" --input "$work/input" --output "$out" --work "$work/scratch" \
        --master "local[$threads]" --partitions "$threads" ;;
    hadoop)
      rmdir "$out"
      bench_timed_rss "$c (round $i)" "$work/$c.times" "$log" java ${JAVA_OPTS:-} -jar "$hadoop_jar" \
        --input "$work/input" --output "$out" --work "$work/scratch" --maps "$threads" ;;
  esac
  # Every contender's files of counts, and nothing else: mr-out-*, part-*, counts.txt.
  find "$out" -type f \( -name 'mr-out-*' -o -name 'part-*' -o -name 'counts.txt' \) -print0 \
    | xargs -0 -r cat | LC_ALL=C sort >"$work/$c.sorted"
  rm -rf "$out" "$work/scratch"
}

for c in $run_list; do : >"$work/$c.times"; done
load_before=$(bench_load3)
reference=""
for i in $(seq 1 "$runs"); do
  first=""
  for c in $run_list; do
    echo "round $i of $runs: $(label_of "$c")" >&2
    run_contender "$c" "$i"
    if [ -z "$first" ]; then
      first="$c"
      [ -s "$work/$c.sorted" ] || { echo "$bench: round $i: $c counted no words" >&2; exit 1; }
    else
      bench_require_same "round $i, $c" "$work/$first.sorted" "$work/$c.sorted" "< $first, > $c"
    fi
  done
  reference="$first"
done
load_after=$(bench_load3)

input_bytes=$(bench_input_bytes)
median_of_col() { awk -v c="$2" '{ print $c }' "$work/$1.times" | bench_median_of "$3"; }
ratio_to() {
  case " $run_list " in
    *" $2 "*) awk -v a="$1" -v b="$(median_of_col "$2" 1 '%.4f')" 'BEGIN { printf "%.2f", a / b }' ;;
    *) echo "-" ;;
  esac
}

echo
echo "wordcount-all: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs round(s), each contender once a round, in turn; --threads $threads"
echo "$(bench_now); $(bench_machine); $(bench_cpu_model)"
echo "load average before: $load_before; after: $load_after; peak RSS from $rss_source"
bench_print_word_totals "$work/$reference.sorted"
for s in "${skipped[@]}"; do echo "$s"; done
echo
fmt="%-42s %8s %7s %7s %8s %8s %8s   %s\n"
# shellcheck disable=SC2059 # the format is the table's, above
printf "$fmt" "program" "wall s" "/plain" "/bytes" "user s" "RSS MiB" "sum MiB" "wall s of each round"
for c in $run_list; do
  wall=$(median_of_col "$c" 1 '%.4f')
  sum="-"
  [ "$c" = mr-workers ] && sum=$(median_of_col "$c" 5 '%.0f' | awk '{ printf "%.0f", $1 / 1024 }')
  # shellcheck disable=SC2059
  printf "$fmt" "$(label_of "$c")" "$(printf '%.2f' "$wall")" "$(ratio_to "$wall" plain)" "$(ratio_to "$wall" bytes)" \
    "$(median_of_col "$c" 2 '%.2f')" "$(median_of_col "$c" 4 '%.0f' | awk '{ printf "%.0f", $1 / 1024 }')" \
    "$sum" "$(bench_list "$work/$c.times")"
done
echo
echo "medians of $runs round(s); /plain and /bytes: median wall over that of PlainWordCount and of"
echo "PlainWordCountBytes; RSS: peak of the largest process; sum: peak of all of the run's processes"
echo "together (mr-workers only, polled)"
