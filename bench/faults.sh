#!/usr/bin/env bash
# Benchmark of throttling (issue 15, defect 3): wall time and verdicts of a
# live audit when AWS throttles briefly, with the binary's default settings.
# Not a timed test: it measures and prints, and only fails when something
# does not run.
#
#   bench/faults.sh [BINARY...]
#
# Starts moto on a free port of 127.0.0.1, seeds the compliant scenario of the
# integration tests (bench/seed.rs), and runs `trailaudit audit` (live, one
# region, default --call-timeout and retries, no AWS_MAX_ATTEMPTS /
# AWS_RETRY_MODE) through the tests' fault-injection proxy
# (bench/fault_proxy.rs = tests/support/fault_proxy.rs) in three scenarios:
#   clean            no faults
#   sts-throttle-2   the first two sts:GetCallerIdentity answered `Throttling`
#   first-of-each    the first request of every operation throttled, in its
#                    protocol's shape (ThrottlingException, Throttling, SlowDown)
# The proxy answers moto's missing LookupEvents / ListEventDataStores as an
# empty account, so the clean run has no failed call of moto's making.
#
# Each BINARY is measured (default: this tree's release build); pass an older
# build to compare, e.g. `bench/faults.sh /path/to/main/target/release/trailaudit target/release/trailaudit`.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT=bench/out/faults

# shellcheck source=bench/lib.sh
. bench/lib.sh
scripts/moto.sh install
cargo build --quiet --release --bin trailaudit --example seed --example fault_proxy
SEED="$CARGO_TARGET_DIR/release/examples/seed"
PROXY="$CARGO_TARGET_DIR/release/examples/fault_proxy"
if [ $# -eq 0 ]; then
    set -- "$CARGO_TARGET_DIR/release/trailaudit"
fi
mkdir -p "$OUT"

start_moto "$OUT/moto.log"
MOTO_PORT=${URL##*:}
"$SEED" --endpoint "$URL" compliant us-east-1 main >/dev/null

PROXY_PID=
stop_proxy() {
    if [ -n "$PROXY_PID" ]; then
        kill "$PROXY_PID" 2>/dev/null || true
        wait "$PROXY_PID" 2>/dev/null || true
        PROXY_PID=
    fi
}
trap 'stop_proxy; kill "$MOTO_PID" 2>/dev/null || true' EXIT

# Starts a proxy for scenario $1; sets PROXY_URL.
start_proxy() {
    "$PROXY" "$MOTO_PORT" "$1" >"$OUT/proxy.txt" 2>&1 &
    PROXY_PID=$!
    for _ in $(seq 100); do
        PROXY_URL=$(head -n 1 "$OUT/proxy.txt" 2>/dev/null || true)
        [[ "$PROXY_URL" == http://127.0.0.1:* ]] && return 0
        sleep 0.05
    done
    echo "bench: the fault proxy did not start" >&2
    exit 1
}

printf '%-16s %-48s %6s %5s %6s %5s %5s %s\n' scenario binary wall_s exit error fail pass "recorded errors"
n=0
for scenario in clean sts-throttle-2 first-of-each; do
    for bin in "$@"; do
        n=$((n + 1))
        start_proxy "$scenario"
        report="$OUT/report-$n.json"
        rm -f "$report"
        start=$(date +%s.%N)
        code=0
        "$bin" audit --endpoint-url "$PROXY_URL" --regions us-east-1 --format json --output "$report" \
            --save-snapshot "$OUT/snapshot-$n.json" 2>"$OUT/stderr-$n.txt" || code=$?
        end=$(date +%s.%N)
        stop_proxy
        if [ -s "$report" ]; then
            read -r errors fails passes recorded < <(python3 - "$report" "$OUT/snapshot-$n.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
by = report["summary"]["by_status"]
snap = json.load(open(sys.argv[2]))
kinds = {}
for e in snap.get("errors", []):
    key = f'{e["error_code"]}/{e.get("kind", "failed")}'
    kinds[key] = kinds.get(key, 0) + 1
print(by["error"], by["fail"], by["pass"], ",".join(f"{k}:{v}" for k, v in sorted(kinds.items())) or "-")
PY
            )
        else
            errors=- fails=- passes=- recorded="no report: $(head -c 200 "$OUT/stderr-$n.txt" | tr '\n' ' ')"
        fi
        wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
        printf '%-16s %-48s %6s %5s %6s %5s %5s %s\n' "$scenario" "$bin" "$wall" "$code" "$errors" "$fails" "$passes" "$recorded"
    done
done
