#!/usr/bin/env bash
# Reading from S3 the way map tasks do: one object of generated text on a local S3 server (s3proxy,
# filesystem backend, on 127.0.0.1, started and stopped by this script), read with one plain GET
# against N ranged GETs of N equal parts in parallel (as N map tasks read N splits), alternating;
# prints MiB/s medians and their ratio. Builds nothing; removes its files on exit, also on Ctrl-C.
#
#   benchmarks/s3-read.sh [--size 1g] [--parallel 8] [--runs 5] [--seed 1] [--timeout 1800] [--tmp DIR]
#
#   --size      the object's size, with a binary unit (default 1g = 1 GiB)
#   --parallel  ranged GETs at once (default 8)
#   --runs      timed reads of each kind (default 5)
#   --seed      GenerateText's seed (default 1)
#   --timeout   seconds allowed to the measurement (default 1800)
#   --tmp       where to put the text and s3proxy's files (default $TMPDIR or /tmp); needs 2 * size
#
# Build first: mvn -B -o package -DskipTests (s3proxy's jar comes with mapreduce-s3's test build:
# mvn -B -o -pl mapreduce-s3 -am test-compile)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init s3-read

size=1g
files=1
parallel=8
runs=5
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --parallel=parallel --runs=runs --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$parallel" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --parallel" "$runs" "$parallel"
s3proxy_jar="$root/mapreduce-s3/target/s3proxy/s3proxy.jar"
bench_require_built "the jars are not built; build them first" \
  "mvn -B -o package -DskipTests && mvn -B -o -pl mapreduce-s3 -am test-compile" "$bench_jar" "$s3proxy_jar"
bench_require_tools java timeout awk df
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 2

bench_before_cleanup() {
  bench_stop_s3proxy
}
bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"
bench_start_s3proxy "$s3proxy_jar"

echo "$bench: $(bench_now); $(bench_machine); load $(bench_load1)"
# shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
timeout "$timeout_s" java ${JAVA_OPTS:-} -cp "$bench_jar" io.mapreduce.benchmarks.S3ReadThroughput \
  --endpoint "$s3_endpoint" --file "$(ls "$work"/input/* | head -n 1)" --parallel "$parallel" --runs "$runs"
