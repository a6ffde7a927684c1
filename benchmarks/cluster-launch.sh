#!/usr/bin/env bash
# How long the ssh launcher takes, on real hosts made on this machine: H network namespaces on a
# bridge (10.237.0.0/24), each with its own sshd, host key and ~/.mapreduce (bind-mounted in the
# sshd's mount namespace, so each host gets its own copy of the jar), a master on the first and a
# worker on each other. Each round: `cluster up` (timed), a word count of the bundled sample on the
# cluster (timed, output checked against the same job run embedded), `cluster down` (timed, then
# checked: no process but sshd in any namespace, no cluster directory on any host). The first round
# copies the jar to every host (cold); the next find it there (warm). Prints each round and the
# medians. Needs root, ip, unshare, sshd; builds nothing (run `mvn -q -DskipTests package` first).
#
#   benchmarks/cluster-launch.sh [--hosts 4] [--rounds 5]
set -euo pipefail
hosts=4
rounds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --hosts) hosts="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "usage: $0 [--hosts N] [--rounds N]" >&2; exit 2 ;;
  esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
[ "$(id -u)" = 0 ] || { echo "$0: needs root (network namespaces)" >&2; exit 2; }
work=$(mktemp -d)
prefix=mrb
home_mr="$HOME/.mapreduce"
mkdir -p "$home_mr" && chmod 700 "$home_mr"
sshd_pids=()
cleanup() {
  for p in "${sshd_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for i in $(seq 1 "$hosts"); do
    for p in $(ip netns pids "${prefix}h$i" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip link del "${prefix}v$i" 2>/dev/null || true
    ip netns del "${prefix}h$i" 2>/dev/null || true
  done
  ip link del "${prefix}br" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ip link add "${prefix}br" type bridge
ip addr add 10.237.0.1/24 dev "${prefix}br"
ip link set "${prefix}br" up
mkdir -p /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$work/user_key"
: > "$work/hosts.txt"
for i in $(seq 1 "$hosts"); do
  ns="${prefix}h$i"; addr="10.237.0.$((i + 1))"; d="$work/host$i"
  mkdir -p "$d/home-mapreduce"
  ip netns add "$ns"
  ip link add "${prefix}v$i" type veth peer name eth0 netns "$ns"
  ip link set "${prefix}v$i" master "${prefix}br" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ssh-keygen -q -t ed25519 -N '' -f "$d/host_key"
  printf '%s\n' "ListenAddress $addr" "HostKey $d/host_key" "AuthorizedKeysFile $work/user_key.pub" \
    "PermitRootLogin prohibit-password" "PasswordAuthentication no" "UsePAM no" "StrictModes no" \
    "PidFile $d/sshd.pid" > "$d/sshd_config"
  ip netns exec "$ns" unshare -m sh -c "mount --bind $d/home-mapreduce $home_mr && exec /usr/sbin/sshd -D -e -f $d/sshd_config" \
    > "$d/sshd.log" 2>&1 &
  sshd_pids+=($!)
  if [ "$i" = 1 ]; then echo "$addr master" >> "$work/hosts.txt"; else echo "$addr" >> "$work/hosts.txt"; fi
done
sleep 1
export MAPREDUCE_STATE_DIR="$work/state"
mr="$root/bin/mapreduce"
sample="$root/mapreduce-examples/sample"
"$mr" wordcount --input "$sample" --output "$work/expected" > /dev/null 2>&1
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ups=(); jobs=(); downs=()
printf '%-6s %-5s %9s %13s %9s\n' round jar "up (s)" "first job (s)" "down (s)"
for r in $(seq 1 "$rounds"); do
  t0=$(now)
  "$mr" cluster up --name bench --hosts "$work/hosts.txt" --user root -i "$work/user_key" --slots 2 \
    > "$work/up.out" 2> "$work/up.err" || { cat "$work/up.err" >&2; exit 1; }
  t1=$(now)
  "$mr" wordcount --input "$sample" --output "$work/out-$r" --cluster bench > /dev/null 2> "$work/job.err" \
    || { cat "$work/job.err" >&2; exit 1; }
  t2=$(now)
  "$mr" cluster down bench > /dev/null 2> "$work/down.err" || { cat "$work/down.err" >&2; exit 1; }
  t3=$(now)
  diff <(cat "$work/expected"/mr-out-* | sort) <(cat "$work/out-$r"/mr-out-* | sort) > /dev/null \
    || { echo "round $r: output differs from the embedded run's" >&2; exit 1; }
  for i in $(seq 1 "$hosts"); do
    left=$(for p in $(ip netns pids "${prefix}h$i"); do tr '\0' ' ' < "/proc/$p/cmdline"; echo; done | grep -vc sshd || true)
    [ "$left" = 0 ] || { echo "round $r: $left processes left on host $i" >&2; exit 1; }
    [ ! -e "$work/host$i/home-mapreduce/clusters/bench" ] || { echo "round $r: host $i keeps the cluster's files" >&2; exit 1; }
  done
  jar=$(grep -q "copying the jar" "$work/up.err" && echo cold || echo warm)
  printf '%-6s %-5s %9s %13s %9s\n' "$r" "$jar" "$(secs "$t0" "$t1")" "$(secs "$t1" "$t2")" "$(secs "$t2" "$t3")"
  if [ "$jar" = warm ]; then
    ups+=("$(secs "$t0" "$t1")"); jobs+=("$(secs "$t1" "$t2")"); downs+=("$(secs "$t2" "$t3")")
  fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "median of the warm rounds ($hosts hosts: a master and $((hosts - 1)) workers): up $(median "${ups[@]}") s," \
  "up to the first job finished $(awk -v a="$(median "${ups[@]}")" -v b="$(median "${jobs[@]}")" 'BEGIN { printf "%.2f", a + b }') s," \
  "down $(median "${downs[@]}") s"
