#!/usr/bin/env bash
# Speed of the statistician's toolkit (release build): local suppression, MDAV microaggregation
# and SUDA over all MSU sizes. Whole-process wall time and peak RSS from /usr/bin/time -v.
#
#   cargo build --release
#   python3 scripts/gen_scaled.py --rows 10000000 --out /work/bench-data/adult_10M.parquet
#   scripts/bench_sdc.sh [ADULT_10M.parquet] [--suda]
#
# The peer is sdcMicro 5.8.1 (R; not needed here): its elapsed seconds on the same calls, measured
# on this project's machine, are in ../shared/datasets/sdcmicro/reference.json (local suppression
# on Adult's 5 QIs at k = 2 and 3, MDAV on creditcard_int at k = 3) and in issue 18 (k = 5 on 5
# QIs: 71 s; k = 2 on 8 QIs: 170 s); the rows print them beside ours with the ratio. At 1M and
# 10M rows there is no peer run: sdcMicro's MDAV is quadratic (hours at a million) and its local
# suppression took 71 s at 30,162 rows.
#
# Cases:
#   * local suppression, Adult (30,162 rows): 5 QIs at k = 2, 3, 5 and 8 QIs at k = 2, 5;
#   * local suppression, the 10M-row scaled Adult, 5 QIs at k = 5;
#   * MDAV, creditcard_int (30,000 rows) x 4 numeric columns at k = 3 (sdcMicro's call);
#   * MDAV, 1M rows x 4 numeric columns at k = 5: creditcard_int's LIMIT_BAL, AGE, BILL_AMT1,
#     PAY_AMT1 resampled with small noise (made here, in $TMPDIR); exact MDAV on a k-d tree
#     (O(n log n) expected per query on low-dimensional data, groups equal to the quadratic
#     algorithm's up to ties);
#   * with --suda: suda over all MSU sizes of mach2019_int (73,489 x 16), time and peak memory.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${CARGO_TARGET_DIR:-$here/target}/release/reident
big=${1:-/work/bench-data/adult_10M.parquet}
shared=$here/../shared/datasets
tmp=${TMPDIR:-/tmp}/bench_sdc.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
adult=$here/datasets/adult/adult.csv
five=age,sex,race,marital-status,education
eight=age,education,marital-status,native-country,race,salary-class,sex,workclass

measure() { # runs "$@" (JSON on stdout to $tmp/out.json); prints "seconds peak_MB"
  /usr/bin/time -v "$@" >"$tmp/out.json" 2>"$tmp/time" || { cat "$tmp/time"; exit 1; }
  awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=(n==3)?t[1]*3600+t[2]*60+t[3]:t[1]*60+t[2]} /Maximum resident/ {k=$2} END {printf "%.2f %.0f\n", s, k/1024}' "$tmp/time"
}
ls_row() { # label qis k file peer_seconds
  local r
  r=$(measure "$bin" --quiet anonymize "$4" --qi "$2" --no-generalization --local-suppression \
    --k "$3" -o "$tmp/ls.parquet" --json)
  local cells
  cells=$(python3 -c "import json; l=json.load(open('$tmp/out.json'))['local_suppression']; print(l['cells'], 'cells,', ' '.join(f\"{q['qi']}={q['cells']}\" for q in l['qis']), ', smallest matched', l['smallest_matched'])")
  local ratio=""
  [ -n "$5" ] && ratio=" | sdcMicro $5 s, ratio $(awk -v a="$5" -v b="${r% *}" 'BEGIN {printf "%.0f", a/b}')x"
  echo "local suppression, $1, k=$3: ${r% *} s, ${r#* } MB; $cells$ratio"
}
mdav_row() { # label cols k file peer_seconds
  local r
  r=$(measure "$bin" --quiet anonymize "$4" --qi SEX --no-generalization \
    --microaggregate "$2:$3" -o "$tmp/m.parquet" --json)
  local figs
  figs=$(python3 -c "import json; m=json.load(open('$tmp/out.json'))['microaggregation']; print(f\"{m['groups']} groups of {m['smallest_group']}-{m['largest_group']}, SSE/SST {m['sse_sst']:.6g}\")")
  local ratio=""
  [ -n "$5" ] && ratio=" | sdcMicro $5 s, ratio $(awk -v a="$5" -v b="${r% *}" 'BEGIN {printf "%.1f", a/b}')x"
  echo "MDAV, $1, k=$3: ${r% *} s, ${r#* } MB; $figs$ratio"
}
ref=$shared/sdcmicro/reference.json
peer() { python3 -c "import json; print(json.load(open('$ref'))$1['time'])"; }

ls_row "Adult 5 QIs" "$five" 2 "$adult" "$(peer "['local_suppression']['adult_5qi_k2']")"
ls_row "Adult 5 QIs" "$five" 3 "$adult" "$(peer "['local_suppression']['adult_5qi_k3']")"
ls_row "Adult 5 QIs" "$five" 5 "$adult" 71
ls_row "Adult 8 QIs" "$eight" 2 "$adult" 170
ls_row "Adult 8 QIs" "$eight" 5 "$adult" ""
if [ -f "$big" ]; then
  ls_row "$(basename "$big") 5 QIs" "$five" 5 "$big" ""
else
  echo "($big missing: make it with scripts/gen_scaled.py --rows 10000000 --out $big)"
fi

cc=$shared/creditcard_int/creditcard_int.csv
mdav_row "creditcard_int 30,000 x 4" LIMIT_BAL,AGE,BILL_AMT1,PAY_AMT1 3 "$cc" "$(peer "['mdav']['creditcard_k3']")"
python3 - "$cc" "$tmp/numeric_1M.parquet" <<'EOF'
import sys
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
src = pacsv.read_csv(sys.argv[1], parse_options=pacsv.ParseOptions(delimiter=";"))
rng = np.random.default_rng(18)
n = 1_000_000
pick = rng.integers(0, src.num_rows, n)
cols = {}
for c in ["LIMIT_BAL", "AGE", "BILL_AMT1", "PAY_AMT1"]:
    x = src.column(c).to_numpy().astype(np.float64)[pick]
    cols[c] = np.round(x + rng.normal(0, 0.05 * (x.std() or 1), n)).astype(np.int64)
cols["SEX"] = src.column("SEX").to_numpy()[pick]
pq.write_table(pa.table(cols), sys.argv[2])
EOF
mdav_row "1M x 4 (creditcard_int resampled)" LIMIT_BAL,AGE,BILL_AMT1,PAY_AMT1 5 "$tmp/numeric_1M.parquet" ""

if [ "${2:-}" = "--suda" ] || [ "${1:-}" = "--suda" ]; then
  m=$shared/mach2019_int/mach2019_int.csv
  qi=$(head -1 "$m" | tr -d '\r' | tr ';' ',')
  r=$(measure "$bin" --quiet suda "$m" --qi "$qi" --json)
  msus=$(python3 -c "import json; print(json.load(open('$tmp/out.json'))['summary']['msus'])")
  echo "suda, mach2019_int 73,489 x 16, all MSU sizes: ${r% *} s, peak ${r#* } MB; $msus MSUs"
fi
