#!/usr/bin/env bash
# Times two reident binaries on the same command, alternating them so that both see the same
# machine load; prints each run's wall time and peak RSS (/usr/bin/time -v) and the medians.
#
#   scripts/bench_compare.sh OLD NEW RUNS reident-arguments...
#   scripts/bench_compare.sh old/reident new/reident 7 analyze /tmp/adult_10M.parquet --qi sex,age
set -euo pipefail
old=$1 new=$2 runs=$3
shift 3
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
measure() { # binary -> "seconds kilobytes"
  /usr/bin/time -v "$1" --quiet "${@:2}" >/dev/null 2>"$tmp" || { cat "$tmp"; exit 1; }
  awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=t[n-1]*60+t[n]} /Maximum resident/ {k=$2} END {print s, k}' "$tmp"
}
o=(); n=()
for i in $(seq "$runs"); do
  a=$(measure "$old" "$@"); b=$(measure "$new" "$@")
  echo "run $i: old ${a% *} s ${a#* } KB | new ${b% *} s ${b#* } KB"
  o+=("$a"); n+=("$b")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
om=$(median "${o[@]}"); nm=$(median "${n[@]}")
echo "median: old ${om% *} s (${om#* } KB), new ${nm% *} s (${nm#* } KB), new/old $(awk -v a="${nm% *}" -v b="${om% *}" 'BEGIN {printf "%.3f", a/b}')"
