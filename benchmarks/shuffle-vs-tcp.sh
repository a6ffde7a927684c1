#!/usr/bin/env bash
# The cluster shuffle's fetch against raw loopback TCP, on this machine. Runs
# io.mapreduce.benchmarks.ShuffleFetchThroughput: it writes one map output run file of --size bytes
# (one partition, uncompressed, records of 16-byte keys and 84-byte values of pseudo-random bytes),
# then alternates, --runs times each after --warmups untimed rounds:
#   fetch        a ShuffleServer on 127.0.0.1 serves the partition (Netty, FileRegion: sendfile) and
#                a Fetcher writes it to a file in the same directory (the reducers' real path);
#   raw-file     a plain java.nio server sends the same bytes with FileChannel.transferTo and a
#                client reads them into a direct buffer and writes that to a FileChannel (same sink);
#   raw-discard  the same, the client dropping what it reads (no file);
# checks the received bytes against the partition's CRC32C (first run of each file sink) and prints
# the MiB/s of each run, the medians and the ratios. Then, if iperf3 is installed and --no-iperf3 is
# not given, runs `iperf3 -c 127.0.0.1 -n SIZE` (memory to memory, one stream) --runs times, after
# the Java runs rather than alternating with them, as a reference. Builds nothing; removes its files
# on exit, also on Ctrl-C.
#
#   benchmarks/shuffle-vs-tcp.sh [--size 1g] [--runs 5] [--warmups 1] [--buffer 64k]
#                                [--no-iperf3] [--timeout 1800] [--tmp DIR]
#
#   --size       bytes of the run file's partition, with a binary unit (default 1g = 1 GiB)
#   --runs       timed runs of each mode (default 5)
#   --warmups    untimed rounds of all modes first (default 1)
#   --buffer     the raw clients' read buffer (default 64k, the largest read Netty's default
#                receive buffer allocator makes)
#   --no-iperf3  skip iperf3 even if it is installed
#   --timeout    seconds allowed to the Java program (default 1800)
#   --tmp        where to put the run file and the fetched copies (default $TMPDIR or /tmp); needs
#                about 2 * size free
#
# JAVA_OPTS, if set, is passed to the JVM. Build first: mvn -B -o package -DskipTests
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init shuffle-vs-tcp

size=1g
runs=5
warmups=1
buffer=64k
iperf=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --runs=runs --warmups=warmups --buffer=buffer --no-iperf3=iperf:0 --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$runs" "$warmups" "$timeout_s"
bench_require_positive "--runs" "$runs"

bench_require_built "benchmarks.jar is not built; build it first" "mvn -B -o package -DskipTests" "$bench_jar"
bench_require_tools java timeout awk df

bench_parse_size "$size"
bench_require_free_space "$tmp_base" 2

server=""
# Stops a running iperf3 server before the work directory goes.
bench_before_cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
}
bench_make_work_dir "$tmp_base"

echo "shuffle-vs-tcp: $(bench_now); $(bench_machine)"
echo "load average (1 min) before: $(bench_load1)"

rc=0
# shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
timeout "$timeout_s" java ${JAVA_OPTS:-} -cp "$bench_jar" io.mapreduce.benchmarks.ShuffleFetchThroughput \
  --size "$size" --runs "$runs" --warmups "$warmups" --buffer "$buffer" --dir "$work" >"$work/java.out" 2>&1 &
child=$!
wait "$child" || rc=$?
child=""
cat "$work/java.out"
if [ "$rc" -ne 0 ]; then
  echo "shuffle-vs-tcp: ShuffleFetchThroughput failed with exit code $rc" >&2
  exit 1
fi
echo "load average (1 min) after the Java runs: $(bench_load1)"
fetch=$(awk '/^medians-MiB\/s/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "fetch") print kv[2] } }' "$work/java.out")
discard=$(awk '/^medians-MiB\/s/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "raw-discard") print kv[2] } }' "$work/java.out")

if [ "$iperf" -eq 1 ] && ! command -v iperf3 >/dev/null; then
  echo "(iperf3 is not installed: skipped)"
  iperf=0
fi
if [ "$iperf" -eq 1 ]; then
  : >"$work/iperf.rates"
  port=$((20000 + $$ % 20000))
  for i in $(seq 1 "$runs"); do
    iperf3 -s -1 -B 127.0.0.1 -p "$port" >"$work/iperf-server.log" 2>&1 &
    server=$!
    sleep 0.5
    if ! iperf3 -c 127.0.0.1 -p "$port" -n "$size_bytes" -J >"$work/iperf.json" 2>&1; then
      echo "shuffle-vs-tcp: iperf3 failed (run $i); skipped:" >&2
      tail -n 5 "$work/iperf.json" "$work/iperf-server.log" >&2 || true
      bench_before_cleanup
      server=""
      iperf=0
      break
    fi
    wait "$server" 2>/dev/null || true
    server=""
    # The receiver's rate of the whole transfer: end.sum_received.bits_per_second.
    awk '/"sum_received"/ { r = 1 } r && /"bits_per_second"/ { gsub(/[^0-9.e+]/, "", $2); printf "%.1f\n", $2 / 8 / 1048576; exit }' \
      FS=':' "$work/iperf.json" >>"$work/iperf.rates"
  done
  if [ "$iperf" -eq 1 ]; then
    iperf_median=$(bench_median_of '%.1f' <"$work/iperf.rates")
    echo
    echo "iperf3 -c 127.0.0.1 -n $size_bytes (one stream, memory to memory), $runs runs after the Java runs:"
    echo "  median $iperf_median MiB/s; each run: $(paste -sd ' ' "$work/iperf.rates")"
    awk -v f="$fetch" -v d="$discard" -v p="$iperf_median" 'BEGIN {
      printf "  ratio of medians, fetch / iperf3: %.2f; raw-discard / iperf3: %.2f\n", f / p, d / p }'
    echo "load average (1 min) after iperf3: $(bench_load1)"
  fi
fi
