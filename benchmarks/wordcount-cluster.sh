#!/usr/bin/env bash
# Word count embedded against word count on a local cluster, on this machine: `bin/mapreduce
# wordcount --input DIR --output OUT` (default settings: everything in one JVM) against the same
# command with `--local-workers 2` (a master in the client JVM and 2 worker JVMs started for the job
# on this machine, each with ceil(nproc / 2) task slots; map outputs reach the reduce task through
# the workers' shuffle servers over loopback TCP). Generates the text once, then alternates the two,
# --runs times each, timing whole processes (JVM starts included, the workers' too; their CPU is
# counted, since the client JVM reaps them); checks that every pair of runs produced the same
# counts; prints the median wall times and their ratio. Builds nothing; removes its files on exit,
# also on Ctrl-C.
#
#   benchmarks/wordcount-cluster.sh [--size 1g] [--files 8] [--runs 3] [--workers 2] [--seed 1]
#                                   [--split-size 64m] [--reduce-tasks 1] [--timeout 1800] [--tmp DIR]
#                                   [--warm]
#
#   --size     text to generate, with a binary unit (default 1g = 1 GiB)
#   --files    number of input files (default 8)
#   --runs     runs of each mode (default 3)
#   --workers  worker JVMs of the cluster mode, --local-workers N (default 2)
#   --seed     GenerateText's seed (default 1)
#   --split-size    the jobs' --split-size (default 64m): 12k cuts 24m into about 2,000 map tasks
#   --reduce-tasks  the jobs' --reduce-tasks (default 1)
#   --timeout  seconds allowed to each run before it is killed and the script fails (default 1800)
#   --warm     instead of --local-workers (a cluster started for each job), a master and --workers
#              worker daemons (ceil(nproc / workers) slots each) started once before the runs, as a
#              long-lived cluster is, with one untimed job to warm them up; the cluster runs use
#              --cluster. Their CPU column counts the client JVM only (the daemons are not its
#              children); their wall time is the job's, client JVM start included, as embedded.
#   --tmp      where to put the text and outputs (default $TMPDIR or /tmp); needs about 2 * size
#              free. The intermediate files go where each mode puts them by default: the embedded
#              engine's work directory ($TMPDIR/mapreduce-$USER), the local cluster's directory
#              under java.io.tmpdir (/tmp); both remove them after the job.
#
# JAVA_OPTS, if set, is passed to the client JVM of both modes (bin/mapreduce does); the local
# workers inherit only its -Xmx, -Xms and -XX:+Use... options.
# Build first: mvn -B -o package -DskipTests
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init wordcount-cluster

size=1g
files=8
runs=3
workers=2
seed=1
split_size=64m
reduce_tasks=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"
warm=""

bench_parse_args "--size=size --files=files --runs=runs --workers=workers --seed=seed --split-size=split_size --reduce-tasks=reduce_tasks --timeout=timeout_s --tmp=tmp_base --warm=warm:yes" "$@"
bench_require_numbers "$files" "$runs" "$workers" "$seed" "$reduce_tasks" "$timeout_s"
bench_require_positive "--runs, --files and --workers" "$runs" "$files" "$workers"

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df

# Refuse early rather than fill a shared disk: the text, plus a margin for spills and outputs.
bench_parse_size "$size"
bench_require_free_space "$tmp_base" 2

# On Ctrl-C or a timeout, timeout signals its whole process group: the client JVM and its workers.
bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"

# --warm: the daemons, started once; stopped (by the PIDs started here) when the script exits.
daemons=()
bench_before_cleanup() {
  if [ "${#daemons[@]}" -gt 0 ]; then
    kill "${daemons[@]}" 2>/dev/null || true
    wait "${daemons[@]}" 2>/dev/null || true
  fi
}
cluster_mode=(--local-workers "$workers")
cluster_label="--local-workers $workers"
if [ -n "$warm" ]; then
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  slots=$(( ($(nproc) + workers - 1) / workers ))
  "$root/bin/mapreduce" master --port "$port" --http-port -1 --work-dir "$work/master" >"$work/master.log" 2>&1 &
  daemons+=($!)
  for w in $(seq 1 "$workers"); do
    "$root/bin/mapreduce" worker --master "127.0.0.1:$port" --slots "$slots" --work-dir "$work/worker-$w" \
      >"$work/worker-$w.log" 2>&1 &
    daemons+=($!)
  done
  cluster_mode=(--cluster "127.0.0.1:$port")
  cluster_label="warm cluster ($workers workers)"
  echo "warming up the cluster on port $port (one untimed job)" >&2
  # The master may take a moment to listen and the workers to register: retried for 30 s.
  for attempt in $(seq 1 30); do
    if "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/warm-out" "${cluster_mode[@]}" \
        --split-size "$split_size" --reduce-tasks "$reduce_tasks" >"$work/warm.log" 2>&1; then
      break
    fi
    rm -rf "$work/warm-out"
    [ "$attempt" -lt 30 ] || bench_fail "the warm-up job failed: $(tail -n 3 "$work/warm.log")"
    sleep 1
  done
  rm -rf "$work/warm-out"
fi

load_before=$(bench_load1)
started="$(bench_now)"

: >"$work/embedded.times"
: >"$work/cluster.times"
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs: mapreduce wordcount (embedded)" >&2
  bench_timed "embedded (run $i)" "$work/embedded.times" "$work/embedded.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/embedded-out" \
    --split-size "$split_size" --reduce-tasks "$reduce_tasks"
  LC_ALL=C sort "$work"/embedded-out/mr-out-* >"$work/embedded.sorted"
  rm -rf "$work/embedded-out"

  echo "run $i of $runs: mapreduce wordcount ${cluster_mode[*]}" >&2
  bench_timed "$cluster_label (run $i)" "$work/cluster.times" "$work/cluster.log" \
    "$root/bin/mapreduce" wordcount --input "$work/input" --output "$work/cluster-out" "${cluster_mode[@]}" \
    --split-size "$split_size" --reduce-tasks "$reduce_tasks"
  LC_ALL=C sort "$work"/cluster-out/mr-out-* >"$work/cluster.sorted"
  rm -rf "$work/cluster-out"

  bench_require_same "run $i" "$work/embedded.sorted" "$work/cluster.sorted" "< embedded, > cluster"
done
load_after=$(bench_load1)

input_bytes=$(bench_input_bytes)
em_wall=$(bench_median 1 "$work/embedded.times")
cl_wall=$(bench_median 1 "$work/cluster.times")
em_cpu=$(bench_cpu_median "$work/embedded.times")
cl_cpu=$(bench_cpu_median "$work/cluster.times")

echo
echo "wordcount-cluster: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed)," \
  "--split-size $split_size --reduce-tasks $reduce_tasks, $runs runs each, alternating"
echo "started $started; $(bench_machine)"
echo "load average (1 min) before $load_before, after $load_after"
bench_print_word_totals "$work/embedded.sorted"
echo
bench_print_table_header 32 "mode"
bench_print_table_row 32 "embedded" "$work/embedded.times"
bench_print_table_row 32 "$cluster_label" "$work/cluster.times"
echo
bench_print_ratio "cluster / embedded (wall)" "$cl_wall" "$em_wall"
if [ -z "$warm" ]; then
  awk -v c="$cl_cpu" -v e="$em_cpu" 'BEGIN { printf "ratio of medians, cluster / embedded (CPU):  %.2f\n", c / e }'
else
  echo "(warm cluster: its CPU column is the client JVM's only; the daemons' is not counted)"
fi
