#!/usr/bin/env bash
# Times `reident analyze` (release build) against DuckDB's GROUP BY on the same Parquet file,
# alternating the two so that both see the same machine load. Whole-process wall time and peak RSS
# from /usr/bin/time -v; prints each run and the medians.
#
#   cargo build --release
#   python3 scripts/gen_scaled.py --rows 10000000 --out /tmp/adult_10M.parquet
#   scripts/bench_analyze.sh /tmp/adult_10M.parquet [runs]
set -euo pipefail
file=$1
runs=${2:-5}
qi=sex,age,race,marital-status,education,native-country,workclass,occupation,salary-class
here=$(cd "$(dirname "$0")/.." && pwd)
bin=$here/target/release/reident
measure() { # prints "seconds kilobytes"
  /usr/bin/time -v "$@" >/dev/null 2>/tmp/bench_time.$$ || { cat /tmp/bench_time.$$; exit 1; }
  awk -F': ' '/Elapsed/ {split($2,t,":"); s=t[1]*60+t[2]} /Maximum resident/ {k=$2} END {print s, k}' /tmp/bench_time.$$
}
r_t=(); d_t=()
for i in $(seq "$runs"); do
  r=$(measure "$bin" --quiet analyze "$file" --qi "$qi" --json)
  d=$(measure python3 "$here/scripts/bench_duckdb.py" "$file" --once --threads 2)
  echo "run $i: reident ${r% *} s ${r#* } KB | duckdb ${d% *} s ${d#* } KB"
  r_t+=("$r"); d_t+=("$d")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
rm=$(median "${r_t[@]}"); dm=$(median "${d_t[@]}")
echo "median: reident ${rm% *} s (${rm#* } KB), duckdb ${dm% *} s (${dm#* } KB), ratio duckdb/reident $(awk -v a="${dm% *}" -v b="${rm% *}" 'BEGIN {printf "%.2f", a/b}')"
"$bin" --quiet analyze "$file" --qi "$qi" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print('reident: classes', d['classes']['classes'], 'k', d['classes']['smallest'], 'uniques', d['sample_uniques']['records'])"
python3 "$here/scripts/bench_duckdb.py" "$file" --once --threads 2 | head -3
