#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each, one after the other, and prints per
# target: the cases run, crashes, hangs (an input over 10 s) and the peak RSS.
#
#   scripts/fuzz.sh SECONDS [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets it
# pass its flags, and `-s none` skips the sanitizer (whose runtime may be missing). Build output
# goes to $FUZZ_TARGET_DIR (default: fuzz/target). Corpora are kept in fuzz/corpus/TARGET and
# seeded from tests/fuzz_regressions/TARGET; a crash leaves its input in fuzz/artifacts/TARGET:
# copy it to tests/fuzz_regressions/TARGET/ so that `cargo test` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(csv parquet parquet_structured class_table hierarchy policy scan_rules report)
fi
tdir=$(realpath -m "${FUZZ_TARGET_DIR:-fuzz/target}")
export RUSTC_BOOTSTRAP=1
(cd fuzz && cargo fuzz build -s none --target-dir "$tdir" >/dev/null)
for t in "${targets[@]}"; do
    corpus=fuzz/corpus/$t
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    if [ -d "tests/fuzz_regressions/$t" ]; then
        cp -n tests/fuzz_regressions/"$t"/* "$corpus"/ 2>/dev/null || true
    fi
    case $t in
        csv) cp -n datasets/adult/adult_subset.csv "$corpus"/ 2>/dev/null || true ;;
        parquet) cp -n tests/fixtures/*.parquet "$corpus"/ 2>/dev/null || true ;;
        hierarchy) cp -n datasets/adult/hierarchy_age.csv "$corpus"/ 2>/dev/null || true ;;
        policy) cp -n datasets/adult/policy.json "$corpus"/ 2>/dev/null || true ;;
    esac
    bin=$(find "$tdir" -path "*/release/$t" -type f | head -1)
    log=$(mktemp)
    set +e
    /usr/bin/time -f "%M" -o "$log.rss" "$bin" "$corpus" -max_total_time="$secs" -timeout=10 \
        -rss_limit_mb=4096 -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
    crashes=$(ls "fuzz/artifacts/$t" | grep -c '^crash-' || true)
    hangs=$(ls "fuzz/artifacts/$t" | grep -c '^timeout-' || true)
    ooms=$(ls "fuzz/artifacts/$t" | grep -c '^oom-' || true)
    echo "$t: ${secs}s, $runs cases, exit $rc, crashes $crashes, hangs $hangs, ooms $ooms, peak RSS $(( $(cat "$log.rss" | tail -1) / 1024 )) MB"
    if [ $rc -ne 0 ]; then tail -20 "$log"; fi
    rm -f "$log" "$log.rss"
done
