#!/usr/bin/env bash
# Benchmark of the offline audit (issue 2, section 7). Not a timed test: it
# measures and prints, and only fails when something does not run.
#
#   bench/run.sh                      # 1, 100 and 1,000 accounts
#   BENCH_SIZES="1 10" bench/run.sh   # other sizes
#
# For each size it generates a synthetic snapshot (bench/synth.rs; N accounts ×
# 17 regions × 3 trails, seeded, so every run audits the same bytes) into
# bench/out/ (git-ignored), audits it once under `/usr/bin/time -v` with
# `--timings`, and prints snapshot size, parse and evaluation time, their
# ratio, time per account and peak RSS. The audit's parse time includes reading
# the file, so a second table parses the text already in memory (best of five,
# bench/rules.rs with RULES_FLOOR=1), the steadier denominator, beside the time
# to read the same text as one regorus value: the least any Rego evaluation of
# all of it costs. Then it times a whole process (start to exit) auditing a
# bundled fixture, with hyperfine when installed.
#
# The report goes to `--output /dev/null` so rendering and writing are measured
# (write_atomic writes non-regular files in place).
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT=bench/out
SIZES="${BENCH_SIZES:-1 100 1000}"
FIXTURE="${BENCH_FIXTURE:-fixtures/compliant/snapshot.json}"
RUNS="${BENCH_RUNS:-30}"

# shellcheck source=bench/lib.sh
. bench/lib.sh
require_gnu_time

cargo build --quiet --release --bin trailaudit --example synth --example rules
BIN="$CARGO_TARGET_DIR/release/trailaudit"
SYNTH="$CARGO_TARGET_DIR/release/examples/synth"
RULES="$CARGO_TARGET_DIR/release/examples/rules"
mkdir -p "$OUT"
: >"$OUT/evaluate.txt"

# Runs one audit; prints "parse_ms evaluate_ms total_ms peak_kb".
measure() {
    local snapshot=$1 tag=$2 code=0
    /usr/bin/time -v -o "$OUT/time-$tag.txt" \
        "$BIN" audit --snapshot "$snapshot" --format json --output /dev/null --timings 2>"$OUT/stderr-$tag.txt" || code=$?
    # 0 = all pass, 1 = failing results, 3 = error results: all are finished audits.
    case $code in
        0 | 1 | 3) ;;
        *)
            echo "bench: audit of $snapshot exited $code:" >&2
            cat "$OUT/stderr-$tag.txt" >&2
            exit 1
            ;;
    esac
    local timings
    timings=$(grep '^timings:' "$OUT/stderr-$tag.txt") || {
        echo "bench: no timings line from the audit of $snapshot (is --timings supported?)" >&2
        exit 1
    }
    local peak
    peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$tag.txt")
    echo "$timings" | awk -v peak="$peak" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); t[kv[1]] = kv[2] }
        print t["parse_ms"], t["evaluate_ms"], t["total_ms"], peak
    }'
}

printf '%8s %12s %10s %12s %10s %10s %12s %9s\n' \
    accounts snapshot_MB parse_ms evaluate_ms eval/parse total_ms ms/account peak_MB
for n in $SIZES; do
    snapshot="$OUT/synth-$n.json"
    "$SYNTH" --accounts "$n" --out "$snapshot"
    bytes=$(stat -c %s "$snapshot")
    # Parse time is the ratio's denominator: measure it with the file written
    # out and in the page cache, not while the generator's pages are flushed
    # (that once read 654 ms for a parse that takes 200 ms).
    sync
    cat "$snapshot" >/dev/null
    read -r parse evaluate total peak < <(measure "$snapshot" "$n")
    awk -v n="$n" -v b="$bytes" -v p="$parse" -v e="$evaluate" -v t="$total" -v k="$peak" 'BEGIN {
        printf "%8d %12.1f %10.1f %12.1f %10.2f %10.1f %12.3f %9.1f\n",
            n, b / 1048576, p, e, (p > 0 ? e / p : 0), t, e / n, k / 1024
    }'
    echo "$n $evaluate" >>"$OUT/evaluate.txt"
done

echo
echo "parse in memory (best of 5, one thread) against the same text as one regorus value"
printf '%8s %14s %16s %13s %16s\n' accounts parse_mem_ms regorus_value_ms value/parse eval/parse_mem
while read -r n evaluate; do
    RULES_FLOOR=1 "$RULES" "$OUT/synth-$n.json" | awk -v n="$n" -v e="$evaluate" '
        /parse into/ { p = $1 } /regorus value/ { v = $1 }
        END { printf "%8d %14.1f %16.1f %13.2f %16.2f\n", n, p, v, v / p, e / p }'
done <"$OUT/evaluate.txt"

echo
echo "end to end (process start to exit): trailaudit audit --snapshot $FIXTURE --format json"
if command -v hyperfine >/dev/null 2>&1; then
    # hyperfine sends the report to /dev/null itself.
    hyperfine --shell=none --warmup 3 --runs "$RUNS" --ignore-failure --style basic \
        --export-json "$OUT/end-to-end.json" \
        "$BIN audit --snapshot $FIXTURE --format json"
else
    echo "(hyperfine not installed: apt-get install -y hyperfine; timing $RUNS runs with date)"
    for _ in 1 2 3; do "$BIN" audit --snapshot "$FIXTURE" --format json >/dev/null || true; done
    start=$(date +%s%N)
    for _ in $(seq "$RUNS"); do "$BIN" audit --snapshot "$FIXTURE" --format json >/dev/null || true; done
    end=$(date +%s%N)
    awk -v s="$start" -v e="$end" -v r="$RUNS" 'BEGIN { printf "mean %.1f ms over %d runs\n", (e - s) / 1e6 / r, r }'
fi
