#!/bin/sh
# ns-3 against `tcplab run` on the star scenario, A B A B: for each N given, ns-3's program
# (bench/ns3/star, built by build.sh) then `tcplab run bench/scenarios/star-N.yaml --jobs 1`,
# ROUNDS times (default 2), each under /usr/bin/time -v, with the 1-minute load average before
# each run. TCPLAB (default: node bin/tcplab.js) says which tcplab to run. One line per run on
# stdout: tool n round wall_s peak_rss_kb load_before.
#   sh bench/ns3/side-by-side.sh 1k 10k
set -e
root="$(cd "$(dirname "$0")/../.." && pwd)"
TCPLAB="${TCPLAB:-node $root/bin/tcplab.js}"
ROUNDS="${ROUNDS:-2}"
out="$(mktemp -d)"
measure() { # tool n round command...
  tool=$1 n=$2 round=$3; shift 3
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v -o "$out/time" "$@" > "$out/log" 2>&1 || { echo "$tool n=$n failed:"; tail -5 "$out/log"; }
  wall=$(grep 'Elapsed (wall clock)' "$out/time" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$out/time" | awk '{print $NF}')
  echo "$tool $n $round $wall ${rss}KB load=$load"
}
for n in "$@"; do
  case $n in *k) count=$(( ${n%k} * 1000 ));; *) count=$n;; esac
  r=1
  while [ $r -le "$ROUNDS" ]; do
    measure ns-3 "$n" $r "$root/bench/ns3/star" --n=$count
    measure tcplab "$n" $r $TCPLAB run "$root/bench/scenarios/star-$n.yaml" --jobs 1 --yes --out "$out/results-$n-$r"
    r=$((r + 1))
  done
done
rm -rf "$out"
