#!/usr/bin/env bash
# Benchmark of the offline audit (issues 2 and 14). Not a timed test: it
# measures and prints, and only fails when something does not run.
#
#   bench/run.sh                      # 100, 1,000 and 10,000 accounts, then a live audit
#   BENCH_SIZES="1 10" bench/run.sh   # other sizes
#   BENCH_LIVE=0 bench/run.sh         # without the live audit against moto
#   BENCH_BIN=new BENCH_BEFORE=old bench/run.sh
#                                     # two binaries, alternated in one run: each
#                                     # measurement runs the "before" binary, then
#                                     # the other, on the same snapshot
#   BENCH_EXAMPLES=dir bench/run.sh   # synth, rules and seed taken from dir (e.g.
#                                     # /work/bench-bin): with BENCH_BIN set too,
#                                     # nothing is built
#
# For each size it generates a synthetic snapshot (bench/synth.rs; N accounts ×
# 17 regions × 3 trails, seeded, so every run audits the same bytes) into
# bench/out/ (git-ignored) and prints, per size:
#   parse_mem_ms   parsing the text already in memory, best of five, one thread
#                  (bench/rules.rs with RULES_FLOOR=1): the denominator;
#   evaluate_ms    the audit's evaluation (`--timings`: the second, streamed
#                  read of the accounts, judging them, lines and order);
#   eval/parse     their ratio;
#   audit_ms       the whole `trailaudit audit --snapshot` process, start to
#                  exit, writing the JSON report and SARIF to files;
#   cpu_s          its user + system CPU time (the machine is shared: CPU
#                  time is the steadier figure beside wall time);
#   peak_MB        its peak RSS;
#   ms/account     evaluation wall time per account (flat = linear cost).
# Then the live audit of one account against moto (bench/collect.sh's
# compliant scenario, one region, AWS_MAX_ATTEMPTS=1 so moto's HTTP 500s for
# the calls it lacks are not retried): its peak RSS; the peak RSS of the
# offline audit of a bundled fixture; and that whole process's time, with
# hyperfine when installed.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT=bench/out
SIZES="${BENCH_SIZES:-100 1000 10000}"
FIXTURE="${BENCH_FIXTURE:-fixtures/compliant/snapshot.json}"
RUNS="${BENCH_RUNS:-30}"

# shellcheck source=bench/lib.sh
. bench/lib.sh
require_gnu_time

EXAMPLES="${BENCH_EXAMPLES:-$CARGO_TARGET_DIR/release/examples}"
if [ -z "${BENCH_BIN:-}" ] || [ -z "${BENCH_EXAMPLES:-}" ]; then
    cargo build --quiet --release --bin trailaudit --example synth --example rules --example seed
fi
BIN="${BENCH_BIN:-$CARGO_TARGET_DIR/release/trailaudit}"
SYNTH="$EXAMPLES/synth"
RULES="$EXAMPLES/rules"
SEED="$EXAMPLES/seed"
# The binaries measured, in the order each measurement runs them: "before" first.
BINS=("$BIN")
if [ -n "${BENCH_BEFORE:-}" ]; then
    BINS=("$BENCH_BEFORE" "$BIN")
fi
mkdir -p "$OUT"

# Runs one audit with binary $3; prints "parse_ms evaluate_ms total_ms peak_kb cpu_s".
measure() {
    local snapshot=$1 tag=$2 bin=$3 code=0
    /usr/bin/time -v -o "$OUT/time-$tag.txt" \
        "$bin" audit --snapshot "$snapshot" --format json --output "$OUT/report-$tag.json" --sarif "$OUT/report-$tag.sarif" \
        --timings 2>"$OUT/stderr-$tag.txt" || code=$?
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
    local peak cpu
    peak=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$tag.txt")
    cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$OUT/time-$tag.txt")
    echo "$timings" | awk -v peak="$peak" -v cpu="$cpu" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); t[kv[1]] = kv[2] }
        print t["parse_ms"], t["evaluate_ms"], t["total_ms"], peak, cpu
    }'
}

printf '%8s %11s %12s %12s %10s %10s %8s %9s %11s  %s\n' \
    accounts snapshot_MB parse_mem_ms evaluate_ms eval/parse audit_ms cpu_s peak_MB ms/account binary
for n in $SIZES; do
    snapshot="$OUT/synth-$n.json"
    "$SYNTH" --accounts "$n" --out "$snapshot"
    bytes=$(stat -c %s "$snapshot")
    # Measure with the file written out and in the page cache, not while the
    # generator's pages are flushed (that once read 654 ms for a 200 ms parse).
    sync
    cat "$snapshot" >/dev/null
    parse_mem=$(RULES_FLOOR=1 "$RULES" "$snapshot" | awk '/parse into/ { print $1 }')
    for i in "${!BINS[@]}"; do
        bin=${BINS[$i]}
        read -r _ evaluate total peak cpu < <(measure "$snapshot" "$n-$i" "$bin")
        awk -v n="$n" -v b="$bytes" -v p="$parse_mem" -v e="$evaluate" -v t="$total" -v k="$peak" -v c="$cpu" -v bin="$bin" 'BEGIN {
            printf "%8d %11.1f %12.1f %12.1f %10.2f %10.1f %8.2f %9.1f %11.3f  %s\n",
                n, b / 1048576, p, e, (p > 0 ? e / p : 0), t, c, k / 1024, e / n, bin
        }'
    done
    # Two binaries: their reports must be the same bytes.
    if [ "${#BINS[@]}" = 2 ]; then
        for ext in json sarif; do
            cmp -s "$OUT/report-$n-0.$ext" "$OUT/report-$n-1.$ext" || echo "bench: the two binaries' $ext reports differ at $n accounts" >&2
        done
    fi
done

if [ "${BENCH_LIVE:-1}" != 0 ]; then
    echo
    echo "live audit of one account, one region, against moto (compliant scenario, AWS_MAX_ATTEMPTS=1)"
    scripts/moto.sh install >/dev/null
    start_moto "$OUT/moto.log"
    "$SEED" --endpoint "$URL" compliant us-east-1 main >/dev/null
    printf '%10s %8s %9s  %s\n' wall_s cpu_s peak_MB binary
    for bin in "${BINS[@]}"; do
        code=0
        /usr/bin/time -v -o "$OUT/time-live.txt" env AWS_MAX_ATTEMPTS=1 "$bin" audit --endpoint-url "$URL" --regions us-east-1 \
            --save-snapshot "$OUT/live-snapshot.json" --format json --output "$OUT/live-report.json" 2>"$OUT/stderr-live.txt" || code=$?
        case $code in
            0 | 1 | 3) ;;
            *)
                echo "bench: live audit exited $code:" >&2
                cat "$OUT/stderr-live.txt" >&2
                exit 1
                ;;
        esac
        read -r live_s live_mb < <(time_figures "$OUT/time-live.txt")
        live_cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$OUT/time-live.txt")
        printf '%10s %8.2f %9s  %s\n' "$live_s" "$live_cpu" "$live_mb" "$bin"
    done
fi

echo
echo "one bundled fixture, offline: peak RSS of trailaudit audit --snapshot $FIXTURE --format json"
printf '%9s  %s\n' peak_MB binary
for bin in "${BINS[@]}"; do
    /usr/bin/time -v -o "$OUT/time-fixture.txt" "$bin" audit --snapshot "$FIXTURE" --format json >/dev/null 2>&1 || true
    read -r _ fixture_mb < <(time_figures "$OUT/time-fixture.txt")
    printf '%9s  %s\n' "$fixture_mb" "$bin"
done

echo
echo "end to end (process start to exit): trailaudit audit --snapshot $FIXTURE --format json"
if command -v hyperfine >/dev/null 2>&1; then
    # hyperfine sends the report to /dev/null itself, and alternates nothing:
    # it runs each command's runs in turn.
    commands=()
    for bin in "${BINS[@]}"; do commands+=("$bin audit --snapshot $FIXTURE --format json"); done
    hyperfine --shell=none --warmup 3 --runs "$RUNS" --ignore-failure --style basic \
        --export-json "$OUT/end-to-end.json" "${commands[@]}"
else
    echo "(hyperfine not installed: apt-get install -y hyperfine; timing $RUNS runs with date)"
    for bin in "${BINS[@]}"; do
        for _ in 1 2 3; do "$bin" audit --snapshot "$FIXTURE" --format json >/dev/null || true; done
        start=$(date +%s%N)
        for _ in $(seq "$RUNS"); do "$bin" audit --snapshot "$FIXTURE" --format json >/dev/null || true; done
        end=$(date +%s%N)
        awk -v s="$start" -v e="$end" -v r="$RUNS" -v bin="$bin" 'BEGIN { printf "mean %.1f ms over %d runs  %s\n", (e - s) / 1e6 / r, r, bin }'
    done
fi
