#!/usr/bin/env bash
# Benchmark of organization-wide collection (issue 10, item 7). Not a timed
# test: it measures and prints, and fails only when something does not run.
#
#   bench/org.sh [SIZES] [CONCURRENCIES]      default: "10 50 200" "1 8 32"
#
# For each organization size N (active accounts: the management account, a
# log-archive account, a security account and N-3 members; the seeding is the
# integration tests' own, tests/support/organization.rs through bench/seed.rs)
# and each --concurrency C, runs under `/usr/bin/time -v`
#   trailaudit collect --organization --member-role R --regions us-east-1,eu-west-1 --concurrency C --stats
# and prints wall time, peak RSS, API calls, calls per account-region and the
# request rate. Beside it, in the same run and against the same moto server,
# the emulator's ceiling: the request rate wrk (a C load generator, Debian's
# `wrk`) sustains with 32 connections on CloudTrail DescribeTrails, the cheapest
# call the collector makes. The figures to quote: the collector's rate at 200
# accounts as a fraction of that ceiling, and peak RSS at 200 accounts over the
# 10-account figure.
#
# AWS_MAX_ATTEMPTS=1: moto answers LookupEvents and ListEventDataStores with
# HTTP 500, which the SDK would otherwise retry with backoff (bench/collect.sh
# measures that cost); here the collector's own throughput is the subject.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT=bench/out/org
SIZES=${1:-"10 50 200"}
CONCURRENCIES=${2:-"1 8 32"}
REGIONS="us-east-1,eu-west-1"
ROLE=TrailAuditMember

# shellcheck source=bench/lib.sh
. bench/lib.sh
require_gnu_time
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk) — it measures moto's ceiling" >&2; exit 1; }
scripts/moto.sh install
cargo build --quiet --release --bin trailaudit --example seed
BIN="$CARGO_TARGET_DIR/release/trailaudit"
SEED="$CARGO_TARGET_DIR/release/examples/seed"
mkdir -p "$OUT"

start_moto "$OUT/moto.log"

# wrk's request: a signed-looking DescribeTrails (moto reads the account from the key id).
cat >"$OUT/describe-trails.lua" <<'EOF'
wrk.method = "POST"
wrk.body = "{}"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "CloudTrail_20131101.DescribeTrails"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=0"
EOF

ceiling() {
    wrk -t2 -c32 -d10s -s "$OUT/describe-trails.lua" "$URL/" 2>&1 | awk '/Requests\/sec/ { print $2 }'
}

printf '%-8s %-5s %9s %8s %7s %12s %9s %9s\n' accounts conc wall_s rss_MB calls calls/acct-rg req_per_s of_ceiling
declare -A rss rate
for n in $SIZES; do
    curl -sf -X POST "$URL/moto-api/reset" >/dev/null
    "$SEED" --endpoint "$URL" organization $((n - 3)) >"$OUT/seed-$n.txt"
    top=$(ceiling)
    echo "moto ceiling with $n accounts seeded (wrk, 32 connections, DescribeTrails): $top req/s"
    for c in $CONCURRENCIES; do
        tag="$n-c$c"
        code=0
        AWS_MAX_ATTEMPTS=1 /usr/bin/time -v -o "$OUT/time-$tag.txt" "$BIN" collect --organization --member-role "$ROLE" \
            --endpoint-url "$URL" --regions "$REGIONS" --event-history-days 1 --concurrency "$c" --stats \
            --output "$OUT/snapshot-$tag.json" >"$OUT/stdout-$tag.txt" 2>"$OUT/stderr-$tag.txt" || code=$?
        if [ "$code" != 0 ] && [ "$code" != 3 ]; then
            echo "bench: collect $tag exited $code:" >&2
            cat "$OUT/stderr-$tag.txt" >&2
            exit 1
        fi
        read -r wall mb < <(time_figures "$OUT/time-$tag.txt")
        calls=$(sed -n 's/^API calls: \([0-9]*\).*/\1/p' "$OUT/stderr-$tag.txt")
        accounts=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["accounts"]))' "$OUT/snapshot-$tag.json")
        [ "$accounts" = "$n" ] || { echo "bench: $tag collected $accounts accounts, expected $n" >&2; exit 1; }
        read -r per_ar rps share < <(awk -v c="$calls" -v n="$n" -v w="$wall" -v t="$top" \
            'BEGIN { r = (w > 0 ? c / w : 0); printf "%.1f %.0f %.2f\n", c / (n * 2), r, (t > 0 ? r / t : 0) }')
        rss[$tag]=$mb
        rate[$tag]=$share
        printf '%-8s %-5s %9s %8s %7s %12s %9s %9s\n' "$n" "$c" "$wall" "$mb" "$calls" "$per_ar" "$rps" "$share"
    done
done

first=${SIZES%% *}
last=${SIZES##* }
for c in $CONCURRENCIES; do
    awk -v a="${rss[$last-c$c]:-0}" -v b="${rss[$first-c$c]:-0}" -v c="$c" -v l="$last" -v f="$first" \
        'BEGIN { printf "peak RSS, %s accounts / %s accounts (concurrency %s): %.2f\n", l, f, c, (b > 0 ? a / b : 0) }'
done
