#!/usr/bin/env bash
# Fuzzes the cluster protocol against live daemons, on this machine. Runs the integration test
# io.mapreduce.netty.protocol.ProtocolFuzzIT (mapreduce-runtime-netty's tests) with --frames: it
# starts a master and a worker in their own JVMs (256 MB heaps) on 127.0.0.1, runs a word count,
# then four threads send random and mutated frames until --frames were sent, to the master's port
# and the worker's shuffle port alike:
#   before authenticating (3 connections in 10): bursts of 1 to 4 frames of random bytes, headers of
#     any length, handshake frames with flipped bits or cut, Kryo frames; only a ProtocolError may
#     come back;
#   after authenticating (7 in 10): batches of 1 to 32 frames mutated from real messages (bits
#     flipped, bytes set, cut, extended, varints blown up to 2^31, class-by-name forms, payloads
#     replaced, headers broken; now and then bytes outside any sealed record), each batch followed
#     by a probe that the daemon must answer, or close the connection, within 5 s.
# Then both daemons must be alive, their heaps after a full GC (jcmd) within 24 MB of what they
# were after the first job, and a second word count right. Prints the figures: frames before and
# after authenticating, connections, seconds, frames/s, refusals, heaps. Exits 1 if the run failed.
# CI runs the same test with 20,000 frames.
#
#   benchmarks/protocol-fuzz.sh [--frames 1000000] [--seed N] [--timeout 3600]
#
#   --frames   frames to send (default 1000000)
#   --seed     the random seed (default: from the clock; printed, to replay a run)
#   --timeout  seconds allowed to the whole run, Maven included (default 3600)
#
# Builds what it needs with Maven (offline, the reactor of mapreduce-runtime-netty; no install).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init protocol-fuzz

frames=1000000
seed=""
timeout_s=3600

bench_parse_args "--frames=frames --seed=seed --timeout=timeout_s" "$@"
bench_require_numbers "$frames" "$timeout_s" ${seed:+"$seed"}
bench_require_positive "--frames" "$frames"
bench_require_tools mvn java jcmd timeout

echo "protocol-fuzz: $(bench_now); $(bench_machine); $(bench_cpu_model)"
echo "load average (1 min) before: $(bench_load1)"
report="$root/mapreduce-runtime-netty/target/protocol-fuzz.txt"
rm -f "$report"
log="$(mktemp "${TMPDIR:-/tmp}/protocol-fuzz.XXXXXX.log")"
rc=0
(cd "$root" && timeout "$timeout_s" mvn -B -o -q -pl mapreduce-runtime-netty -am verify -Dtest=NONE \
  -Dit.test=ProtocolFuzzIT -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dfuzz.frames="$frames" ${seed:+-Dfuzz.seed="$seed"}) >"$log" 2>&1 || rc=$?
echo "load average (1 min) after: $(bench_load1)"
if [ "$rc" -ne 0 ] || [ ! -s "$report" ]; then
  tail -n 60 "$log" >&2
  echo "protocol-fuzz: the run failed (exit code $rc); Maven's output: $log; the daemons' logs:" \
    "$root/mapreduce-runtime-netty/target/security-it-logs/protocol-fuzz" >&2
  exit 1
fi
rm -f "$log"
cat "$report"
