#!/usr/bin/env bash
# The MapReduce paper's Figure 3 on this machine: the time of one sort (`bin/mapreduce sort
# --cluster`, R = 3) on a cluster of a master and 3 worker JVMs of one slot each, started by this
# script on 127.0.0.1, in three cases: (a) normal execution, (b) with backup tasks off
# (`master --no-backup-tasks`), (c) with 2 of the 3 workers killed (SIGKILL) partway through the
# job and replaced by 2 new ones. Each case's output is checked against `LC_ALL=C sort` of the
# input. Prints each case's wall time and its ratio to (a). Builds nothing; removes its files and
# stops its daemons on exit, also on Ctrl-C.
#
#   benchmarks/sort-under-failures.sh [--size 1g] [--files 8] [--runs 1] [--kill-after 0.4]
#                                     [--seed 1] [--timeout 1800] [--tmp DIR]
#
#   --size        text to generate, with a binary unit (default 1g = 1 GiB)
#   --files       number of input files (default 8)
#   --runs        runs of each case, alternating (default 1)
#   --kill-after  in case (c), when to kill, as a fraction of case (a)'s median time (default 0.4)
#   --seed        GenerateText's seed (default 1)
#   --timeout     seconds allowed to each job before it is killed and the script fails (default 1800)
#   --tmp         where to put the text, outputs and work directories (default $TMPDIR or /tmp);
#                 needs about 4 * size free
#
# JAVA_OPTS, if set, is passed to every JVM (bin/mapreduce does). Build first:
# mvn -B -o package -DskipTests
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
bench_init sort-under-failures

size=1g
files=8
runs=1
kill_after=0.4
seed=1
timeout_s=1800
tmp_base="${TMPDIR:-/tmp}"

bench_parse_args "--size=size --files=files --runs=runs --kill-after=kill_after --seed=seed --timeout=timeout_s --tmp=tmp_base" "$@"
bench_require_numbers "$files" "$runs" "$seed" "$timeout_s"
bench_require_positive "--runs and --files" "$runs" "$files"
case "$kill_after" in ''|*[!0-9.]*) bench_fail "--kill-after must be a fraction such as 0.4, not '$kill_after'" ;; esac

bench_require_built "the jars are not built; build them first" "mvn -B -o package -DskipTests" \
  "$bench_jar" "$(bench_find_mr_jar)"
bench_require_tools java timeout sort cmp awk df

bench_parse_size "$size"
bench_require_free_space "$tmp_base" 4

daemons=()
# Stops every daemon this script started (SIGTERM, then SIGKILL), before the work dir goes.
bench_before_cleanup() {
  local pid
  for pid in "${daemons[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${daemons[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
}

bench_make_work_dir "$tmp_base"
bench_generate_text "$bench_jar"
# A line ends at \n, \r\n or \r for mapreduce; GenerateText writes some \r\n lines.
cat "$work"/input/* | sed 's/\r$//' | LC_ALL=C sort > "$work/expected"

mapreduce="$root/bin/mapreduce"

# Starts a master (name $1, then its options) and sets port once it listens.
start_master() {
  local log="$work/master-$1.log"
  shift
  port=""
  "$mapreduce" master --port 0 --http-port -1 --work-dir "$work/master-dir-$RANDOM" "$@" >"$log" 2>&1 &
  daemons+=("$!")
  disown "$!"
  for _ in $(seq 1 600); do
    port="$(sed -n 's/.*master listening on [^:]*:\([0-9]*\).*/\1/p' "$log" | head -n 1)"
    [ -n "$port" ] && return
    sleep 0.1
  done
  echo "$bench: the master did not start; its log:" >&2
  cat "$log" >&2
  exit 1
}

# Starts worker $2 of master port $1; sets last_worker to its pid.
start_worker() {
  "$mapreduce" worker --master "127.0.0.1:$1" --slots 1 --work-dir "$work/worker-$2" \
    >"$work/worker-$2.log" 2>&1 &
  last_worker=$!
  disown "$last_worker" # killed on purpose: no "Killed" notice from the shell
  daemons+=("$last_worker")
}

# Waits until $1 workers whose logs start with worker-$2 registered (at most 60 s).
await_workers() {
  for _ in $(seq 1 600); do
    [ "$(cat "$work"/worker-"$2"*.log 2>/dev/null | grep -c 'registered with master')" -ge "$1" ] && return
    sleep 0.1
  done
  echo "$bench: workers did not register" >&2
  exit 1
}

# Runs case $1 (a, b or c), run $2: a cluster of its own, the sort, the check; appends the wall time
# to $work/times-$1.
run_case() {
  local case_="$1" run="$2" pids=() start end
  local opts=()
  [ "$case_" = b ] && opts+=(--no-backup-tasks)
  start_master "$case_$run" "${opts[@]}"
  for w in 1 2 3; do start_worker "$port" "$case_$run-$w"; pids+=("$last_worker"); done
  await_workers 3 "$case_$run-"
  local out="$work/out-$case_$run"
  start=$(date +%s.%N)
  timeout "$timeout_s" "$mapreduce" sort --input "$work/input" --output "$out" --reduce-tasks 3 \
    --cluster "127.0.0.1:$port" >"$work/job-$case_$run.log" 2>&1 &
  child=$!
  if [ "$case_" = c ]; then
    local delay
    delay="$(awk -v m="$median_a" -v f="$kill_after" 'BEGIN { printf "%.1f", m * f }')"
    sleep "$delay"
    kill -9 "${pids[0]}" "${pids[1]}" 2>/dev/null || true
    echo "$bench: case c run $run: killed 2 of 3 workers at ${delay}s, starting 2 new ones" >&2
    start_worker "$port" "$case_$run-4"
    start_worker "$port" "$case_$run-5"
  fi
  local rc=0
  wait "$child" || rc=$?
  child=""
  end=$(date +%s.%N)
  bench_check_run "$rc" "case $case_ run $run" "$work/job-$case_$run.log"
  cat "$out"/mr-out-* | cmp -s - "$work/expected" || {
    echo "$bench: case $case_ run $run: the output is not the input sorted" >&2
    exit 1
  }
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }' >> "$work/times-$case_"
  bench_before_cleanup
  daemons=()
  rm -rf "$out" "$work"/worker-"$case_$run"-*/ "$work"/master-dir-*
}

load_before=$(bench_load1)
started="$(bench_now)"
median_a=0
for r in $(seq 1 "$runs"); do
  run_case a "$r"
  median_a="$(bench_median_of '%.2f' < "$work/times-a")"
  run_case b "$r"
  run_case c "$r"
done

input_bytes=$(bench_input_bytes)
echo
echo "sort-under-failures: $input_bytes bytes in $files files (GenerateText --size $size --seed $seed), $runs run(s) of each case"
echo "$started; $(bench_machine); load $load_before before, $(bench_load1) after"
echo "every output equals LC_ALL=C sort of the input"
echo
printf '%-48s %10s %10s   %s\n' "case (master + 3 workers of 1 slot, R = 3)" "median s" "vs (a)" "each run"
for c in a b c; do
  case "$c" in
    a) name="(a) normal execution" ;;
    b) name="(b) backup tasks off" ;;
    c) name="(c) 2 of 3 workers killed at ${kill_after} and replaced" ;;
  esac
  m="$(bench_median_of '%.2f' < "$work/times-$c")"
  printf '%-48s %10s %10s   %s\n' "$name" "$m" "$(awk -v x="$m" -v a="$median_a" 'BEGIN { printf "%.2f", x / a }')" \
    "$(tr '\n' ' ' < "$work/times-$c")"
done
