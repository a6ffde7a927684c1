# Shared helpers of the end-to-end benchmark scripts in benchmarks/*.sh. Sourced, not run: each
# script sets `set -euo pipefail` first, then sources this file and calls bench_init with its name.
# The functions keep the scripts' messages, exit codes (2: bad arguments or environment, 1: a run
# failed or the outputs differ, 130: interrupted) and output formats.
# shellcheck shell=bash disable=SC2034,SC2154 # the variables are the sourcing script's

# Names the script for its messages and sets root (the repository) and bench_jar.
bench_init() {
  bench="$1"
  root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
  bench_jar="$root/benchmarks/target/benchmarks.jar"
  work=""
  child=""
}

# Prints "<script>: MESSAGE" on stderr and exits 2: the script was used or set up wrongly.
bench_fail() {
  echo "$bench: $1" >&2
  exit 2
}

# Prints the script's header comment (from line 2 to the first line not a comment) as its usage.
bench_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

# Parses the arguments: $1 lists "--option=variable" (takes a value) and "--flag=variable:value"
# (sets the value) words; the rest are the script's arguments. -h/--help prints the usage.
bench_parse_args() {
  local spec="$1" word opt target found
  shift
  while [ $# -gt 0 ]; do
    case "$1" in -h|--help) bench_usage; exit 0 ;; esac
    found=""
    for word in $spec; do
      opt="${word%%=*}"
      target="${word#*=}"
      [ "$opt" = "$1" ] || continue
      found=1
      if [ "${target#*:}" != "$target" ]; then
        printf -v "${target%%:*}" '%s' "${target#*:}"
        shift
      else
        printf -v "$target" '%s' "$2"
        shift 2
      fi
      break
    done
    if [ -z "$found" ]; then
      echo "$bench: unknown argument '$1'" >&2
      bench_usage >&2
      exit 2
    fi
  done
}

# Exits 2 unless every argument is a whole number of decimal digits.
bench_require_numbers() {
  local n
  for n in "$@"; do
    case "$n" in ''|*[!0-9]*) bench_fail "'$n' is not a number" ;; esac
  done
}

# Exits 2 with "$1 must be at least 1" if any further argument is below 1.
bench_require_positive() {
  local what="$1" n
  shift
  for n in "$@"; do
    [ "$n" -ge 1 ] || bench_fail "$what must be at least 1"
  done
}

# Prints the newest mapreduce-examples-*-all.jar under the repository, or nothing if none is built.
bench_find_mr_jar() {
  local candidate found=""
  for candidate in "$root"/mapreduce-examples/target/mapreduce-examples-*-all.jar; do
    [ -f "$candidate" ] && found="$candidate"
  done
  echo "$found"
}

# Exits 2 with "$1 with:" and the build command $2 unless every further argument is a built file.
bench_require_built() {
  local what="$1" build="$2" f
  shift 2
  for f in "$@"; do
    if [ -z "$f" ] || [ ! -f "$f" ]; then
      echo "$bench: $what with:" >&2
      echo "  (cd '$root' && $build)" >&2
      exit 2
    fi
  done
}

# Exits 2 unless each named command is on the PATH.
bench_require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || bench_fail "'$tool' is needed"
  done
}

# Prints a size with a binary unit (64m, 1g, 512k, or plain bytes) in bytes, or -1 if it is not one.
bench_to_bytes() {
  awk -v s="$1" 'BEGIN {
    s = tolower(s); n = s + 0; u = s; sub(/^[0-9]+ */, "", u); sub(/i?b$/, "", u)
    m = (u == "k") ? 2^10 : (u == "m") ? 2^20 : (u == "g") ? 2^30 : (u == "t") ? 2^40 : (u == "") ? 1 : -1
    if (m < 0 || n <= 0 || s !~ /^[0-9]/) { print -1 } else { printf "%.0f\n", n * m } }'
}

# Sets size_bytes from the --size argument $1; exits 2 if it is not a size.
bench_parse_size() {
  size_bytes=$(bench_to_bytes "$1")
  [ "$size_bytes" -gt 0 ] || bench_fail "'$1' is not a size (examples: 64m, 256m, 1g)"
}

# Creates directory $1 and exits 2 unless it has $2 * size_bytes free: refuse rather than fill a disk.
bench_require_free_space() {
  local dir="$1" factor="$2" free_kb
  mkdir -p "$dir"
  free_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
  if [ $((free_kb * 1024)) -lt $((factor * size_bytes)) ]; then
    bench_fail "$dir has $((free_kb / 1024)) MiB free; $((factor * size_bytes / 1048576)) MiB needed"
  fi
}

# Stops the run in progress ($child, a background job) and waits for it; timeout passes the signal
# on to its process group. A script may redefine it to stop more (sort-vs-gnu.sh stops the tree).
bench_stop_child() {
  kill "$child" 2>/dev/null || true
  wait "$child" 2>/dev/null || true
}

# EXIT trap: runs the script's bench_before_cleanup if it defines one, then removes the work dir.
bench_cleanup() {
  if declare -F bench_before_cleanup >/dev/null; then bench_before_cleanup; fi
  rm -rf "$work"
}

# INT/TERM/HUP trap: stops the run in progress (so that Ctrl-C acts at once), then exits 130.
bench_interrupted() {
  if [ -n "$child" ]; then bench_stop_child; fi
  echo "$bench: interrupted" >&3
  exit 130
}

# Creates the work directory under $1 (sets work) and the traps that remove it on exit and Ctrl-C.
bench_make_work_dir() {
  work="$(mktemp -d "$1/$bench.XXXXXX")"
  child=""
  exec 3>&2 # the script's stderr, for the trap: it may run while stderr is redirected
  trap bench_cleanup EXIT
  trap bench_interrupted INT TERM HUP
}

# Writes the benchmark text into $work/input with GenerateText from jar $1 (untimed); further
# arguments go to GenerateText (such as --lines keyed).
bench_generate_text() {
  local jar="$1"
  shift
  # shellcheck disable=SC2086 # JAVA_OPTS is split on spaces on purpose, as bin/mapreduce does.
  java ${JAVA_OPTS:-} -cp "$jar" io.mapreduce.benchmarks.GenerateText \
    --size "$size" --files "$files" --seed "$seed" --out "$work/input" "$@"
}

# Exits 1 if run $2 (its output in log $3) ended with code $1: 124 is timeout's, after timeout_s.
bench_check_run() {
  local rc="$1" label="$2" log="$3"
  [ "$rc" -eq 0 ] && return 0
  if [ "$rc" -eq 124 ]; then
    echo "$bench: $label took longer than ${timeout_s}s and was killed" >&2
  else
    echo "$bench: $label failed with exit code $rc; its output:" >&2
  fi
  tail -n 20 "$log" >&2
  exit 1
}

# Runs a command (label $1) under the timeout with its output in log $3; appends "wall user sys" to
# file $2. bash's time counts the CPU of the children reaped meanwhile: timeout, through it the JVM,
# and through that any JVMs it started and waited for.
bench_timed() {
  local label="$1" times="$2" log="$3" rc=0 TIMEFORMAT='%3R %3U %3S'
  shift 3
  # The run is a background job so that the INT trap runs at once.
  { time { timeout "$timeout_s" "$@" >"$log" 2>&1 & child=$!; wait "$child"; }; } 2>>"$times" || rc=$?
  child=""
  bench_check_run "$rc" "$label" "$log"
}

# Prints a process and its descendants, parents first, a generation a line.
bench_tree_pids() {
  local pids="$1" p next
  while [ -n "$pids" ]; do
    echo "$pids"
    next=""
    for p in $pids; do
      next="$next $(cat /proc/"$p"/task/*/children 2>/dev/null || true)"
    done
    # shellcheck disable=SC2086,SC2116 # word splitting joins the pids on one line
    pids="$(echo $next)"
  done
}

# Prints the sum over a process and its descendants of field $2 of /proc/PID/status (in KiB: VmRSS,
# VmHWM), or with $3 = max their largest, now.
bench_tree_status() {
  local p statuses=()
  for p in $(bench_tree_pids "$1"); do statuses+=("/proc/$p/status"); done
  # A process may end meanwhile: cat skips its file.
  { [ ${#statuses[@]} -eq 0 ] || cat "${statuses[@]}" 2>/dev/null || true; } | awk -v f="$2:" -v how="${3:-sum}" '
    $1 == f { s += $2; if ($2 > m) m = $2 } END { print (how == "max" ? m : s) + 0 }'
}

# A bench_stop_child for runs of several processes: stops the whole tree of the run in progress and
# waits until it is gone (/usr/bin/time does not pass signals on, and a JVM still shutting down
# would recreate its work directory after the cleanup).
bench_stop_tree() {
  local pids n=0
  pids="$(bench_tree_pids "$child")"
  # shellcheck disable=SC2086
  kill $pids 2>/dev/null || true
  # shellcheck disable=SC2086
  while kill -0 $pids 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
  wait "$child" 2>/dev/null || true
}

# Sets rss_source for bench_timed_rss: GNU time's %M when /usr/bin/time is GNU time, unless $1 is
# not empty (a script's "poll" switch), else VmHWM polled from /proc.
bench_choose_rss_source() {
  if [ -z "${1:-}" ] && [ -x /usr/bin/time ] && /usr/bin/time -f '%e' true 2>/dev/null; then
    rss_source="/usr/bin/time -f %M"
  else
    rss_source="VmHWM polled from /proc every 0.1 s"
  fi
}

# Polls the run in progress ($child) every $2 seconds until it ends: with $1 = 1 the largest VmHWM
# of any one of its processes into poll_hwm, with bench_rss_sum=1 the largest total VmRSS of its
# processes together into poll_sum (KiB; 0 when not polled).
bench_poll_tree() {
  local s
  poll_hwm=0
  poll_sum=0
  while kill -0 "$child" 2>/dev/null; do
    if [ "$1" = 1 ]; then
      s=$(bench_tree_status "$child" VmHWM max)
      [ "$s" -gt "$poll_hwm" ] && poll_hwm=$s
    fi
    if [ "${bench_rss_sum:-0}" = 1 ]; then
      s=$(bench_tree_status "$child" VmRSS)
      [ "$s" -gt "$poll_sum" ] && poll_sum=$s
    fi
    sleep "$2"
  done
}

# Runs a command (label $1) under the timeout with its output in log $3; appends "wall user sys
# peak sum" to file $2. peak (KiB): the largest peak RSS of any one process of the run, from
# rss_source (bench_choose_rss_source); GNU time's %M is that of the process it waits for and of
# their descendants. sum (KiB): with bench_rss_sum=1, the largest total VmRSS of the run's processes
# together, polled every 0.2 s (a lower bound: a peak between polls is missed); else 0.
bench_timed_rss() {
  local label="$1" times="$2" log="$3" rc=0
  shift 3
  if [ "$rss_source" = "/usr/bin/time -f %M" ]; then
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.out" timeout "$timeout_s" "$@" >"$log" 2>&1 &
    child=$!
    poll_sum=0
    [ "${bench_rss_sum:-0}" = 1 ] && bench_poll_tree 0 0.2
    wait "$child" || rc=$?
    child=""
    # GNU time writes "Command exited with non-zero status N" before the times when the run failed.
    [ "$rc" -eq 0 ] && echo "$(tail -n 1 "$work/time.out") $poll_sum" >>"$times"
  else
    local start end cpu
    start=$(date +%s.%N)
    timeout "$timeout_s" "$@" >"$log" 2>&1 &
    child=$!
    bench_poll_tree 1 0.1
    wait "$child" || rc=$?
    child=""
    end=$(date +%s.%N)
    # The CPU of reaped children (this script's included, a small overestimate) from bash's times.
    times >"$work/times.out" # a builtin run in this shell: a subshell would see no children
    cpu=$(awk 'NR == 2 { split($1, u, "m"); split($2, s, "m");
      printf "%.3f %.3f", u[1] * 60 + u[2], s[1] * 60 + s[2] }' "$work/times.out")
    echo "$start $end $cpu $poll_hwm $poll_sum" | awk -v prev="${bench_cpu_prev:-0 0}" '{
      split(prev, p, " "); printf "%.3f %.3f %.3f %d %d\n", $2 - $1, $3 - p[1], $4 - p[2], $5, $6 }' >>"$times"
    bench_cpu_prev="$cpu"
  fi
  bench_check_run "$rc" "$label" "$log"
}

# Exits 1, showing the first differences, unless files $2 and $3 are equal; $1 names the run, $4
# the two sides, e.g. "< mapreduce, > plain".
bench_require_same() {
  if ! cmp -s "$2" "$3"; then
    echo "$bench: $1: the outputs differ ($4):" >&2
    diff "$2" "$3" | head -n 20 >&2 || true
    exit 1
  fi
}

# Prints the median of the numbers on stdin, one a line, with printf format $1 (such as %.2f).
bench_median_of() {
  sort -g | awk -v f="$1" '{ v[NR] = $1 }
    END { if (NR % 2) printf f, v[(NR + 1) / 2]; else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Prints the median of column $1 of a times file $2 ("wall user sys ..." lines).
bench_median() {
  awk -v c="$1" '{ print $c }' "$2" | bench_median_of '%.2f'
}

# Prints the median CPU seconds (user + sys) of a times file.
bench_cpu_median() {
  awk '{ print $2 + $3 }' "$1" | bench_median_of '%.2f'
}

# Prints the wall seconds of each run in a times file, on one line.
bench_list() {
  awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $1 }' "$1"
}

# Prints the bytes of the generated input, $work/input/*.
bench_input_bytes() {
  cat "$work"/input/* | wc -c
}

# Prints the bytes of the files in directory $1.
bench_dir_bytes() {
  cat "$1"/* | wc -c
}

# Prints the input's MiB/s for a run of $1 seconds (input_bytes must be set).
bench_mib() {
  awk -v b="$input_bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1048576 / s }'
}

# Prints the current date and time (UTC), to the minute, as the results' header shows it.
bench_now() {
  date -u '+%Y-%m-%d %H:%M UTC'
}

# Prints the machine part of the results' header: CPUs, the Java version and JAVA_OPTS if set.
bench_machine() {
  echo "$(nproc) CPUs; $(java -version 2>&1 | head -n 1)${JAVA_OPTS:+; JAVA_OPTS=$JAVA_OPTS}"
}

# Prints the CPU model, as /proc/cpuinfo names it (its first "model name"), or "unknown CPU".
bench_cpu_model() {
  awk -F': *' '/^model name/ { print $2; found = 1; exit } END { if (!found) print "unknown CPU" }' /proc/cpuinfo
}

# Prints the 1-minute load average.
bench_load1() {
  awk '{ print $1 }' /proc/loadavg
}

# Prints the 1, 5 and 15-minute load averages.
bench_load3() {
  cut -d' ' -f1-3 /proc/loadavg
}

# Prints "outputs identical in every run: N distinct words, M words in all" from a sorted
# "word<TAB>count" file.
bench_print_word_totals() {
  local words total
  words=$(wc -l <"$1")
  total=$(awk -F'\t' '{ n += $2 } END { printf "%.0f", n }' "$1")
  echo "outputs identical in every run: $words distinct words, $total words in all"
}

# Prints the header row of the results table, its first column $2 wide $1.
bench_print_table_header() {
  printf "%-${1}s %10s %12s %10s   %s\n" "$2" "median s" "median CPU s" "MiB/s" "wall s of each run"
}

# Prints a results row, first column $1 wide: name $2, the times file $3's medians, MiB/s and runs.
bench_print_table_row() {
  local wall
  wall=$(bench_median 1 "$3")
  printf "%-${1}s %10s %12s %10s   %s\n" "$2" "$wall" "$(bench_cpu_median "$3")" "$(bench_mib "$wall")" \
    "$(bench_list "$3")"
}

# Prints "ratio of each run, $1: X.XX Y.YY ...": the wall time of each run in times file $2 over the
# run of the same number in times file $3 (the runs of a pair, in scripts that alternate).
bench_print_run_ratios() {
  paste -d' ' "$2" "$3" | awk -v what="$1" '{ r = r sprintf("%s%.2f", (NR > 1 ? " " : ""), $1 / $4) }
    END { printf "ratio of each run, %s: %s\n", what, r }'
}

# Prints "ratio of medians, $1: X.XX" for the medians $2 / $3.
bench_print_ratio() {
  awk -v what="$1" -v a="$2" -v b="$3" 'BEGIN { printf "ratio of medians, %s: %.2f\n", what, a / b }'
}

# Starts s3proxy from jar $1 on a free port of 127.0.0.1 with the filesystem backend under
# $work/blobs (no authorization), its log in $work/s3proxy.log; waits until it accepts connections.
# Sets s3_endpoint and s3pid; the script's bench_before_cleanup should call bench_stop_s3proxy.
bench_start_s3proxy() {
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  s3_endpoint="http://127.0.0.1:$port"
  mkdir -p "$work/blobs"
  cat >"$work/s3proxy.properties" <<PROPS
s3proxy.endpoint=$s3_endpoint
s3proxy.authorization=none
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/blobs
jclouds.identity=local
jclouds.credential=local
PROPS
  java -Xmx512m -jar "$1" --properties "$work/s3proxy.properties" >"$work/s3proxy.log" 2>&1 &
  s3pid=$!
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$s3pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$bench: s3proxy did not start; its log:" >&2
  tail -n 20 "$work/s3proxy.log" >&2
  exit 2
}

# Stops the s3proxy bench_start_s3proxy started, if any.
bench_stop_s3proxy() {
  if [ -n "${s3pid:-}" ]; then
    kill "$s3pid" 2>/dev/null || true
    wait "$s3pid" 2>/dev/null || true
  fi
}
