#!/usr/bin/env bash
# The master at issue 13's scale, simulated. Runs io.mapreduce.netty.master.MasterSimulation (test
# sources of mapreduce-runtime-netty): the real MasterState, in process, on a simulated clock, drives
# one job on W workers of 2 slots (full: W = 2,000, M = 200,000 maps, R = 5,000 reduces; tenth: W =
# 200, M = 20,000, R = 500) with lognormal task times (1% of workers 5x slower), heartbeats, ticks
# and a status snapshot every second, its real journal (as Master appends: group commit), 20
# workers lost in the map phase and 5 in the reduce phase (half by a closed connection, half
# silently), the reducers' fetch failures, and a master restarted from its journal halfway through
# the reduces. Prints the report: events and loop steps per event type, messages and bytes per
# type, the largest message (deterministic); state-thread CPU, event latency, heap after GC,
# journal bytes (measured); and issue 13's budgets, held or not. Stopped by --timeout, it reports
# how far it got. Compiles the module's test classes first (mvn -o test-compile, about 10 s).
#
#   benchmarks/master-simulation.sh [--scale tenth] [--timeout 1800] [--seed 1]
#                                   [--policy card-dealing] [--losses-after-restart]
#                                   [--journal-dir DIR]
#
#   --scale       full, tenth, or 1/N of full (default tenth)
#   --timeout     seconds of wall time the simulation may take; then it stops and reports what it
#                 measured so far (default 1800)
#   --seed        the seed of task times and faults (default 1); the same seed, the same counts
#   --policy      card-dealing, pairwise or load-aware (default card-dealing)
#   --losses-after-restart  lose the reduce phase's workers after the restart instead of before
#   --journal-dir where the master's journal goes (default a directory under $TMPDIR or /tmp)
#
# MASTER_SIMULATION_FOOTPRINT=1 prints, at the workers' registration and with every map done, the
# master's heap by class (JOL's footprint of its object graph): where its bytes go.
# MASTER_SIMULATION_GC chooses the collector and heap (default "-XX:+UseZGC -Xmx12g";
# MASTER_SIMULATION_GC="-XX:+UseG1GC -Xmx4g" measures with G1); JAVA_OPTS, if set, is passed
# after. The master's log goes to a file, shown in part if the run fails. Exits 1 unless the job succeeded (a stopped run still prints its report).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init master-simulation

scale=tenth
timeout_s=1800
seed=1
policy=card-dealing
after_restart=""
journal_dir=""

bench_parse_args "--scale=scale --timeout=timeout_s --seed=seed --policy=policy --journal-dir=journal_dir --losses-after-restart=after_restart:--losses-after-restart" "$@"
bench_require_numbers "$timeout_s" "$seed"
bench_require_positive "--timeout" "$timeout_s"
case "$scale" in full|tenth|1/[0-9]*) ;; *) bench_fail "--scale must be full, tenth or 1/N, not '$scale'" ;; esac
bench_require_tools java mvn timeout

bench_make_work_dir "${TMPDIR:-/tmp}"
[ -n "$journal_dir" ] || journal_dir="$work/journal"

echo "master-simulation: $(bench_now); $(bench_machine); $(bench_cpu_model)"
if ! (cd "$root" && mvn -B -o -q test-compile dependency:build-classpath -Dmdep.outputFile="$work/classpath" \
    -Dmdep.includeScope=test -pl mapreduce-runtime-netty) >"$work/build.log" 2>&1; then
  echo "$bench: building the test classes failed:" >&2
  tail -n 20 "$work/build.log" >&2
  exit 2
fi
module="$root/mapreduce-runtime-netty/target"
echo "load average (1 min) before: $(bench_load1)"

rc=0
# The simulation stops itself at --timeout and reports; the hard limit leaves it time for that.
# JOL (the master's heap, by a walk of its objects) attaches to this JVM for object sizes. ZGC:
# the simulated workers' 1.7 GB of fetch state shares this JVM with the master, and G1's pauses
# over it (up to 0.7 s, seen) would land in the master's event latencies; a real master's heap is
# its own, tens of MB. (ZGC has no compressed pointers: the master's heap reads about 20% larger.)
# 12 GB leaves ZGC room to collect ahead of the simulation's allocations: with 8 GB one run saw an
# event of 0.6 s whose state-thread CPU was a few ms.
# shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
# shellcheck disable=SC2086 # MASTER_SIMULATION_GC likewise.
timeout "$((timeout_s + 600))" java ${MASTER_SIMULATION_GC:--XX:+UseZGC -Xmx12g} -Djdk.attach.allowAttachSelf=true \
  ${JAVA_OPTS:-} \
  -cp "$module/test-classes:$module/classes:$(cat "$work/classpath")" io.mapreduce.netty.master.MasterSimulation \
  --scale "$scale" --timeout "$timeout_s" --seed "$seed" --policy "$policy" --journal-dir "$journal_dir" \
  $after_restart 2>"$work/master.log" &
child=$!
wait "$child" || rc=$?
child=""
echo "load average (1 min) after: $(bench_load1)"
if [ "$rc" -ne 0 ]; then
  echo "$bench: the job did not succeed (exit code $rc); the master's log ends:" >&2
  tail -n 20 "$work/master.log" >&2
  exit 1
fi
