#!/usr/bin/env bash
# Benchmark of live collection (issue 3, "Speed and size"). Not a timed test:
# it measures and prints, and only fails when something does not run.
#
#   bench/collect.sh
#
# Starts moto (scripts/moto.sh installs it into .venv) on a free port of
# 127.0.0.1, seeds the compliant scenario of the integration tests
# (bench/seed.rs reuses tests/support/seed.rs: a multi-region trail homed in
# us-east-1 with KMS, validation, CloudWatch Logs + metric filter + alarm + SNS,
# a Config recorder), then for 1 region and for 4 regions runs, each under
# `/usr/bin/time -v`:
#   collect   `trailaudit collect --stats --output FILE`
#   audit     `trailaudit audit --snapshot FILE`
#   live      `trailaudit audit` (collect + audit in one process: end to end)
# and prints wall time, peak RSS and API calls per account-region (--stats).
#
# Two retry settings are measured. moto answers the calls it lacks
# (LookupEvents, ListEventDataStores) with HTTP 500, which the SDK retries with
# backoff as it should against AWS; `default` shows that cost, `attempts=1`
# (AWS_MAX_ATTEMPTS=1) shows the collector itself.
set -euo pipefail

cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
OUT=bench/out/collect
REGIONS_1="us-east-1"
REGIONS_4="us-east-1,eu-west-1,us-west-2,ap-southeast-1"

# shellcheck source=bench/lib.sh
. bench/lib.sh
require_gnu_time
scripts/moto.sh install
cargo build --quiet --release --bin trailaudit --example seed
BIN="$CARGO_TARGET_DIR/release/trailaudit"
SEED="$CARGO_TARGET_DIR/release/examples/seed"
mkdir -p "$OUT"

start_moto "$OUT/moto.log"
"$SEED" --endpoint "$URL" compliant us-east-1 main >/dev/null

# run TAG ALLOWED_CODES CMD...: runs CMD under time -v, checks its exit code.
run() {
    local tag=$1 allowed=$2 code=0
    shift 2
    /usr/bin/time -v -o "$OUT/time-$tag.txt" "$@" >"$OUT/stdout-$tag.txt" 2>"$OUT/stderr-$tag.txt" || code=$?
    if [[ " $allowed " != *" $code "* ]]; then
        echo "bench: $tag exited $code:" >&2
        cat "$OUT/stderr-$tag.txt" >&2
        exit 1
    fi
}

printf '%-10s %-8s %-8s %9s %8s %9s %8s %9s %8s %6s %7s\n' \
    retries regions "" collect_s coll_MB audit_s aud_MB live_s live_MB calls retries
declare -A wall
for mode in default attempts=1; do
    for n in 1 4; do
        regions_var="REGIONS_$n"
        regions=${!regions_var}
        tag="${mode#*=}-$n"
        env_extra=()
        [ "$mode" = attempts=1 ] && env_extra=(AWS_MAX_ATTEMPTS=1)
        live=(--endpoint-url "$URL" --regions "$regions")
        run "collect-$tag" "0 3" env "${env_extra[@]}" "$BIN" collect "${live[@]}" --stats --output "$OUT/snapshot-$tag.json"
        run "audit-$tag" "0 1 3" "$BIN" audit --snapshot "$OUT/snapshot-$tag.json" --format json --output /dev/null
        run "live-$tag" "0 1 3" env "${env_extra[@]}" "$BIN" audit "${live[@]}" --format json --output /dev/null
        read -r cs cm < <(time_figures "$OUT/time-collect-$tag.txt")
        read -r as am < <(time_figures "$OUT/time-audit-$tag.txt")
        read -r ls lm < <(time_figures "$OUT/time-live-$tag.txt")
        calls=$(sed -n 's/^API calls: \([0-9]*\) (\([0-9]*\) retries).*/\1 \2/p' "$OUT/stderr-collect-$tag.txt")
        wall[$tag]=$ls
        printf '%-10s %-8s %-8s %9s %8s %9s %8s %9s %8s %6s %7s\n' "$mode" "$n" "" "$cs" "$cm" "$as" "$am" "$ls" "$lm" $calls
        # API calls per account-region (`-` = global calls), from --stats.
        grep -E '^  [0-9-]+/[a-z0-9-]+ +[0-9]+ calls' "$OUT/stderr-collect-$tag.txt" | sed 's/^/    /'
    done
done
for mode in default 1; do
    awk -v a="${wall[$mode-4]}" -v b="${wall[$mode-1]}" -v m="$mode" \
        'BEGIN { printf "live audit wall, 4 regions / 1 region (retries %s): %.2f\n", m, (b > 0 ? a / b : 0) }'
done
