#!/usr/bin/env bash
# What keeping map outputs in S3 costs: `bin/mapreduce sort --local-workers 2` (a master and 2
# worker JVMs on this machine; map outputs on the workers' disks, fetched over loopback TCP)
# against the same command with `--intermediate s3://scratch/tmp/` (every map output uploaded to a
# local S3 server, s3proxy with its filesystem backend on 127.0.0.1, started and stopped by this
# script, and read back by the reducers with ranged GETs). Sort, because it shuffles all its
# input. Input and output are local files in both modes. Generates the text once, then alternates
# the two, --runs times each, timing whole processes (JVM starts included); checks that every pair
# of runs produced the same sorted output; prints the median wall times and their ratio. Builds
# nothing; removes its files on exit, also on Ctrl-C.
#
#   benchmarks/intermediate-s3.sh [--size 256m] [--files 8] [--runs 3] [--seed 1] [--timeout 1800]
#                                 [--tmp DIR]
#
#   --size     text to generate, with a binary unit (default 256m)
#   --files    number of input files (default 8)
#   --runs     runs of each mode (default 3)
#   --seed     GenerateText's seed (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1800)
#   --tmp      where to put the text, outputs and s3proxy's objects (default $TMPDIR or /tmp);
#              needs about 4 * size free
#
# Build first: mvn -B -o package -DskipTests && mvn -B -o -pl mapreduce-s3 -am test-compile
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init intermediate-s3

size=256m
files=8
runs=3
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"
s3proxy_jar="$root/mapreduce-s3/target/s3proxy/s3proxy.jar"
bench_require_built "the jars are not built; build them first" \
  "mvn -B -o package -DskipTests && mvn -B -o -pl mapreduce-s3 -am test-compile" \
  "$bench_jar" "$(bench_find_mr_jar)" "$s3proxy_jar"
bench_require_tools java timeout cmp awk df python3
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 4

bench_before_cleanup() {
  bench_stop_s3proxy
}
bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"
bench_start_s3proxy "$s3proxy_jar"
mkdir -p "$work/blobs/scratch" # the bucket: a directory of the filesystem backend

# bin/mapreduce and its worker JVMs find the server through the environment, as on EC2 they would
# find S3 through theirs.
export AWS_ENDPOINT_URL_S3="$s3_endpoint" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1

load_before=$(bench_load1)
started="$(bench_now)"
: >"$work/disk.times"
: >"$work/s3.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce sort --local-workers 2 (map outputs on the workers' disks)" >&2
  bench_timed "workers' disks (run $i)" "$work/disk.times" "$work/disk.log" \
    "$root/bin/mapreduce" sort --input "$work/input" --output "$work/disk-out" --local-workers 2
  cat "$work"/disk-out/mr-out-* >"$work/disk.sorted"
  rm -rf "$work/disk-out"

  echo "run $i of $runs: mapreduce sort --local-workers 2 --intermediate s3://scratch/tmp/" >&2
  bench_timed "S3 (run $i)" "$work/s3.times" "$work/s3.log" \
    "$root/bin/mapreduce" sort --input "$work/input" --output "$work/s3-out" --local-workers 2 \
    --s3-path-style --intermediate s3://scratch/tmp/
  cat "$work"/s3-out/mr-out-* >"$work/s3.sorted"
  rm -rf "$work/s3-out"

  bench_require_same "run $i" "$work/disk.sorted" "$work/s3.sorted" "< workers' disks, > S3"
done
load_after=$(bench_load1)
left=$(find "$work/blobs/scratch" -type f | wc -l)

input_bytes=$(bench_input_bytes)
disk_wall=$(bench_median 1 "$work/disk.times")
s3_wall=$(bench_median 1 "$work/s3.times")

echo
echo "intermediate-s3: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "$runs runs each, alternating; sorted outputs identical in every run; $left objects left in the bucket"
echo "started $started; $(bench_machine)"
echo "load average (1 min) before $load_before, after $load_after"
echo
bench_print_table_header 40 "map outputs (sort --local-workers 2)"
bench_print_table_row 40 "on the workers' disks" "$work/disk.times"
bench_print_table_row 40 "in S3 (--intermediate, s3proxy)" "$work/s3.times"
echo
bench_print_ratio "S3 / workers' disks (wall)" "$s3_wall" "$disk_wall"
