#!/usr/bin/env bash
# Streaming overhead on this machine: `bin/mapreduce streaming --mapper cat --reducer cat` (one reduce
# task, embedded) against the shell pipeline `cat DIR/* | cat | LC_ALL=C sort | cat > out` on the
# same generated text. Generates the text once, then alternates the two, --runs times each, timing
# whole processes (JVM start included); checks that every pair of runs produced the same lines (the
# job's output sorted with LC_ALL=C sort equals the pipeline's); prints the median wall times and
# their ratio. Builds nothing; removes its files on exit.
#
# With --sort-keys OPTIONS (such as '-k1,1 -k2,2nr'), a key-field sort instead: the text is lines
# word<TAB>number<TAB>payload (GenerateText --lines keyed), the job is given, in Hadoop's spellings,
# -D stream.num.map.output.key.fields=2 and KeyFieldBasedComparator with OPTIONS, and the pipeline's
# sort is `LC_ALL=C sort -t<TAB> OPTIONS`. Its payload is a function of its key (fields 1 and 2),
# so lines with equal keys are equal lines and the order of ties cannot show: the job's output
# must be the pipeline's, byte for byte, and is compared unsorted. OPTIONS may name fields 1 and 2
# only (the job's key); keys that compare equal but differ in bytes (5 and 5.0 under n) are ordered
# by their bytes in both (sort's last resort, our comparator's too).
#
#   benchmarks/streaming-vs-pipeline.sh [--size 1g] [--files 8] [--runs 3] [--seed 1]
#                                       [--timeout 1800] [--tmp DIR] [--sort-keys OPTIONS]
#
#   --size     text to generate, with a binary unit (default 1g = 1 GiB)
#   --files    number of input files (default 8)
#   --runs     runs of each (default 3)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1800)
#   --tmp      where to put the text, outputs and intermediate files (default $TMPDIR or /tmp);
#              needs about 5 * size free
#   --sort-keys  sort -k options over fields 1 and 2 (default: none, plain cat/cat)
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
sort_keys=""

bench_parse_args "--size=size --files=files --runs=runs --seed=seed --timeout=timeout_s --tmp=tmp_base
  --sort-keys=sort_keys" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df cat

# Refuse early rather than fill a shared disk: the text, intermediate files, two outputs and a sorted copy.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 5

# The job's extra arguments, the pipeline sort's arguments and the names in the results.
job_args=()
sort_args=()
mr_name="mapreduce streaming (cat, cat)"
pipe_name="cat | cat | LC_ALL=C sort | cat"
lines_kind=text
if [ -n "$sort_keys" ]; then
  read -ra sort_args <<<"$sort_keys"
  for k in "${sort_args[@]}"; do
    case "$k" in -k[12]|-k[12][bnr]*|-k[12],[12]|-k[12],[12][bnr]*|-[nr]) ;;
      *) bench_fail "--sort-keys: '$k' is not a -k option over fields 1 and 2 (example: '-k1,1 -k2,2nr')" ;;
    esac
  done
  job_args=(-D stream.num.map.output.key.fields=2
    -D mapreduce.job.output.key.comparator.class=org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedComparator
    -D "mapreduce.partition.keycomparator.options=$sort_keys")
  sort_args=(-t $'\t' "${sort_args[@]}")
  mr_name="mapreduce streaming, KeyFieldBasedComparator $sort_keys"
  pipe_name="cat | cat | LC_ALL=C sort -t\\t $sort_keys | cat"
  lines_kind=keyed
fi

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar" --lines "$lines_kind"

: >"$work/mr.times"
: >"$work/pipe.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce streaming" >&2
  bench_timed "mapreduce streaming (run $i)" "$work/mr.times" "$work/mr.log" \
    "$root/bin/mapreduce" streaming --input "$work/input" --output "$work/mr-out" --work-dir "$work/mr-work" \
    --mapper cat --reducer cat "${job_args[@]}"
  rm -f "$work/pipe.txt"

  echo "run $i of $runs: cat | cat | LC_ALL=C sort | cat" >&2
  # sort's temporary files go under $work too, so that --tmp decides where every byte lands.
  # shellcheck disable=SC2016 # $w and $@ are expanded by sh -c
  bench_timed "the pipeline (run $i)" "$work/pipe.times" "$work/pipe.log" \
    sh -c 'w=$1; shift; cat "$w"/input/* | cat | LC_ALL=C TMPDIR="$w" sort "$@" | cat > "$w/pipe.txt"' \
    sh "$work" "${sort_args[@]}"

  if [ -n "$sort_keys" ]; then
    # Ties are equal lines (see above): the job's output, as it is, must be the pipeline's.
    cat "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  else
    # The job's output is sorted by key only (values of one key in any order): sort it to compare.
    LC_ALL=C TMPDIR="$work" sort "$work"/mr-out/mr-out-* >"$work/mr.sorted"
  fi
  rm -rf "$work/mr-out"
  bench_require_same "run $i" "$work/mr.sorted" "$work/pipe.txt" "< mapreduce, > pipeline"
  rm -f "$work/mr.sorted"
done

lines=$(wc -l <"$work/pipe.txt")
input_bytes=$(bench_input_bytes)
mr_wall=$(bench_median 1 "$work/mr.times")
pipe_wall=$(bench_median 1 "$work/pipe.times")

echo
echo "streaming-vs-pipeline: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed" \
  "--lines $lines_kind), $runs runs each, alternating"
echo "$(bench_now); $(bench_machine)"
if [ -n "$sort_keys" ]; then
  echo "outputs identical, unsorted, in every run: $lines lines"
else
  echo "outputs identical in every run (after sorting the job's): $lines lines"
fi
echo
width=$(( ${#mr_name} > 36 ? ${#mr_name} + 2 : 36 ))
bench_print_table_header "$width" "program"
bench_print_table_row "$width" "$mr_name" "$work/mr.times"
bench_print_table_row "$width" "$pipe_name" "$work/pipe.times"
echo
bench_print_ratio "mapreduce / pipeline" "$mr_wall" "$pipe_wall"
