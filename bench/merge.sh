#!/usr/bin/env bash
# Benchmark of `trailaudit merge` (issue 10, item 5). Not a timed test: it
# measures and prints, and only fails when something does not run.
#
#   bench/merge.sh                                   # 1, 3 and 10 shards of 1,000 accounts
#   BENCH_MERGE_SHARDS="3" BENCH_MERGE_ACCOUNTS=200 bench/merge.sh
#
# For N shards it generates one synthetic organization of N × ACCOUNTS accounts
# and writes its N shares (bench/synth.rs --shard K/N: the files an
# organization-wide `collect --shard K/N` writes) into bench/out/merge/
# (git-ignored), merges them once under `/usr/bin/time -v`, and checks that
# the merge holds every account. Peak RSS should follow the size of one shard,
# not the number of shards: accounts are streamed from the parts.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT=bench/out/merge
SHARDS="${BENCH_MERGE_SHARDS:-1 3 10}"
PER_SHARD="${BENCH_MERGE_ACCOUNTS:-1000}"

# shellcheck source=bench/lib.sh
. bench/lib.sh
require_gnu_time

cargo build --quiet --release --bin trailaudit --example synth
BIN="$CARGO_TARGET_DIR/release/trailaudit"
SYNTH="$CARGO_TARGET_DIR/release/examples/synth"
mkdir -p "$OUT"

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

echo "| shards | accounts | one shard MB | all shards MB | merged MB | wall s | peak RSS MB |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for n in $SHARDS; do
    total=$((n * PER_SHARD))
    files=()
    for k in $(seq 1 "$n"); do
        file="$OUT/$total-$k-of-$n.json"
        [ -f "$file" ] || "$SYNTH" --accounts "$total" --shard "$k/$n" --out "$file"
        files+=("$file")
    done
    merged="$OUT/$total-merged.json"
    /usr/bin/time -v "$BIN" merge "${files[@]}" --output "$merged" 2>"$OUT/$n.time" >/dev/null
    accounts=$(grep -c '^    {$' "$merged" || true)
    [ "$accounts" -eq "$total" ] || { echo "bench: $merged holds $accounts accounts, not $total" >&2; exit 1; }
    read -r wall rss_mb < <(time_figures "$OUT/$n.time")
    all=$(cat "${files[@]}" | wc -c)
    echo "| $n | $total | $(mb "$(wc -c <"${files[0]}")") | $(mb "$all") | $(mb "$(wc -c <"$merged")") | $wall | $rss_mb |"
done
